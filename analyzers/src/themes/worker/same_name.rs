//! A theme file that overrides nothing: the upstream file of the same name it was probably
//! copied from (most similar text, or the only binary candidate).

use super::*;

/// Least similarity for a theme template that overrides nothing to count as a misplaced copy
/// of an upstream template of the same file name in another directory.
pub const SAME_NAME_SIMILARITY: f64 = 0.3;
/// Two candidates closer than this in similarity are reported as ambiguous.
const AMBIGUOUS_MARGIN: f64 = 0.05;

/// The upstream template a misplaced theme file was copied from.
pub(super) struct SameNamePick {
    pub(super) original: String,
    pub(super) rel: String,
    pub(super) similarity: f64,
    /// Picked by its file name alone (a binary asset with one same-named upstream asset).
    pub(super) by_name: bool,
    pub(super) ambiguous: bool,
    /// The other candidates with their similarity, most similar first.
    pub(super) others: Vec<(String, f64)>,
}

/// Of the upstream static files named like a theme asset that overrides nothing, the one it was
/// meant to override: none when the theme's own files refer to the asset where it is (the theme
/// uses it as a new asset); for a text asset the most similar (as for templates); for a binary
/// one (images, fonts), the only candidate when there is exactly one.
pub(super) fn static_same_name(
    repo: &Repo,
    sh: &Shared<'_>,
    file: &ThemeFile,
    candidates: &[(String, String)],
    ovr: &[u8],
) -> Result<Option<SameNamePick>> {
    if sh
        .theme_text
        .get(file.theme)
        .is_some_and(|t| t.contains(file.rel.as_str()))
    {
        return Ok(None);
    }
    if !is_binary(ovr) {
        return closest_same_name(repo, sh.base_index, candidates, ovr);
    }
    Ok(match candidates {
        [(original, rel)] => Some(SameNamePick {
            original: original.clone(),
            rel: rel.clone(),
            similarity: 0.0,
            by_name: true,
            ambiguous: false,
            others: Vec::new(),
        }),
        _ => None,
    })
}

/// Of the upstream templates named like the theme file, the most similar by content (ties: the
/// first path), if it is at least [`SAME_NAME_SIMILARITY`] similar.
pub(super) fn closest_same_name(
    repo: &Repo,
    idx: &TreeIndex,
    candidates: &[(String, String)],
    ovr: &[u8],
) -> Result<Option<SameNamePick>> {
    let mut scored = Vec::new();
    for (path, rel) in candidates {
        let Some(blob) = idx.blob(path) else { continue };
        let sim = divergence(&repo.blob_bytes(blob)?, ovr)?.similarity;
        scored.push((path.clone(), rel.clone(), sim));
    }
    Ok(pick_same_name(scored))
}

/// The pick among scored candidates (upstream path, rel, similarity), in path order: the most
/// similar (equal scores: the first path) if at least [`SAME_NAME_SIMILARITY`] similar; ambiguous
/// when the runner-up is within [`AMBIGUOUS_MARGIN`].
pub(super) fn pick_same_name(mut scored: Vec<(String, String, f64)>) -> Option<SameNamePick> {
    // Most similar first; equal scores keep path order (stable sort).
    scored.sort_by(|a, b| b.2.total_cmp(&a.2));
    let (original, rel, similarity) = scored.first().cloned()?;
    if similarity < SAME_NAME_SIMILARITY {
        return None;
    }
    let ambiguous = scored
        .get(1)
        .is_some_and(|s| similarity - s.2 < AMBIGUOUS_MARGIN);
    Some(SameNamePick {
        original,
        rel,
        similarity,
        by_name: false,
        ambiguous,
        others: scored.into_iter().skip(1).map(|(p, _, s)| (p, s)).collect(),
    })
}
