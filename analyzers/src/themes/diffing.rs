//! Line-level comparison of an override with its original (the one line-diff engine,
//! [`crate::changes::diff::line_hunks`]): changed lines,
//! similarity ratio, number of differing regions, and whether the difference is branding only
//! (text, colours, links, images).

use crate::changes::diff::{line_hunks, split_lines};
use crate::Result;
use serde::{Deserialize, Serialize};

/// How an override differs from a version of its original.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    pub lines_added: u64,
    pub lines_removed: u64,
    /// 0.0–1.0 (1.0 = identical), three decimals; for binary files 1.0 or 0.0.
    pub similarity: f64,
    /// Separate regions that differ.
    pub regions: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub binary: bool,
}

pub use crate::changes::is_binary;

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Compare `original` (old) with `other` (new). The similarity is `2 × unchanged lines / all
/// lines of both` (1.0 for two empty files).
pub fn divergence(original: &[u8], other: &[u8]) -> Result<Divergence> {
    if is_binary(original) || is_binary(other) {
        let same = original == other;
        return Ok(Divergence {
            similarity: if same { 1.0 } else { 0.0 },
            regions: u64::from(!same),
            binary: true,
            ..Divergence::default()
        });
    }
    let hunks = line_hunks(original, other)?;
    let (old_lines, new_lines) = (split_lines(original).len(), split_lines(other).len());
    let removed: usize = hunks.iter().map(|h| h.o1 - h.o0).sum();
    let added: usize = hunks.iter().map(|h| h.n1 - h.n0).sum();
    let total = old_lines + new_lines;
    let similarity = if total == 0 {
        1.0
    } else {
        2.0 * (old_lines - removed) as f64 / total as f64
    };
    Ok(Divergence {
        lines_added: added as u64,
        lines_removed: removed as u64,
        similarity: round3(similarity),
        regions: hunks.len() as u64,
        binary: false,
    })
}

/// Similarity only (for choosing the closest release).
pub fn similarity(a: &[u8], b: &[u8]) -> Result<f64> {
    if a == b {
        return Ok(1.0);
    }
    Ok(divergence(a, b)?.similarity)
}

/// Is every difference between `original` and `other` a branding change: each changed region
/// replaces lines one for one, and the lines are equal once text between tags, quoted strings
/// (links, image paths, labels), colours and numbers are masked?
pub fn is_branding_only(original: &str, other: &str) -> Result<bool> {
    every_line_replaced(original, other, |a, b| {
        mask(a) == mask(b) && i18n_calls(a) == i18n_calls(b)
    })
}

/// Whether `original` and `other` differ, every changed region replaces lines one for one,
/// and `same_kind(old line, new line)` holds for each replaced pair (line ends trimmed).
fn every_line_replaced(
    original: &str,
    other: &str,
    same_kind: impl Fn(&str, &str) -> bool,
) -> Result<bool> {
    let hunks = line_hunks(original.as_bytes(), other.as_bytes())?;
    let old = split_lines(original.as_bytes());
    let new = split_lines(other.as_bytes());
    let line = |l: &[u8]| {
        String::from_utf8_lossy(l)
            .trim_end_matches(['\n', '\r'])
            .to_string()
    };
    for h in &hunks {
        if h.o1 - h.o0 != h.n1 - h.n0 || h.o0 == h.o1 {
            return Ok(false);
        }
        for k in 0..h.o1 - h.o0 {
            let (Some(a), Some(b)) = (old.get(h.o0 + k), new.get(h.n0 + k)) else {
                return Ok(false);
            };
            if !same_kind(&line(a), &line(b)) {
                return Ok(false);
            }
        }
    }
    Ok(!hunks.is_empty())
}

/// Translation calls and tags: Python/Mako `_()`, `gettext()` and friends, Django's
/// `{% trans %}`/`{% translate %}`/`{% blocktrans %}`.
const I18N_CALLS: &[&str] = &[
    "_",
    "gettext",
    "ugettext",
    "gettext_lazy",
    "ugettext_lazy",
    "ngettext",
    "ungettext",
    "pgettext",
    "npgettext",
    "interpolate",
];
const I18N_TAGS: &[&str] = &["trans", "translate", "blocktrans", "blocktranslate"];

/// The translation calls of a line, in order (`_`, `gettext`, `trans` …).
fn i18n_calls(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        if ident(chars[i]) && (i == 0 || !(ident(chars[i - 1]) || chars[i - 1] == '.')) {
            let mut j = i;
            while j < chars.len() && ident(chars[j]) {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            let mut k = j;
            while k < chars.len() && chars[k] == ' ' {
                k += 1;
            }
            let call = chars.get(k) == Some(&'(') && I18N_CALLS.contains(&word.as_str());
            let tag = I18N_TAGS.contains(&word.as_str())
                && chars[..i].iter().rev().find(|c| **c != ' ') == Some(&'%');
            if call || tag {
                out.push(word);
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// A line without its translation wrappers (the call and tag names, brackets, quotes and
/// spaces dropped): enough to tell that two lines say the same thing once translation calls are
/// ignored.
fn without_i18n(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if ident(chars[i]) && (i == 0 || !ident(chars[i - 1])) {
            let mut j = i;
            while j < chars.len() && ident(chars[j]) {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            if !(I18N_CALLS.contains(&word.as_str()) || I18N_TAGS.contains(&word.as_str())) {
                out.push_str(&word);
            }
            i = j;
            continue;
        }
        if !matches!(
            chars[i],
            '$' | '{' | '}' | '(' | ')' | '%' | '"' | '\'' | ' '
        ) {
            out.push(chars[i]);
        }
        i += 1;
    }
    out
}

/// Is every difference between `original` and `other` in translation calls only: the changed
/// lines differ in their translation calls, and are equal once the wrappers are removed
/// (a string newly wrapped in `_()`, a `gettext` swapped for `ugettext`)?
pub fn is_i18n_only(original: &str, other: &str) -> Result<bool> {
    every_line_replaced(original, other, |a, b| {
        i18n_calls(a) != i18n_calls(b) && without_i18n(a) == without_i18n(b)
    })
}

/// Attributes whose values are copy or links (not styling hooks such as `class`, which need
/// CSS, or behaviour such as `id`/`data-*`).
const BRANDING_ATTRS: &[&str] = &[
    "href",
    "src",
    "alt",
    "title",
    "content",
    "aria-label",
    "placeholder",
];

/// Is the attribute just written to `out` (`… name=`) one of [`BRANDING_ATTRS`]?
fn branding_attr(out: &str) -> bool {
    let Some(before) = out.strip_suffix('=') else {
        return false;
    };
    let name: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    BRANDING_ATTRS.contains(&name.as_str())
}

/// Mask the branding parts of one line (see [`is_branding_only`]).
fn mask(line: &str) -> String {
    let chars: Vec<char> = line.trim().chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut in_tag = false;
    let mut in_expr = 0i32;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' && chars.get(i + 1) == Some(&'{') {
            in_expr += 1;
            out.push_str("${");
            i += 2;
            continue;
        }
        if in_expr > 0 && c == '}' {
            in_expr -= 1;
        }
        if (c == '"' || c == '\'') && (in_expr > 0 || (in_tag && branding_attr(&out))) {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != c {
                j += 1;
            }
            out.push_str("\"S\"");
            i = j + 1;
            continue;
        }
        if c == '#' && chars.get(i + 1).is_some_and(char::is_ascii_hexdigit) {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_hexdigit() {
                j += 1;
            }
            out.push_str("#C");
            i = j;
            continue;
        }
        if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push('9');
            continue;
        }
        if c == '<' && in_expr == 0 {
            in_tag = true;
        }
        if c == '>' && in_tag {
            in_tag = false;
            out.push('>');
            // text up to the next tag or expression is branding copy
            let mut j = i + 1;
            while j < chars.len()
                && chars[j] != '<'
                && !(chars[j] == '$' && chars.get(j + 1) == Some(&'{'))
            {
                j += 1;
            }
            if chars[i + 1..j].iter().any(|c| !c.is_whitespace()) {
                out.push('T');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    // a line of plain text (no markup at all) is copy too
    if !line.contains(['<', '>', '$', '{', '%', ':', ';', '=']) && !line.trim().is_empty() {
        return "T".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_regions() {
        let a = "a\nb\nc\nd\ne\n";
        let b = "a\nB\nc\nd\ne\nf\n";
        let d = divergence(a.as_bytes(), b.as_bytes()).unwrap();
        assert_eq!((d.lines_added, d.lines_removed, d.regions), (2, 1, 2));
        assert!(d.similarity > 0.7 && d.similarity < 1.0, "{}", d.similarity);
        let same = divergence(a.as_bytes(), a.as_bytes()).unwrap();
        assert_eq!((same.regions, same.similarity), (0, 1.0));
    }

    #[test]
    fn binary_files() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0";
        let d = divergence(png, b"\x89PNG\r\n\x1a\n\0\0\x01").unwrap();
        assert!(d.binary);
        assert_eq!(d.similarity, 0.0);
    }

    #[test]
    fn branding_only() {
        let a = "<footer class=\"x\">\n  <a href=\"https://openedx.org\">Open edX</a>\n  <p>© 2024 Open edX</p>\n</footer>\n";
        let b = "<footer class=\"x\">\n  <a href=\"https://acme.example\">Acme Learning</a>\n  <p>© 2025 Acme</p>\n</footer>\n";
        assert!(is_branding_only(a, b).unwrap());
        let c = "<footer class=\"x\">\n  <a href=\"https://acme.example\">Acme Learning</a>\n  <p>${user.name}</p>\n</footer>\n";
        assert!(!is_branding_only(a, c).unwrap());
        let d = "<footer class=\"x\">\n  <a href=\"https://openedx.org\">Open edX</a>\n  <nav>more</nav>\n  <p>© 2024 Open edX</p>\n</footer>\n";
        assert!(!is_branding_only(a, d).unwrap());
        assert!(is_branding_only("$primary: #0075b4;\n", "$primary: #c8102e;\n").unwrap());
        assert!(!is_branding_only(a, a).unwrap());
        let e = "<footer class=\"x acme\">\n  <a href=\"https://openedx.org\">Open edX</a>\n  <p>© 2024 Open edX</p>\n</footer>\n";
        assert!(
            !is_branding_only(a, e).unwrap(),
            "a new CSS class is not branding-only"
        );
    }

    #[test]
    fn translation_calls_are_not_branding() {
        let a = "<main id=\"main\" aria-label=\"Content\">\n<p>x</p>\n";
        let b = "<main id=\"main\" aria-label=\"${_('Content')}\">\n<p>x</p>\n";
        assert!(!is_branding_only(a, b).unwrap());
        assert!(is_i18n_only(a, b).unwrap());
        let plain = ("Welcome back\n", "_(\"Welcome back\")\n");
        assert!(!is_branding_only(plain.0, plain.1).unwrap());
        assert!(is_i18n_only(plain.0, plain.1).unwrap());
        let swap = (
            "<p>${gettext(\"Help\")}</p>\n",
            "<p>${ugettext(\"Help\")}</p>\n",
        );
        assert!(is_i18n_only(swap.0, swap.1).unwrap());
        assert!(!is_branding_only(swap.0, swap.1).unwrap());
        // A translated label that changes its text is copy, not an i18n fix.
        let copy = ("<p>${_(\"Help\")}</p>\n", "<p>${_(\"Get help\")}</p>\n");
        assert!(!is_i18n_only(copy.0, copy.1).unwrap());
        assert!(is_branding_only(copy.0, copy.1).unwrap());
        let django = ("<h1>Welcome</h1>\n", "<h1>{% trans \"Welcome\" %}</h1>\n");
        assert!(is_i18n_only(django.0, django.1).unwrap());
    }
}
