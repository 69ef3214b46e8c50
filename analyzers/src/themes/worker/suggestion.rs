//! The advice for an override that differs from its original.

use super::*;

/// Below this similarity to its original an override is a rewrite, not an edited copy.
pub const REWRITE_SIMILARITY: f64 = 0.2;

/// The advice for a differing override, with what it is based on: a rewrite (similarity below
/// [`REWRITE_SIMILARITY`]) → keep it and watch the original's context; translation calls only
/// → upstream; branding only → configuration; few regions → the `<%inherit>`/`<%block>` form.
pub(super) fn suggestion(
    lang: Option<Lang>,
    div: &Divergence,
    base: &[u8],
    ovr: &[u8],
) -> Option<(&'static str, String)> {
    let lang = lang?;
    if div.binary || div.regions == 0 || lang == Lang::Underscore {
        return None;
    }
    if div.similarity < REWRITE_SIMILARITY {
        return Some((
            "rewrite",
            format!(
                "a rewrite, not an edited copy (similarity {:.2} to the original): overriding \
                 blocks of the original does not apply; keep the full override, and at each \
                 release check the original's context — the names its view passes and its \
                 `<%page>` arguments — which this template must keep reading correctly",
                div.similarity
            ),
        ));
    }
    let (b, o) = (text(base), text(ovr));
    if is_i18n_only(&b, &o).unwrap_or(false) {
        return Some((
            "i18n",
            "the change only adds or changes translation calls (`_()`/`gettext` wrappers): \
             it is no branding but an i18n fix upstream would take — offer it upstream, and \
             delete the override once the target release has it"
                .into(),
        ));
    }
    if is_branding_only(&b, &o).unwrap_or(false) {
        return Some((
            "branding",
            "the change is branding only (text, links, colours, images): set it through \
             configuration instead — site configuration values (e.g. `PLATFORM_NAME`, \
             marketing links) or the theme's Sass variables (`_variables.scss`) — and delete the \
             override"
                .into(),
        ));
    }
    if div.regions <= 3 {
        let form = match lang {
            Lang::Django => {
                "`{% extends %}` the original's base and override only the `{% block %}`s"
            }
            _ => "`<%inherit>` the original's base and override only the `<%block>`s",
        };
        let regions = if div.regions == 1 {
            "1 region".to_string()
        } else {
            format!("{} regions", div.regions)
        };
        return Some((
            "blocks",
            format!(
                "differs from the original in {regions} only: {form} that change, or put the \
                 addition in a small template the original includes, instead of a full copy"
            ),
        ));
    }
    None
}
