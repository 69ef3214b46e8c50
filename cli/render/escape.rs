//! The one sanitising layer between untrusted text and an output format. The repository forkcheck
//! reads is untrusted (it runs on pull requests): file names, commit subjects and authors, ref
//! names, config keys and values, settings values all reach the outputs, and none may change how
//! the output is read. One escaper per format, used by every command:
//!
//! - terminal ([`term`]): control characters (C0 including ESC, CR, BEL, TAB and newline, DEL,
//!   C1) and bidirectional overrides become visible escapes (`\x1b`, `\r`, `\u{202e}`): one line
//!   per field, no escape sequence reaches the terminal;
//! - Markdown ([`md_text`], [`md_code`], [`md_message`]): text is escaped (no raw HTML, no live
//!   links, images, autolinks, `@mentions` or `#123` references, `|` and newlines cannot break a
//!   table row), identifiers and values are code spans that survive backticks;
//! - HTML: tera's autoescaping (`templates.rs`), and [`html_message`] for messages with code
//!   spans; JSON and SARIF: the serializer.
//!
//! Plus [`short_oid`], the one way an object id is shortened for display.

use std::borrow::Cow;
use std::fmt::Write as _;

/// U+200D ZERO WIDTH JOINER: invisible, and breaks GitHub's `@mention`, `#123` and autolink
/// patterns where it is inserted.
const ZWJ: char = '\u{200D}';

/// Characters that must never reach a terminal (or a Markdown source) raw: Unicode `Cc` (C0,
/// DEL, C1), the bidirectional embeddings, overrides, isolates and marks, and the Unicode line
/// and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// The visible escape of an unsafe character: `\n`, `\r`, `\t`, `\x1b` (other ASCII controls),
/// `\u{9b}` (C1 and the rest).
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_ascii() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Terminal: one field on one line, with every control character, DEL, C1 and bidi control shown
/// as a visible escape. Borrowed when there is nothing to escape.
pub fn term(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Terminal, for a value that is multi-line by nature (a Python settings patch): each line
/// escaped as by [`term`], continuation lines indented by `indent` so that no untrusted line
/// starts at the left margin.
pub fn term_block(text: &str, indent: &str) -> String {
    let lines: Vec<Cow<'_, str>> = text
        .trim_end_matches('\n')
        .split('\n')
        .map(|l| term(l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    lines.join(&format!("\n{indent}"))
}

/// Terminal, for messages that are several lines by construction (error chains): every line
/// escaped as by [`term`], the line breaks kept.
pub fn term_lines(text: &str) -> String {
    text.split('\n').map(term).collect::<Vec<_>>().join("\n")
}

/// Markdown text (a table cell, a list item, running text): renders as exactly `text`, never as
/// markup. Control characters become visible escapes (so newlines cannot end a table row or a
/// list item), Markdown punctuation is backslash-escaped, `<`, `>` and `&` become entities (no
/// raw HTML), `|` is escaped (table cells), and an invisible joiner goes after `@` and `#` and
/// into `://` and `www.` so no mention, issue reference or autolink forms.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            c if is_unsafe(c) => push_visible(&mut out, c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => {
                out.push('@');
                out.push(ZWJ);
            }
            ':' if next == Some('/') => {
                out.push(':');
                out.push(ZWJ);
            }
            'w' | 'W' if starts_www(&chars[i..]) => {
                out.push(c);
                out.push(ZWJ);
            }
            c => out.push(c),
        }
        if c == '#' && next.is_some_and(|n| n.is_alphanumeric()) {
            out.push(ZWJ);
        }
    }
    out
}

/// `www.` (any case) at the start of `chars`.
fn starts_www(chars: &[char]) -> bool {
    chars.len() >= 4 && chars[..3].iter().all(|c| c.eq_ignore_ascii_case(&'w')) && chars[3] == '.'
}

/// A Markdown code span holding exactly `text` (shown literally: no markup, link, mention or
/// HTML is live inside it), safe in a table cell. The fence is one backtick longer than the
/// longest run of backticks in the text; control characters become visible escapes; `|` is
/// escaped for tables (GitHub removes the backslash inside the span).
pub fn md_code(text: &str) -> String {
    if text.is_empty() {
        return "` `".to_string();
    }
    let mut body = String::with_capacity(text.len() + 4);
    let mut run = 0usize;
    let mut longest = 0usize;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
        match c {
            c if is_unsafe(c) => push_visible(&mut body, c),
            '|' => body.push_str("\\|"),
            c => body.push(c),
        }
    }
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space between it and the fence; one
    // that starts and ends with a space would lose one on each side without padding.
    let pad = body.starts_with('`')
        || body.ends_with('`')
        || (body.starts_with(' ') && body.ends_with(' ') && body.trim() != "");
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Markdown for a finding message: prose with `` `code` `` spans (the analyzers quote names and
/// values that way). The prose is escaped as by [`md_text`], each span re-emitted by
/// [`md_code`]; an unpaired backtick stays text.
pub fn md_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let parts: Vec<&str> = text.split('`').collect();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let inside = i % 2 == 1;
        let piece = if inside && i == last {
            // An unpaired backtick: keep it, and what follows, as text.
            md_text(&format!("`{part}"))
        } else if inside {
            md_code(part)
        } else {
            md_text(part)
        };
        // Two backticks side by side would merge into one longer fence and change where the
        // spans end: keep them apart.
        if out.ends_with('`') && piece.starts_with('`') {
            out.push(' ');
        }
        out.push_str(&piece);
    }
    out
}

/// HTML for a finding message: the text HTML-escaped, then each `` `x` `` pair turned into
/// `<code>x</code>`; an unpaired backtick stays text. The result is safe HTML (the template
/// marks it `safe`).
pub fn html_message(text: &str) -> String {
    let escaped = tera::escape_html(text);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split('`').peekable();
    let mut inside = false;
    while let Some(part) = parts.next() {
        if inside && parts.peek().is_none() {
            // An unpaired backtick: keep it as text.
            out.push('`');
            out.push_str(part);
            break;
        }
        if inside {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// A generated YAML file (`forkcheck replace`; Python settings patches inside it): every unsafe
/// character other than `\n` and `\t` becomes its `\uXXXX` escape. Repository values only
/// appear there inside JSON-style double-quoted strings (YAML and Python read the escape as the
/// same character) or in comments (where it is visible text), so the file means the same and
/// shows nothing raw on a terminal. The generator keeps line breaks out of comments.
pub fn yaml_file(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) && c != '\n' && c != '\t' {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The first 10 characters of an object id (the whole string when shorter): the library's
/// `repo::short_id`, so that outputs and finding messages name a commit alike.
pub fn short_oid(oid: &str) -> &str {
    forkcheck_analyzers::repo::short_id(oid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_shows_controls_and_bidi_as_escapes() {
        assert_eq!(term("plain/path.py"), "plain/path.py");
        assert!(matches!(term("plain"), Cow::Borrowed(_)));
        assert_eq!(
            term("a\x1b[2Jb\rc\x07d\ne\tf\x7f"),
            "a\\x1b[2Jb\\rc\\x07d\\ne\\tf\\x7f"
        );
        assert_eq!(term("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(term("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(term("x\u{2066}y\u{2069}"), "x\\u{2066}y\\u{2069}");
        // OSC 8 hyperlink: every ESC and BEL shown.
        assert_eq!(
            term("\x1b]8;;http://x\x07click\x1b]8;;\x07"),
            "\\x1b]8;;http://x\\x07click\\x1b]8;;\\x07"
        );
        // Non-ASCII text that is not a control passes through.
        assert_eq!(term("café → ✓"), "café → ✓");
    }

    #[test]
    fn terminal_blocks_keep_lines_indented() {
        assert_eq!(term_block("a\nb\x1b\n", "    "), "a\n    b\\x1b");
        assert_eq!(term_lines("one\ntwo\r"), "one\ntwo\\r");
    }

    #[test]
    fn markdown_text_is_inert() {
        assert_eq!(md_text("a|b\n<c>&"), "a\\|b\\n&lt;c&gt;&amp;");
        assert_eq!(
            md_text("[phish](http://x)"),
            "\\[phish\\](http:\u{200D}//x)"
        );
        assert_eq!(
            md_text("![i](http://x/a.png)"),
            "!\\[i\\](http:\u{200D}//x/a.png)"
        );
        assert_eq!(md_text("ping @octocat"), "ping @\u{200D}octocat");
        assert_eq!(md_text("fixes #123"), "fixes \\#\u{200D}123");
        assert_eq!(md_text("see www.x.io"), "see w\u{200D}ww.x.io");
        assert_eq!(
            md_text("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(
            md_text("a `b` *c* _d_ ~e~ \\"),
            "a \\`b\\` \\*c\\* \\_d\\_ \\~e\\~ \\\\"
        );
        assert_eq!(md_text("\x1b[2J\r"), "\\x1b\\[2J\\r");
        assert_eq!(
            md_text("settings: brand the platform"),
            "settings: brand the platform"
        );
    }

    #[test]
    fn markdown_code_spans_survive_backticks_and_pipes() {
        assert_eq!(md_code("lms/envs/common.py"), "`lms/envs/common.py`");
        assert_eq!(md_code("x`y"), "``x`y``");
        assert_eq!(md_code("a``b`"), "``` a``b` ```");
        assert_eq!(md_code("`"), "`` ` ``");
        assert_eq!(md_code("a|b\nc"), "`a\\|b\\nc`");
        assert_eq!(md_code(" x "), "`  x  `");
        assert_eq!(md_code(""), "` `");
        assert_eq!(md_code("\x1b]8;;x\x07"), "`\\x1b]8;;x\\x07`");
    }

    #[test]
    fn markdown_messages_keep_their_code_spans() {
        assert_eq!(
            md_message("`PLATFORM_NAME` changed in <code>"),
            "`PLATFORM_NAME` changed in &lt;code&gt;"
        );
        assert_eq!(md_message("key `a|b` [x](y)"), "key `a\\|b` \\[x\\](y)");
        assert_eq!(md_message("odd ` tick @me"), "odd \\` tick @\u{200D}me");
        assert_eq!(md_message("no code"), "no code");
        // Backticks in a quoted name: the spans never merge, `<b>` never leaves them.
        let m = md_message("`a `x` ``y`` <b>` tail");
        assert_eq!(m, "`a `x` ` `y` ` <b>` tail");
        assert!(!m.contains("``"), "{m}");
    }

    #[test]
    fn html_messages_escape_then_mark_code() {
        assert_eq!(
            html_message("secret `A<b>` in `x`"),
            "secret <code>A&lt;b&gt;</code> in <code>x</code>"
        );
        assert_eq!(html_message("odd ` tick"), "odd ` tick");
        assert_eq!(html_message("<script>"), "&lt;script&gt;");
    }

    #[test]
    fn yaml_files_escape_inside_their_strings() {
        assert_eq!(yaml_file("a: \"x\"\n"), "a: \"x\"\n");
        assert_eq!(
            yaml_file("a: \"\u{202e}\u{9b}\u{7f}\r\"\t# c\n"),
            "a: \"\\u202e\\u009b\\u007f\\u000d\"\t# c\n"
        );
    }

    #[test]
    fn short_oids() {
        assert_eq!(short_oid("0123456789abcdef"), "0123456789");
        assert_eq!(short_oid("c1"), "c1");
    }
}
