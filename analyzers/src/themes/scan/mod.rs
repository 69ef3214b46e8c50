//! Template scanners: one small scanner per template language, extracting what a template
//! needs from its caller (free context names, `<%page>` args) and its structure (blocks, defs,
//! includes, inherits, namespaces). Underscore templates get their data from JavaScript, so
//! they are recognised but not analysed.

mod django;
mod mako;
pub mod python;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A template's language, decided from its path and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Mako,
    Django,
    Underscore,
    /// Text without template markers (or not a template at all).
    Plain,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Mako => "mako",
            Lang::Django => "django",
            Lang::Underscore => "underscore",
            Lang::Plain => "plain",
        }
    }

    /// Detect the language: `.underscore` by extension; a first line `## mako` forces Mako;
    /// otherwise whichever family of markers dominates.
    pub fn detect(path: &str, text: &str) -> Lang {
        if path.ends_with(".underscore") {
            return Lang::Underscore;
        }
        if text.lines().next().is_some_and(|l| l.trim() == "## mako") {
            return Lang::Mako;
        }
        let mako = text.matches("${").count()
            + text.matches("<%").count()
            + text
                .lines()
                .filter(|l| {
                    let t = l.trim_start();
                    t.starts_with("% ") || t.starts_with("##")
                })
                .count();
        let django = text.matches("{%").count() + text.matches("{{").count();
        if mako == 0 && django == 0 {
            Lang::Plain
        } else if django > mako {
            Lang::Django
        } else {
            Lang::Mako
        }
    }
}

/// What a scanner found in one template. Line numbers are 1-based, first occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateInfo {
    /// Names the template reads from its context (not bound locally, not globals).
    pub free: BTreeMap<String, u32>,
    /// `<%page args>`: name → has a default.
    pub page_args: BTreeMap<String, bool>,
    pub blocks: BTreeSet<String>,
    pub defs: BTreeSet<String>,
    pub includes: BTreeSet<String>,
    pub inherits: Option<String>,
    pub namespaces: BTreeSet<String>,
}

/// Names every template gets without the view passing them: Mako runtime names, edxmako
/// globals, context processors and i18n helpers (docs/edx-domain.md §4.5). They are not "context"
/// a view can take away.
const GLOBALS: &[&str] = &[
    // Mako runtime
    "context",
    "caller",
    "local",
    "parent",
    "next",
    "capture",
    "UNDEFINED",
    "loop",
    "self",
    "h",
    "n",
    "u",
    "x",
    "trim",
    "entity",
    "unicode",
    "decode",
    "str",
    // edxmako globals / context processors
    "settings",
    "EDX_ROOT_URL",
    "marketing_link",
    "is_any_marketing_link_set",
    "is_marketing_link_set",
    "request",
    "csrf_token",
    "user",
    "LANGUAGE_CODE",
    "platform_name",
    "current_url",
    "current_site_url",
    "is_from_mobile_app",
    "static",
    "static_content",
    // i18n helpers
    "_",
    "gettext",
    "ngettext",
    "pgettext",
    "ugettext",
    "ungettext",
    "npgettext",
    // Django template runtime
    "forloop",
    "block",
];

pub fn is_global(name: &str) -> bool {
    GLOBALS.contains(&name)
}

/// Accumulates names while scanning; `finish` turns them into [`TemplateInfo::free`].
#[derive(Default)]
pub(crate) struct Collector {
    uses: Vec<(String, u32)>,
    bound: BTreeSet<String>,
    pub info: TemplateInfo,
}

impl Collector {
    pub fn use_name(&mut self, name: &str, line: u32) {
        self.uses.push((name.to_string(), line));
    }
    pub fn bind(&mut self, name: &str) {
        self.bound.insert(name.to_string());
    }
    pub fn names(&mut self, names: python::Names, line: u32) {
        for b in names.binds {
            self.bind(&b);
        }
        for u in names.uses {
            self.use_name(&u, line);
        }
    }
    pub fn finish(mut self) -> TemplateInfo {
        for (name, line) in self.uses {
            if self.bound.contains(&name)
                || self.info.page_args.contains_key(&name)
                || self.info.defs.contains(&name)
                || is_global(&name)
                || python::is_builtin(&name)
                || python::is_keyword(&name)
            {
                continue;
            }
            self.info.free.entry(name).or_insert(line);
        }
        self.info
    }
}

/// Scan a template in its language. Underscore and plain text give an empty result.
pub fn scan(lang: Lang, text: &str) -> TemplateInfo {
    match lang {
        Lang::Mako => mako::scan(text),
        Lang::Django => django::scan(text),
        Lang::Underscore | Lang::Plain => TemplateInfo::default(),
    }
}

/// 1-based line of byte offset `pos` given the sorted newline offsets of the text.
pub(crate) fn line_of(newlines: &[usize], pos: usize) -> u32 {
    let idx = newlines.partition_point(|&n| n < pos);
    u32::try_from(idx + 1).unwrap_or(u32::MAX)
}

pub(crate) fn newline_offsets(text: &str) -> Vec<usize> {
    text.match_indices('\n').map(|(i, _)| i).collect()
}

/// First 1-based line of `text` on which `name` occurs as a whole word.
pub fn find_word_line(text: &str, name: &str) -> Option<u32> {
    for (i, line) in text.lines().enumerate() {
        let mut start = 0;
        while let Some(pos) = line[start..].find(name) {
            let at = start + pos;
            let before = line[..at].chars().next_back();
            let after = line[at + name.len()..].chars().next();
            let boundary =
                |c: Option<char>| !matches!(c, Some(c) if c.is_alphanumeric() || c == '_');
            if boundary(before) && boundary(after) {
                return u32::try_from(i + 1).ok();
            }
            start = at + name.len();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_languages() {
        assert_eq!(Lang::detect("a.underscore", "<%= x %>"), Lang::Underscore);
        assert_eq!(
            Lang::detect("a.html", "<%inherit file='main.html'/>\n${x}"),
            Lang::Mako
        );
        assert_eq!(
            Lang::detect("a.html", "{% extends 'b.html' %}{{ x }}"),
            Lang::Django
        );
        assert_eq!(
            Lang::detect("a.html", "## mako\n{% x %}{{ y }}{{ z }}"),
            Lang::Mako
        );
        assert_eq!(Lang::detect("a.html", "<p>hi</p>"), Lang::Plain);
    }

    /// Every prefix of realistic templates (unterminated tags, strings, expressions, cut
    /// multi-byte characters) goes through every scanner and the noise normalisation.
    #[test]
    fn truncated_input_never_panics() {
        let samples = [
            "<%page args=\"a, b='é'\"/>\n<%inherit file=\"main.html\"/>\n<%namespace name='static' file='static_content.html'/>\n<%! from x import y as z %>\n<% w = ${'ü'} %>\n% for i in items:\n  <a href=\"${static.url('x')}\" title=\"${_('ö')}\">${i.name | h}</a>\n% endfor\n<%block name=\"b\">${z}</%block><%def name=\"f(a, b=c)\">${a}</%def><%doc>é</%doc>\n<%static:css group='x${y}'/>\n",
            "{% extends 'base.html' %}{% load i18n %}{# é #}{% block c %}{{ a.b|default:c }}{% for x, y in d %}{{ x }}{% endfor %}{% blocktrans with n=m %}ü {{ n }}{% endblocktrans %}{% comment %}é{% endcomment %}{% include \"f.html\" with k=v only %}{% url 'u' q as r %}{% endblock %}",
        ];
        for sample in samples {
            for (cut, _) in sample.char_indices() {
                let prefix = &sample[..cut];
                for lang in [Lang::Mako, Lang::Django, Lang::Underscore, Lang::Plain] {
                    let _ = scan(lang, prefix);
                    let _ = crate::themes::noise::normalize(lang, prefix);
                }
                let _ = crate::themes::views::context_keys(prefix, "f.html");
                let _ = crate::themes::diffing::is_branding_only(prefix, sample).is_ok();
            }
        }
        for odd in ["{%}", "{{}", "${ü", "<%x ${é", "%", "<%", "</%", "{", "}"] {
            let _ = scan(Lang::Mako, odd);
            let _ = scan(Lang::Django, odd);
        }
    }

    #[test]
    fn word_lines() {
        let t = "a\nfoo_bar foo\n";
        assert_eq!(find_word_line(t, "foo"), Some(2));
        assert_eq!(find_word_line(t, "bar"), None);
    }
}
