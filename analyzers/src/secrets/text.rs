//! Secrets in free text: `KEY = value` / `KEY: value` shapes with a credential-like key, URLs
//! with a password (`scheme://user:pw@host`), PEM private keys, and (for redaction only) prose
//! such as `# the db password is hunter2`.
//!
//! Findings need a key-value shape (the English word "password" alone is not a secret);
//! redaction is more eager: whatever looks like a credential is replaced by [`REDACTED`].

use std::borrow::Cow;
use std::ops::Range;

use super::keys::is_credential_segment;
use super::pem;

/// The placeholder that replaces a secret wherever text is kept.
pub const REDACTED: &str = "<redacted>";

/// One `key = value` with a credential-like key, found in a line of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub key: String,
    /// Byte range of the value in the scanned text (quotes excluded).
    pub value: Range<usize>,
}

fn is_key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Is a bare (unquoted) value a reference or an expression rather than a literal?
fn is_reference(v: &str, next: Option<u8>) -> bool {
    if matches!(next, Some(b'(' | b'[')) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "none" | "null" | "true" | "false" | "~" | "yes" | "no" | "required" | "optional"
    ) {
        return true;
    }
    // An upper-case identifier is another setting (`PASSWORD = DB_PASSWORD`).
    let ident = v
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    if ident && v.bytes().any(|b| b.is_ascii_uppercase()) {
        return true;
    }
    // `os.environ`, `settings.X`, `self.x`: dotted Python names.
    v.contains('.')
        && v.split('.').all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && p.bytes().next().is_some_and(|b| !b.is_ascii_digit())
        })
}

/// Is `v` a placeholder, a template reference or otherwise not a value worth hiding?
pub fn is_placeholder(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.starts_with('<')
        || t.starts_with("{{")
        || t.starts_with("{%")
        || t.starts_with("${")
        || t.starts_with("$(")
        || t.starts_with("%(")
        || (t.starts_with('$')
            && t[1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        || t.bytes()
            .all(|b| b == b'*' || b == b'x' || b == b'X' || b == b'.')
}

/// Every `key = value` / `key: value` / `key => value` in `text` whose key names a credential.
/// Keys may be quoted or subscripted (`"PASSWORD": "…"`, `X["SECRET_KEY"] = "…"`, `export
/// DB_PASS=…`, `//registry/:_authToken=…`); values quoted or bare. Bare references
/// (`PASSWORD = DB_PASSWORD`, `os.environ.get(…)`) and placeholders are not values.
pub fn assignments(text: &str) -> Vec<Assignment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_key_char(bytes[i]) || (i > 0 && is_key_char(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_key_char(bytes[i]) {
            i += 1;
        }
        let key = &text[start..i];
        // Closing quote / bracket of a quoted or subscripted key, then spaces.
        let mut j = i;
        while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b']') && j < i + 3 {
            j += 1;
        }
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        let Some(&op) = bytes.get(j) else { break };
        let op_len = match (op, bytes.get(j + 1)) {
            (b'=', Some(b'=')) => 0,
            (b'=', Some(b'>')) => 2,
            (b'=', _) => 1,
            (b':', Some(b'/' | b'=' | b':')) => 0,
            (b':', _) => 1,
            _ => 0,
        };
        if op_len == 0 || !is_credential_segment(key) {
            continue;
        }
        let mut k = j + op_len;
        while k < bytes.len() && (bytes[k] == b' ' || bytes[k] == b'\t') {
            k += 1;
        }
        let Some(&first) = bytes.get(k) else { break };
        let range = if first == b'"' || first == b'\'' {
            let vs = k + 1;
            let mut ve = vs;
            while ve < bytes.len() && bytes[ve] != first && bytes[ve] != b'\n' {
                if bytes[ve] == b'\\' {
                    ve += 1;
                }
                ve += 1;
            }
            let ve = ve.min(bytes.len());
            i = ve;
            vs..ve
        } else {
            let vs = k;
            let mut ve = vs;
            while ve < bytes.len()
                && !bytes[ve].is_ascii_whitespace()
                && !matches!(
                    bytes[ve],
                    b',' | b';' | b'}' | b')' | b']' | b'"' | b'\'' | b'(' | b'[' | b'{'
                )
            {
                ve += 1;
            }
            i = ve;
            let v = &text[vs..ve];
            if v.is_empty() || is_reference(v, bytes.get(ve).copied()) {
                continue;
            }
            vs..ve
        };
        let Some(value) = text.get(range.clone()) else {
            continue;
        };
        if is_placeholder(value) {
            continue;
        }
        out.push(Assignment {
            key: key.to_string(),
            value: range,
        });
    }
    out
}

/// Byte ranges of the passwords in URLs with credentials (`scheme://user:pw@host`).
pub fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = text[from..].find("://") {
        let auth_start = from + p + 3;
        from = auth_start;
        let mut end = auth_start;
        while end < bytes.len()
            && !bytes[end].is_ascii_whitespace()
            && !matches!(bytes[end], b'/' | b'?' | b'#' | b'"' | b'\'' | b'@')
        {
            end += 1;
        }
        if bytes.get(end) != Some(&b'@') {
            continue;
        }
        // The password runs from the first `:` of the userinfo to the `@`.
        if let Some(colon) = text[auth_start..end].find(':') {
            let pw = auth_start + colon + 1..end;
            if !pw.is_empty() && !is_placeholder(&text[pw.clone()]) {
                out.push(pw);
            }
        }
        from = end;
    }
    out
}

const PROSE_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "api key",
    "apikey",
    "pwd",
];

/// Values following a credential word in prose (`the db password is hunter2`, `token: abc`,
/// `secret -> x`). Only for redaction in place: never a finding, never added to the report's
/// secret set (a sentence like "the password is required" is no secret).
fn prose_values(text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for word in PROSE_WORDS {
        let mut from = 0;
        while let Some(p) = lower[from..].find(word) {
            let mut k = from + p + word.len();
            from = k;
            // Skip the rest of the word (`passwords`), then a linking word or sign.
            while k < lower.len() && lower.as_bytes()[k].is_ascii_alphanumeric() {
                k += 1;
            }
            let rest = &lower[k..];
            let trimmed = rest.trim_start();
            let skip = rest.len() - trimmed.len();
            let link = ["is ", "was ", "are ", "= ", ": ", "-> ", "=", ":", "to "]
                .iter()
                .find(|l| trimmed.starts_with(**l));
            let Some(link) = link else { continue };
            let mut vs = k + skip + link.len();
            while vs < lower.len() && lower.as_bytes()[vs] == b' ' {
                vs += 1;
            }
            let mut ve = vs;
            while ve < text.len() && !text.as_bytes()[ve].is_ascii_whitespace() {
                ve += 1;
            }
            // Trailing punctuation of the sentence is not part of the value.
            while ve > vs && matches!(text.as_bytes()[ve - 1], b'.' | b',' | b';' | b')') {
                ve -= 1;
            }
            if ve > vs && text.is_char_boundary(vs) && text.is_char_boundary(ve) {
                out.push(vs..ve);
            }
        }
    }
    out
}

fn replace_ranges(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for r in ranges {
        if r.start < pos || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(REDACTED);
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// `text` with every credential it shows replaced by [`REDACTED`]: PEM private keys, URL
/// passwords, values of credential-like `key = value` shapes. With `prose`, also values that
/// follow a credential word in a sentence (comments, commit messages).
pub fn redact_text(text: &str, prose: bool) -> Cow<'_, str> {
    // Every shape below needs a `=` or a `:` (an assignment's operator, a URL's `://`) or a
    // PEM header; most strings of a report (paths, names, counts) have none.
    if !prose && !text.bytes().any(|b| b == b'=' || b == b':') && !text.contains("PRIVATE KEY-----")
    {
        return Cow::Borrowed(text);
    }
    let scrubbed: Cow<str> = if text.contains("PRIVATE KEY-----") {
        Cow::Owned(pem::scrub(text))
    } else {
        Cow::Borrowed(text)
    };
    let mut ranges: Vec<Range<usize>> = url_passwords(&scrubbed);
    ranges.extend(assignments(&scrubbed).into_iter().map(|a| a.value));
    if prose {
        ranges.extend(prose_values(&scrubbed));
    }
    ranges.retain(|r| scrubbed.get(r.clone()) != Some(REDACTED));
    if ranges.is_empty() {
        return scrubbed;
    }
    Cow::Owned(replace_ranges(&scrubbed, ranges))
}

/// Source code made safe to show: [`redact_text`] (credential `key = value` shapes, URL
/// passwords, PEM blocks) and, in `#` comments, values that follow a credential word in prose.
/// A statement that assigns a credential setting is not shown at all by its callers.
pub fn redact_code(text: &str) -> String {
    let text = redact_text(text, false);
    redact_comments(&text)
}

/// Python/shell/YAML comments (`# …`) with a credential word: the prose values redacted.
fn redact_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        match comment_start(line) {
            Some(p) => {
                out.push_str(&line[..p]);
                out.push_str(&redact_text(&line[p..], true));
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Byte offset of a `#` comment outside string literals, if any.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (_, _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<&str> {
        assignments(text)
            .into_iter()
            .map(|a| &text[a.value])
            .collect()
    }

    #[test]
    fn key_value_shapes() {
        assert_eq!(values("password = hunter2"), vec!["hunter2"]);
        assert_eq!(values("export DB_PASS=\"s3cr3t!\""), vec!["s3cr3t!"]);
        assert_eq!(
            values("//registry.npmjs.org/:_authToken=npm_abcdef"),
            vec!["npm_abcdef"]
        );
        assert_eq!(
            values("{\"PASSWORD\": \"pw1\", \"HOST\": \"db\"}"),
            vec!["pw1"]
        );
        assert_eq!(
            values("JWT_AUTH[\"JWT_SECRET_KEY\"] = 'jwt-s'"),
            vec!["jwt-s"]
        );
        assert_eq!(values("SECRET_KEY=abc123 in the subject"), vec!["abc123"]);
        assert_eq!(values("  MYSQL_ROOT_PASSWORD: 1234"), vec!["1234"]);
        assert!(values("PASSWORD = DB_PASSWORD").is_empty());
        assert!(values("SECRET_KEY = os.environ.get('X')").is_empty());
        assert!(values("PASSWORD: \"{{ MYSQL_PASSWORD }}\"").is_empty());
        assert!(values("password == other").is_empty());
        assert!(values("the password is required").is_empty());
        assert!(values("PLATFORM_NAME = 'x'").is_empty());
    }

    #[test]
    fn url_passwords_are_found() {
        let t = "BROKER_URL = 'redis://:p4ss@redis:6379/0' and mongodb://u:pw%40x@h/db";
        let found: Vec<&str> = url_passwords(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(found, vec!["p4ss", "pw%40x"]);
        assert!(url_passwords("https://user@host/x").is_empty());
        assert!(url_passwords("https://host:8080/x").is_empty());
    }

    #[test]
    fn redaction_keeps_the_shape() {
        assert_eq!(
            redact_text("CELERY_BROKER_URL: amqp://celery:c3l3ry@mq:5672//", false),
            "CELERY_BROKER_URL: amqp://celery:<redacted>@mq:5672//"
        );
        assert_eq!(
            redact_text("# the db password is hunter2.", true),
            "# the db password is <redacted>."
        );
        assert_eq!(
            redact_text("# the db password is hunter2", false),
            "# the db password is hunter2",
            "prose only where asked"
        );
    }

    #[test]
    fn code_with_credentials_is_redacted() {
        assert_eq!(
            redact_code("db_password = \"hunter2\""),
            "db_password = \"<redacted>\""
        );
        assert_eq!(
            redact_code("X = {\"PASSWORD\": 'hunter2', **Y}"),
            "X = {\"PASSWORD\": '<redacted>', **Y}"
        );
        assert_eq!(redact_code("PLATFORM_NAME = 'x'"), "PLATFORM_NAME = 'x'");
        assert_eq!(redact_code("pw_secret = 'ABC'"), "pw_secret = '<redacted>'");
        assert_eq!(
            redact_code("JWT_AUTH[\"JWT_SECRET_KEY\"] = 'abc1'"),
            "JWT_AUTH[\"JWT_SECRET_KEY\"] = '<redacted>'"
        );
        assert_eq!(
            redact_code("INSTALLED_APPS = ['openedx.core.djangoapps.credentials', 'x']"),
            "INSTALLED_APPS = ['openedx.core.djangoapps.credentials', 'x']",
            "an app named credentials is no credential"
        );
        assert_eq!(
            redact_code("DEBUG = True  # admin password: letmein"),
            "DEBUG = True  # admin password: <redacted>"
        );
    }
}
