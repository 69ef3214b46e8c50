//! Which keys name a credential. One rule for every file format (documented in
//! `rules/config.toml`, FC210, and `docs/secrets.md`):
//!
//! A key *segment* (`PASSWORD` in `DATABASES.default.PASSWORD`, `clientSecret`, `_authToken`) is
//! split into words (on `_`, `-`, `.`, spaces and camelCase humps) and upper-cased. It names a
//! credential when
//! - its last word is `PASSWORD`, `PASSWD`, `PASS`, `PWD`, `PASSPHRASE`, `SECRET`, `SECRETS`,
//!   `TOKEN`, `CREDENTIAL`, `CREDENTIALS`, `APIKEY`; or `KEY`/`KEYS` not preceded by a word naming
//!   a lookup key (`ROUTING_KEY`, `CACHE_KEY`, `SORT_KEY`, `COURSE_KEY`, `PARSE_KEYS`, …); or
//!   `AUTH` preceded by `HTTP` or `BASIC` (`http_auth: "user:pw"`); or `JWK` with `PRIVATE`
//!   among the words (`JWT_PRIVATE_SIGNING_JWK`);
//! - or it contains the pairs `PRIVATE_KEY`, `SECRET_KEY`, `ACCESS_KEY`, `API_KEY`,
//!   `SIGNING_KEY`, `AUTH_TOKEN`, `ACCESS_TOKEN` anywhere (`SOCIAL_AUTH_SAML_SP_PRIVATE_KEY_DICT`).
//!
//! A key *path* is secret when any of its segments names a credential (everything below
//! `SOCIAL_AUTH_OAUTH_SECRETS` is secret, whatever the backend is called), or when its last
//! segment is a private member of a JSON Web Key (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`) below a
//! segment that mentions a key (`JWK`, `KEY`).
//!
//! So `KEY_PREFIX`, `PASSWORD_RESET_SUPPORT_LINK`, `AUTH_PASSWORD_VALIDATORS`, `JWT_AUTH`,
//! `HELP_TOKENS_BOOKS`, `ACE_ROUTING_KEY` are not credentials; `SECRET_KEY`,
//! `EMAIL_HOST_PASSWORD`, `FERNET_KEYS`, `SEGMENT_KEY`, `AWS_ACCESS_KEY_ID` are.

const LAST_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "APIKEY",
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
    "PUBLIC",
    "HOST",
    "NATURAL",
    "UNIQUE",
    "SESSION",
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

/// Words that may follow a credential pair and keep it a credential.
const PAIR_SUFFIXES: &[&str] = &[
    "ID",
    "IDS",
    "DICT",
    "DATA",
    "FALLBACKS",
    "LIST",
    "VALUE",
    "VALUES",
    "SET",
    "PASSWORD",
    "PASSPHRASE",
    "B64",
    "BASE64",
    "PEM",
    "JWK",
];

/// Private members of a JSON Web Key (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
pub const JWK_PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "k"];

/// The upper-case words of one key segment: `clientSecret` → `CLIENT`, `SECRET`;
/// `_authToken` → `AUTH`, `TOKEN`; `aws-secret.key` → `AWS`, `SECRET`, `KEY`.
fn words(segment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in segment.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_uppercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Does one key segment (not a dotted path) name a credential?
pub fn is_credential_segment(segment: &str) -> bool {
    if segment.len() > 120 {
        return false;
    }
    let words = words(segment);
    // A pair anywhere, followed only by words that keep it a credential
    // (`SOCIAL_AUTH_SAML_SP_PRIVATE_KEY_DICT`, `AWS_ACCESS_KEY_ID`), not by one that makes it a
    // name or a place (`ACCESS_TOKEN_COOKIE_NAME`, `REFRESH_ACCESS_TOKEN_ENDPOINT`).
    for w in 0..words.len().saturating_sub(1) {
        let pair = format!("{}_{}", words[w], words[w + 1]);
        if PAIRS.contains(&pair.as_str())
            && words[w + 2..]
                .iter()
                .all(|x| PAIR_SUFFIXES.contains(&x.as_str()))
        {
            return true;
        }
    }
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    if LAST_WORDS.contains(&last) {
        return true;
    }
    let before = words.len().checked_sub(2).map(|i| words[i].as_str());
    match last {
        "KEY" | "KEYS" => match before {
            None => true,
            Some(b) => !NON_SECRET_KEY_PREFIXES.contains(&b),
        },
        "AUTH" => matches!(before, Some("HTTP" | "BASIC")),
        "JWK" => words.iter().any(|w| w == "PRIVATE"),
        _ => false,
    }
}

/// Is the (possibly dotted, possibly subscripted) key credential-like? Decided on its last
/// segment: `DATABASES.default.PASSWORD` → `PASSWORD`; `FERNET_KEYS[0]` → `FERNET_KEYS`. (The
/// analyses decide on key paths, [`is_secret_path`]; the classification tests use this form.)
#[cfg(test)]
pub fn is_credential_key(key: &str) -> bool {
    is_credential_segment(last_segment(key))
}

/// Is a value at this key path secret? Any credential segment on the way down, or a private
/// JWK member below a key-like segment. `segments` are the path's parts (`["DATABASES",
/// "default", "PASSWORD"]`); list indexes may be included or not.
pub fn is_secret_path<S: AsRef<str>>(segments: &[S]) -> bool {
    if segments.iter().any(|s| is_credential_segment(s.as_ref())) {
        return true;
    }
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    JWK_PRIVATE_MEMBERS.contains(&last.as_ref())
        && parents.iter().any(|p| {
            let w = words(p.as_ref());
            w.iter().any(|x| x == "JWK" || x == "KEY" || x == "KEYS")
        })
}

/// Is the dotted/subscripted key path secret (see [`is_secret_path`])?
pub fn is_secret_key_path(key: &str) -> bool {
    is_secret_path(&split_path(key))
}

/// The segments of a dotted/subscripted key: `A.b[0]["c.d"]` → `A`, `b`, `c.d` (numeric
/// subscripts dropped).
pub fn split_path(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                let mut inner = String::new();
                for c2 in chars.by_ref() {
                    if c2 == ']' {
                        break;
                    }
                    inner.push(c2);
                }
                let t = inner.trim();
                // `["a.b"]` is a JSON string (escapes included); `['a']` a Python one.
                if t.starts_with('"') {
                    if let Ok(s) = serde_json::from_str::<String>(t) {
                        out.push(s);
                    }
                } else if let Some(s) = t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
                    out.push(s.to_string());
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The last segment of a key path: `A.B["C"]` → `C`, `A.B[0]` → `B`, `A.B` → `B`.
#[cfg(test)]
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
            "JWT_AUTH[\"JWT_PRIVATE_SIGNING_JWK\"]",
            "FERNET_KEYS[0]",
            "XQUEUE_INTERFACE[\"django_auth\"][\"password\"]",
            "ANALYTICS_API_KEY",
            "key",
            "clientSecret",
            "_authToken",
            "http_auth",
            "DB_MIGRATION_PASS",
            "OAUTH2_PROVIDER_APPLICATION.client_secret",
            "services.minio.environment.MINIO_ROOT_PASSWORD",
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
            "JWT_AUTH",
            "JWT_PUBLIC_SIGNING_JWK_SET",
            "MFE_CONFIG.ACCESS_TOKEN_COOKIE_NAME",
            "REFRESH_ACCESS_TOKEN_ENDPOINT",
            "JWT_PRIVATE_SIGNING_KEY_FILE_PATH",
            "ENABLE_PASSWORD_RESET",
            "passwordless",
        ] {
            assert!(!is_credential_key(k), "{k} should not be a credential");
        }
    }

    #[test]
    fn secret_paths_at_any_depth() {
        assert!(is_secret_key_path(
            "SOCIAL_AUTH_OAUTH_SECRETS.google-oauth2"
        ));
        assert!(is_secret_key_path("JWT_AUTH.JWT_PRIVATE_SIGNING_JWK"));
        assert!(is_secret_key_path("SIGNING_JWK.keys[0].d"));
        assert!(is_secret_key_path("DATABASES.default.PASSWORD"));
        assert!(!is_secret_key_path("DATABASES.default.HOST"));
        assert!(!is_secret_key_path("JWT_AUTH.JWT_ISSUER"));
        assert!(!is_secret_key_path(
            "services.minio.environment.MINIO_ROOT_USER"
        ));
        assert!(
            !is_secret_key_path("COURSES.d"),
            "d is a JWK member only below a key"
        );
        assert_eq!(
            split_path("A.b[0][\"c.d\"]['e']"),
            vec!["A", "b", "c.d", "e"]
        );
    }
}
