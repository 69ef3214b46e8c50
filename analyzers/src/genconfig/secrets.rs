//! What counts as a secret, decided in one place. Findings about secrets name the key, never the
//! value: callers use [`is_credential_key`] before storing any value, and [`scrub`] on every
//! piece of source text they keep.
//!
//! Credential-like key rule (documented in `rules/config.toml`, FC210): take the last segment of
//! the key path (`DATABASES.default.PASSWORD` → `PASSWORD`), upper-case it and split it on `_`,
//! `-`, `.`. It is a credential when
//! - its last word is `PASSWORD`, `PASSWD`, `PASSPHRASE`, `SECRET`, `SECRETS`, `TOKEN`,
//!   `CREDENTIAL`, `CREDENTIALS`, or `KEY`/`KEYS` not preceded by a word naming a lookup key
//!   (`ROUTING_KEY`, `CACHE_KEY`, `SORT_KEY`, `PARTITION_KEY`, `LOOKUP_KEY`, `PRIMARY_KEY`,
//!   `FOREIGN_KEY`, `COURSE_KEY`, `USAGE_KEY`, `PARSE_KEYS`, …); or
//! - it contains the pairs `PRIVATE_KEY`, `SECRET_KEY`, `ACCESS_KEY`, `API_KEY`, `SIGNING_KEY`,
//!   `AUTH_TOKEN`, `ACCESS_TOKEN` anywhere (`SOCIAL_AUTH_SAML_SP_PRIVATE_KEY_DICT`).
//!
//! So `KEY_PREFIX`, `PASSWORD_RESET_SUPPORT_LINK`, `AUTH_PASSWORD_VALIDATORS`,
//! `HELP_TOKENS_BOOKS`, `ACE_ROUTING_KEY` are not credentials; `SECRET_KEY`, `EMAIL_HOST_PASSWORD`,
//! `FERNET_KEYS`, `SEGMENT_KEY`, `AWS_ACCESS_KEY_ID` are.

const LAST_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Words before a final `KEY`/`KEYS` that make it a lookup key, not a credential.
const NON_SECRET_KEY_PREFIXES: &[&str] = &[
    "ROUTING",
    "CACHE",
    "SORT",
    "PARTITION",
    "LOOKUP",
    "PRIMARY",
    "FOREIGN",
    "COURSE",
    "USAGE",
    "PARSE",
    "DEDUP",
    "GROUP",
    "ORDER",
    "INDEX",
    "SEARCH",
    "HASH",
    "QUERY",
    "DICT",
    "MAP",
    "ID",
];

const PAIRS: &[&str] = &[
    "PRIVATE_KEY",
    "SECRET_KEY",
    "ACCESS_KEY",
    "API_KEY",
    "SIGNING_KEY",
    "AUTH_TOKEN",
    "ACCESS_TOKEN",
];

/// Is the (possibly dotted, possibly subscripted) key credential-like?
pub fn is_credential_key(key: &str) -> bool {
    // Last path segment: after the last `.`, with subscripts like `[0]` or `["X"]` considered.
    let segment = last_segment(key).to_ascii_uppercase();
    let words: Vec<&str> = segment
        .split(['_', '-', '.', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let normalized = words.join("_");
    if PAIRS.iter().any(|p| {
        normalized == *p
            || normalized.starts_with(&format!("{p}_"))
            || normalized.ends_with(&format!("_{p}"))
            || normalized.contains(&format!("_{p}_"))
    }) {
        return true;
    }
    let Some(last) = words.last() else {
        return false;
    };
    if LAST_WORDS.contains(last) {
        return true;
    }
    if *last == "KEY" || *last == "KEYS" {
        return match words.len() {
            1 => true,
            n => !NON_SECRET_KEY_PREFIXES.contains(&words[n - 2]),
        };
    }
    false
}

/// The last segment of a key path: `A.B["C"]` → `C`, `A.B[0]` → `B`, `A.B` → `B`.
fn last_segment(key: &str) -> &str {
    let mut rest = key.trim_end();
    // Strip trailing numeric subscripts; a string subscript is itself the segment.
    while let Some(open) = rest.rfind('[') {
        let inner = rest[open + 1..].trim_end_matches(']');
        let inner_trim = inner.trim_matches(|c| c == '"' || c == '\'');
        if inner.starts_with('"') || inner.starts_with('\'') {
            return inner_trim;
        }
        rest = &rest[..open];
    }
    rest.rsplit('.').next().unwrap_or(rest)
}

/// A PEM private-key block found in text: the line (1-based) of its BEGIN marker and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    pub line: u32,
    pub label: String,
}

/// Every `-----BEGIN … PRIVATE KEY-----` marker in `text` (also inside JSON strings with `\n`).
pub fn pem_private_keys(text: &str) -> Vec<PemBlock> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(pos) = rest.find("-----BEGIN ") {
            let after = &rest[pos + "-----BEGIN ".len()..];
            let Some(end) = after.find("-----") else {
                break;
            };
            let label = &after[..end];
            if label.ends_with("PRIVATE KEY") && label.len() < 64 {
                out.push(PemBlock {
                    line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    label: label.to_string(),
                });
            }
            rest = &after[end..];
        }
    }
    out
}

/// The placeholder that replaces a secret wherever text is kept.
pub const REDACTED: &str = "<redacted>";

/// Remove PEM private-key blocks (whole block, BEGIN to END) from `text`.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("-----BEGIN ") {
        let after = &rest[pos..];
        let is_private = after
            .get(11..)
            .and_then(|a| a.find("-----").map(|e| a[..e].ends_with("PRIVATE KEY")))
            .unwrap_or(false);
        if !is_private {
            out.push_str(&rest[..pos + 11]);
            rest = &rest[pos + 11..];
            continue;
        }
        out.push_str(&rest[..pos]);
        out.push_str("<redacted private key>");
        // Skip to the END marker's closing dashes, or to the end of the text.
        match after.find("-----END ") {
            Some(end) => {
                let tail = &after[end + 9..];
                let close = tail.find("-----").map(|c| c + 5).unwrap_or(tail.len());
                rest = &tail[close..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// Source code made safe to show: PEM blocks removed ([`scrub`]) and, when any identifier or
/// quoted key in it looks like a credential (`password = "…"`, `{"PASSWORD": "…"}`), the content
/// of every string literal replaced by [`REDACTED`].
pub fn redact_code(text: &str) -> String {
    let text = scrub(text);
    let credential = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| !w.is_empty() && w.len() < 80 && is_credential_key(w));
    if !credential {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            out.push(c);
            continue;
        }
        // Copy the literal's quotes; replace its content.
        let quote = c;
        let mut content = String::new();
        let mut closed = false;
        while let Some(d) = chars.next() {
            if d == '\\' {
                content.push(d);
                if let Some(e) = chars.next() {
                    content.push(e);
                }
                continue;
            }
            if d == quote {
                closed = true;
                break;
            }
            content.push(d);
        }
        out.push(quote);
        // Keys stay readable (`"PASSWORD":`), values are replaced.
        let is_key = chars.peek() == Some(&':');
        if is_key && !content.is_empty() {
            out.push_str(&content);
        } else if !content.is_empty() {
            out.push_str(REDACTED);
        }
        if closed {
            out.push(quote);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_keys() {
        for k in [
            "SECRET_KEY",
            "EMAIL_HOST_PASSWORD",
            "DATABASES.default.PASSWORD",
            "CONTENTSTORE.OPTIONS.password",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "JWT_AUTH.JWT_SECRET_KEY",
            "FERNET_KEYS",
            "SEGMENT_KEY",
            "ZENDESK_OAUTH_ACCESS_TOKEN",
            "FACEBOOK_APP_SECRET",
            "SOCIAL_AUTH_SAML_SP_PRIVATE_KEY_DICT",
            "SOCIAL_AUTH_OAUTH_SECRETS",
            "CREDIT_PROVIDER_SECRET_KEYS",
            "JWT_PRIVATE_SIGNING_KEY",
            "FERNET_KEYS[0]",
            "XQUEUE_INTERFACE[\"django_auth\"][\"password\"]",
            "ANALYTICS_API_KEY",
            "key",
        ] {
            assert!(is_credential_key(k), "{k} should be a credential");
        }
        for k in [
            "KEY_PREFIX",
            "CACHES.default.KEY_PREFIX",
            "PASSWORD_RESET_SUPPORT_LINK",
            "AUTH_PASSWORD_VALIDATORS",
            "PASSWORD_POLICY_COMPLIANCE_ROLLOUT_CONFIG",
            "HELP_TOKENS_BOOKS",
            "ACE_ROUTING_KEY",
            "BULK_EMAIL_ROUTING_KEY_SMALL_JOBS",
            "PARSE_KEYS",
            "PLATFORM_NAME",
            "FEATURES.ENABLE_SPECIAL_EXAMS",
            "CELERY_BROKER_USER",
            "KEY_FUNCTION",
        ] {
            assert!(!is_credential_key(k), "{k} should not be a credential");
        }
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
    }

    #[test]
    fn pem_blocks_found_and_scrubbed() {
        let text =
            "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIFAKE\n-----END RSA PRIVATE KEY-----\nb\n\
                    -----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
        let found = pem_private_keys(text);
        assert_eq!(
            found,
            vec![PemBlock {
                line: 2,
                label: "RSA PRIVATE KEY".into()
            }]
        );
        let s = scrub(text);
        assert!(!s.contains("MIIFAKE"), "{s}");
        assert!(s.contains("MIIC"), "certificates are public: {s}");
        let json = r#"{"K": "-----BEGIN PRIVATE KEY-----\nMIIFAKE\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(pem_private_keys(json).len(), 1);
        assert!(!scrub(json).contains("MIIFAKE"));
        assert!(!scrub("-----BEGIN EC PRIVATE KEY-----\nMIIFAKE").contains("MIIFAKE"));
    }
}
