//! Which upstream file a theme file overrides (docs/edx-domain.md §4.4): strip
//! `<theme>/<svc>/templates/`, try the service's template roots in lookup order, then any
//! `**/templates/<rel>` of the upstream tree belonging to the service; static files map
//! `<theme>/<svc>/static/<rel>` → `<rel>` under the service's static roots, read from the base
//! tree's `STATICFILES_DIRS` ([`StaticFacts`], docs/edx-domain.md §4.5). A file whose original
//! exists only under the *other* service is misplaced, unless the service itself asks for that
//! path (a setting names it, or upstream's sample themes ship it for that service); one with no
//! original at all is a theme addition.

use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::listing::Listing;
use crate::repo::Repo;

mod settings_text;
mod statics;

pub use settings_text::{named_assets, staticfiles_dirs};
pub use statics::StaticFacts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Lms,
    Cms,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Lms => "lms",
            Service::Cms => "cms",
        }
    }

    pub fn other(self) -> Service {
        match self {
            Service::Lms => Service::Cms,
            Service::Cms => Service::Lms,
        }
    }

    /// Template roots in lookup order (Mako dirs, then Django-engine dirs).
    pub fn template_roots(self) -> &'static [&'static str] {
        match self {
            Service::Lms => &[
                "lms/templates",
                "common/templates",
                "xmodule/capa/templates",
                "common/djangoapps/pipeline_mako/templates",
                "openedx/core/djangoapps/cors_csrf/templates",
                "openedx/core/djangoapps/dark_lang/templates",
                "openedx/core/lib/license/templates",
                "openedx/features/course_experience/templates",
                "common/static",
            ],
            Service::Cms => &[
                "cms/templates",
                "common/templates",
                "common/djangoapps/pipeline_mako/templates",
                "common/static",
                "openedx/core/djangoapps/cors_csrf/templates",
                "openedx/core/djangoapps/dark_lang/templates",
                "openedx/core/lib/license/templates",
                "cms/djangoapps/pipeline_js/templates",
            ],
        }
    }

    /// Does an upstream path belong to this service only (so a theme for the other service
    /// cannot override it)?
    pub fn owns(self, path: &str) -> bool {
        path.strip_prefix(self.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The blobs of one commit's tree, and its template files indexed by their path relative to a
/// `templates/` directory. Built once per commit, then shared read-only by the workers.
#[derive(Debug, Default)]
pub struct TreeIndex {
    /// The tree's files (the run's shared listing, [`crate::Context::listing`]).
    listing: Arc<Listing>,
    /// rel → full paths (sorted), for every `…/templates/<rel>` outside the excluded prefixes.
    templates: HashMap<String, Vec<String>>,
    /// file name → full paths (sorted) of every file under a `templates/` directory outside the
    /// excluded prefixes.
    names: HashMap<String, Vec<String>>,
    /// Static roots and the static paths each service asks for.
    statics: StaticFacts,
}

impl TreeIndex {
    /// Index a commit's tree from its listing; template paths under `exclude` (theme roots,
    /// `dir/`) are not candidates for originals (upstream's example themes are not originals).
    pub fn build(repo: &Repo, listing: Arc<Listing>, exclude: &[String]) -> Result<TreeIndex> {
        let mut idx = TreeIndex {
            listing,
            ..TreeIndex::default()
        };
        let listing = idx.listing.clone();
        for (path, _) in listing.blobs() {
            if path.contains("templates/") && !exclude.iter().any(|p| path.starts_with(p.as_str()))
            {
                idx.add_template_path(path);
            }
        }
        for paths in idx.templates.values_mut().chain(idx.names.values_mut()) {
            paths.sort();
        }
        idx.statics = StaticFacts::build(repo, &listing, exclude)?;
        Ok(idx)
    }

    /// What this tree says about static files.
    pub fn statics(&self) -> &StaticFacts {
        &self.statics
    }

    /// Also record the asset paths the services' own templates ask for
    /// ([`StaticFacts::add_template_requests`]).
    pub fn add_template_requests(
        &mut self,
        repo: &Repo,
        seen: &mut HashMap<Oid, Vec<String>>,
    ) -> Result<()> {
        self.statics
            .add_template_requests(repo, &self.listing, seen)
    }

    fn add_template_path(&mut self, path: &str) {
        let parts: Vec<&str> = path.split('/').collect();
        let mut named = false;
        for (k, part) in parts.iter().enumerate() {
            if *part == "templates" && k + 1 < parts.len() {
                let rel = parts[k + 1..].join("/");
                self.templates
                    .entry(rel)
                    .or_default()
                    .push(path.to_string());
                named = true;
            }
        }
        if let (true, Some(name)) = (named, parts.last()) {
            self.names
                .entry((*name).to_string())
                .or_default()
                .push(path.to_string());
        }
    }

    /// Upstream templates of `svc` (its roots, or an app's `templates/` the other service does
    /// not own) named `name` whose path relative to their root differs from `rel`: where a theme
    /// template that overrides nothing was probably meant to go. Each candidate is (upstream
    /// path, path relative to its template root), in path order.
    pub fn same_name_elsewhere(&self, svc: Service, rel: &str) -> Vec<(String, String)> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let mut out = Vec::new();
        for path in self.names.get(name).map_or(&[][..], Vec::as_slice) {
            if svc.other().owns(path) {
                continue;
            }
            let in_root = svc
                .template_roots()
                .iter()
                .filter(|r| r.ends_with("/templates"))
                .find_map(|r| path.strip_prefix(&format!("{r}/")));
            let cand_rel = match in_root {
                Some(r) => r.to_string(),
                None => match path.split_once("/templates/") {
                    Some((_, r)) => r.to_string(),
                    None => continue,
                },
            };
            if cand_rel != rel && !out.iter().any(|(_, r)| *r == cand_rel) {
                out.push((path.clone(), cand_rel));
            }
        }
        out
    }

    /// The blob at `path`, if any.
    pub fn blob(&self, path: &str) -> Option<Oid> {
        self.listing.blob(path)
    }

    /// Every blob path with its id, in path order.
    pub fn blobs(&self) -> impl Iterator<Item = (&str, Oid)> {
        self.listing.blobs()
    }

    /// Every `…/templates/<rel>` path of the tree.
    pub fn templates_named(&self, rel: &str) -> &[String] {
        self.templates.get(rel).map_or(&[], Vec::as_slice)
    }
}

/// Where a theme file's original is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// The upstream file the theme file shadows.
    Original(String),
    /// The original exists only under the other service: the theme file has no effect where it
    /// is and should live under `<theme>/<should_be>/…`.
    Misplaced {
        original: String,
        should_be: Service,
    },
    /// No upstream original at this path, but the service has templates of the same file name
    /// in other directories (upstream path, path relative to its template root): the theme file
    /// is misplaced if its content matches one of them, else a new file.
    SameName(Vec<(String, String)>),
    /// No upstream original at this path, but the service asks for it (why): a static path a
    /// setting names, or one upstream's sample themes ship for this service. The file takes
    /// effect; there is no original to compare with.
    Requested(String),
    /// No upstream original: a new file of the theme.
    Addition,
}

/// Map `<theme>/<svc>/templates/<rel>` to its original in `idx`.
pub fn map_template(idx: &TreeIndex, svc: Service, rel: &str) -> Mapping {
    for root in svc.template_roots() {
        let path = format!("{root}/{rel}");
        if idx.blob(&path).is_some() {
            return Mapping::Original(path);
        }
    }
    let candidates = idx.templates_named(rel);
    if let Some(p) = candidates.iter().find(|p| !svc.other().owns(p)) {
        return Mapping::Original(p.clone());
    }
    let other = svc.other();
    let in_other_roots = other
        .template_roots()
        .iter()
        .map(|root| format!("{root}/{rel}"))
        .find(|p| idx.blob(p).is_some());
    match in_other_roots.or_else(|| candidates.first().cloned()) {
        Some(original) => Mapping::Misplaced {
            original,
            should_be: other,
        },
        None => {
            let elsewhere = idx.same_name_elsewhere(svc, rel);
            if elsewhere.is_empty() {
                Mapping::Addition
            } else {
                Mapping::SameName(elsewhere)
            }
        }
    }
}

/// Map `<theme>/<svc>/static/<rel>` to its original in `idx`.
pub fn map_static(idx: &TreeIndex, svc: Service, rel: &str) -> Mapping {
    let facts = &idx.statics;
    for root in facts.roots(svc) {
        let path = format!("{root}/{rel}");
        if idx.blob(&path).is_some() {
            return Mapping::Original(path);
        }
    }
    if let Some(why) = facts.requested(svc, rel) {
        return Mapping::Requested(why);
    }
    for root in facts.roots(svc.other()) {
        let path = format!("{root}/{rel}");
        if svc.other().owns(&path) && idx.blob(&path).is_some() {
            return Mapping::Misplaced {
                original: path,
                should_be: svc.other(),
            };
        }
    }
    let candidates = facts.same_name_elsewhere(svc, rel);
    if candidates.is_empty() {
        Mapping::Addition
    } else {
        Mapping::SameName(candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::statics::{fallback_roots, slot};
    use super::*;

    fn index(paths: &[&str]) -> TreeIndex {
        let mut idx = TreeIndex {
            listing: Arc::new(Listing::from_files(
                paths.iter().map(|p| ((*p).to_string(), Oid::zero())),
            )),
            ..TreeIndex::default()
        };
        for p in paths {
            idx.add_template_path(p);
        }
        for paths in idx.templates.values_mut().chain(idx.names.values_mut()) {
            paths.sort();
        }
        for svc in [Service::Lms, Service::Cms] {
            idx.statics.roots[slot(svc)] = fallback_roots(svc).unwrap();
        }
        let listing = idx.listing.clone();
        idx.statics.index_names(&listing, &["themes/".to_string()]);
        idx
    }

    const LMS_COMMON: &str = r#"
import os
from path import Path as path
PROJECT_ROOT = path(__file__).abspath().dirname().dirname()  # lms
REPO_ROOT = PROJECT_ROOT.dirname()
COMMON_ROOT = REPO_ROOT / "common"
XMODULE_ROOT = REPO_ROOT / 'xmodule'
NODE_MODULES_ROOT = REPO_ROOT / "node_modules"
STATICFILES_DIRS = [
    COMMON_ROOT / "static",
    PROJECT_ROOT / "static",  # the service's own
    NODE_MODULES_ROOT / "@edx",
    ("book", REPO_ROOT / "book_images"),
    os.path.join(XMODULE_ROOT, "static"),
]
FAVICON_PATH = 'images/favicon.ico'
DEFAULT_COURSE_ABOUT_IMAGE_URL = "images/pencils.jpg"
STATIC_URL = '/static/'
HOMEPAGE = "https://example.org/logo.png"
# DEFAULT_ORG_LOGO_URL = 'images/old.png'
DEFAULT_ORG_LOGO_URL = Derived(
    lambda settings: settings.STATIC_URL + 'images/logo.png'
)
"#;

    #[test]
    fn reads_static_roots_and_named_assets_from_settings() {
        assert_eq!(
            staticfiles_dirs(LMS_COMMON, Service::Lms),
            vec![
                "common/static",
                "lms/static",
                "node_modules/@edx",
                "xmodule/static"
            ]
        );
        let cms = LMS_COMMON.replace("# lms", "# cms");
        assert_eq!(staticfiles_dirs(&cms, Service::Cms)[1], "cms/static");
        assert_eq!(
            named_assets(LMS_COMMON),
            vec![
                ("FAVICON_PATH".to_string(), "images/favicon.ico".to_string()),
                (
                    "DEFAULT_COURSE_ABOUT_IMAGE_URL".to_string(),
                    "images/pencils.jpg".to_string()
                ),
                (
                    "DEFAULT_ORG_LOGO_URL".to_string(),
                    "images/logo.png".to_string()
                ),
            ]
        );
        // Nothing resolvable: no roots (the caller falls back to rules/theme-paths.toml).
        assert!(staticfiles_dirs("STATICFILES_DIRS = [ENV_ROOT / 'x']", Service::Lms).is_empty());
        assert!(staticfiles_dirs("X = 1", Service::Lms).is_empty());
    }

    #[test]
    fn static_requested_by_a_setting_or_a_sample_theme_is_not_misplaced() {
        let mut idx = index(&[
            "lms/static/images/favicon.ico",
            "lms/static/images/logo.png",
            "lms/static/images/studio-only.png",
            "cms/static/images/studio-logo.png",
        ]);
        idx.statics.requested[slot(Service::Cms)].insert(
            "images/favicon.ico".into(),
            "`FAVICON_PATH` in `cms/envs/common.py` names it".into(),
        );
        assert_eq!(
            map_static(&idx, Service::Cms, "images/favicon.ico"),
            Mapping::Requested("`FAVICON_PATH` in `cms/envs/common.py` names it".into())
        );
        assert_eq!(
            map_static(&idx, Service::Cms, "images/logo.png"),
            Mapping::Misplaced {
                original: "lms/static/images/logo.png".into(),
                should_be: Service::Lms
            }
        );
        // Same name in another directory of the service's roots.
        assert_eq!(
            map_static(&idx, Service::Lms, "logo.png"),
            Mapping::SameName(vec![(
                "lms/static/images/logo.png".into(),
                "images/logo.png".into()
            )])
        );
        // The other service's files are no candidates.
        assert_eq!(
            map_static(&idx, Service::Lms, "img/studio-logo.png"),
            Mapping::Addition
        );
    }

    #[test]
    fn maps_templates_through_the_roots() {
        let idx = index(&[
            "lms/templates/header/header.html",
            "common/templates/student/edx_ace/accountactivation/email/body.html",
            "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html",
            "cms/templates/widgets/footer.html",
            "cms/djangoapps/pipeline_js/templates/js/x.html",
        ]);
        let lms = Service::Lms;
        assert_eq!(
            map_template(&idx, lms, "header/header.html"),
            Mapping::Original("lms/templates/header/header.html".into())
        );
        assert_eq!(
            map_template(
                &idx,
                lms,
                "student/edx_ace/accountactivation/email/body.html"
            ),
            Mapping::Original(
                "common/templates/student/edx_ace/accountactivation/email/body.html".into()
            )
        );
        assert_eq!(
            map_template(&idx, lms, "ace_common/edx_ace/common/base_body.html"),
            Mapping::Original(
                "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html"
                    .into()
            )
        );
        assert_eq!(
            map_template(&idx, lms, "widgets/footer.html"),
            Mapping::Misplaced {
                original: "cms/templates/widgets/footer.html".into(),
                should_be: Service::Cms
            }
        );
        assert_eq!(
            map_template(&idx, Service::Cms, "widgets/footer.html"),
            Mapping::Original("cms/templates/widgets/footer.html".into())
        );
        assert_eq!(
            map_template(&idx, lms, "acme/promo.html"),
            Mapping::Addition
        );
        assert_eq!(
            map_template(&idx, lms, "js/x.html"),
            Mapping::Misplaced {
                original: "cms/djangoapps/pipeline_js/templates/js/x.html".into(),
                should_be: Service::Cms
            }
        );
    }

    #[test]
    fn same_name_in_another_directory() {
        let idx = index(&[
            "lms/templates/header/navbar-authenticated.html",
            "lms/templates/courseware/navbar-authenticated.html",
            "cms/templates/widgets/header.html",
            "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html",
        ]);
        assert_eq!(
            map_template(&idx, Service::Lms, "navbar-authenticated.html"),
            Mapping::SameName(vec![
                (
                    "lms/templates/courseware/navbar-authenticated.html".into(),
                    "courseware/navbar-authenticated.html".into()
                ),
                (
                    "lms/templates/header/navbar-authenticated.html".into(),
                    "header/navbar-authenticated.html".into()
                ),
            ])
        );
        assert_eq!(
            map_template(&idx, Service::Lms, "acme/base_body.html"),
            Mapping::SameName(vec![(
                "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html"
                    .into(),
                "ace_common/edx_ace/common/base_body.html".into()
            )])
        );
        // A Studio-only template of that name is no candidate for an LMS theme file.
        assert_eq!(
            map_template(&idx, Service::Lms, "acme/header.html"),
            Mapping::Addition
        );
    }

    #[test]
    fn maps_static_files() {
        let idx = index(&[
            "lms/static/images/logo.png",
            "common/static/js/vendor/x.js",
            "cms/static/sass/partials/cms/theme/_variables.scss",
        ]);
        assert_eq!(
            map_static(&idx, Service::Lms, "images/logo.png"),
            Mapping::Original("lms/static/images/logo.png".into())
        );
        assert_eq!(
            map_static(&idx, Service::Lms, "js/vendor/x.js"),
            Mapping::Original("common/static/js/vendor/x.js".into())
        );
        assert_eq!(
            map_static(
                &idx,
                Service::Lms,
                "sass/partials/cms/theme/_variables.scss"
            ),
            Mapping::Misplaced {
                original: "cms/static/sass/partials/cms/theme/_variables.scss".into(),
                should_be: Service::Cms
            }
        );
        assert_eq!(
            map_static(&idx, Service::Lms, "images/acme.png"),
            Mapping::Addition
        );
    }
}
