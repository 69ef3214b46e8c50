//! The secret values of one run, and the one place that removes them from everything that
//! leaves the program.
//!
//! Analyzers add every value they see under a secret key path ([`Collector::add_tree`]), every
//! credential `key = value` in text ([`Collector::add_text`]) and every URL password. At the
//! end of the run the report passes through a [`Redactor`] built from them: any occurrence of
//! any secret value, anywhere in the report (a MySQL password reused for MongoDB under a key
//! that does not look secret, a commit subject), becomes [`REDACTED`]. The binary runs the same
//! redactor over every byte it writes, as a last net.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Mutex;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;

use super::keys::{is_credential_segment, is_secret_path, JWK_PRIVATE_MEMBERS};
use super::pem;
use super::text::{assignments, is_placeholder, redact_text, url_passwords, REDACTED};

/// Shortest value treated as a secret everywhere it appears. Shorter values are still hidden
/// where they are found (by key), but replacing every 3-character run of a report would make it
/// unreadable while protecting nothing.
pub const MIN_SECRET_LEN: usize = 4;

/// Secret values found in a run. Deliberately not `Serialize` and not `Display`: its `Debug`
/// prints only how many there are.
#[derive(Clone, Default)]
pub struct SecretValues {
    values: BTreeSet<String>,
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValues({} values)", self.values.len())
    }
}

impl SecretValues {
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// Add one value (trimmed; placeholders and values shorter than [`MIN_SECRET_LEN`]
    /// characters are ignored).
    pub fn insert(&mut self, value: &str) {
        let v = value.trim();
        if v.chars().count() < MIN_SECRET_LEN || is_placeholder(v) || v == REDACTED {
            return;
        }
        // A value that is itself a credential word (`password`, `secret_key`) is a dummy; hunting
        // it everywhere would blank out key names such as `MONGODB_SETTINGS.password`.
        if v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && is_credential_segment(v)
        {
            return;
        }
        self.values.insert(v.to_string());
        // Quoted forms of a value (`"pw"` inside a longer string) are covered by the value
        // itself; escaped forms are covered by the renderers' escapers (see `Redactor`).
    }
    pub fn extend(&mut self, other: SecretValues) {
        self.values.extend(other.values);
    }
    /// Add every secret leaf of `value` found at `path` (see [`is_secret_path`]); with
    /// `all_secret`, every scalar leaf (a credential file). String leaves also give their URL
    /// passwords, PEM bodies and, for a private JWK written as a JSON string, the whole string.
    pub fn add_tree(&mut self, path: &mut Vec<String>, value: &Value, all_secret: bool) {
        match value {
            Value::Object(map) => {
                // A JSON Web Key: only its private members are secret (`kid`, `n`, `e` are
                // public and often ordinary words such as the issuer's name).
                let jwk = map.contains_key("kty");
                for (k, v) in map {
                    if jwk && !JWK_PRIVATE_MEMBERS.contains(&k.as_str()) {
                        // Public, whatever key path the JWK sits under.
                        self.add_tree(&mut Vec::new(), v, false);
                        continue;
                    }
                    path.push(k.clone());
                    self.add_tree(path, v, all_secret || jwk);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for v in items {
                    self.add_tree(path, v, all_secret);
                }
            }
            Value::Null | Value::Bool(_) => {}
            Value::Number(n) => {
                if all_secret || is_secret_path(path) {
                    self.insert(&n.to_string());
                }
            }
            Value::String(s) => {
                let secret = all_secret || is_secret_path(path);
                if secret || is_private_jwk(s) {
                    self.insert(s);
                    for body in pem::bodies(s) {
                        self.insert(&body);
                    }
                    // A JWK written as a JSON string: each of its members too.
                    if s.trim_start().starts_with('{') {
                        if let Ok(inner @ Value::Object(_)) = serde_json::from_str::<Value>(s) {
                            self.add_tree(path, &inner, true);
                        }
                    }
                }
                self.add_text(s);
            }
        }
    }
    /// Add the credentials written in free text: `KEY = value` shapes with a credential-like
    /// key, URL passwords, PEM bodies.
    pub fn add_text(&mut self, text: &str) {
        for r in url_passwords(text) {
            self.insert(&text[r]);
        }
        for a in assignments(text) {
            self.insert(&text[a.value]);
        }
        if text.contains("PRIVATE KEY-----") {
            for body in pem::bodies(text) {
                self.insert(&body);
            }
        }
    }
}

/// Does a string value carry a credential whatever its key: a URL with a password, a private
/// JWK written as JSON, or a PEM private key?
pub fn holds_credential(s: &str) -> bool {
    !url_passwords(s).is_empty() || is_private_jwk(s) || s.contains("PRIVATE KEY-----")
}

/// A JSON Web Key with private members, written as a JSON string (`'{"kty": "RSA", "d": …}'`).
pub fn is_private_jwk(s: &str) -> bool {
    let t = s.trim_start();
    if !t.starts_with('{') || !t.contains("kty") {
        return false;
    }
    let has_private =
        |m: &serde_json::Map<String, Value>| JWK_PRIVATE_MEMBERS.iter().any(|k| m.contains_key(*k));
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(m)) => {
            has_private(&m)
                || m.get("keys")
                    .and_then(Value::as_array)
                    .is_some_and(|ks| ks.iter().any(|k| k.as_object().is_some_and(has_private)))
        }
        // Not valid JSON (a Python dict with single quotes): judge by the member names.
        _ => ["\"d\"", "'d'", "\"p\"", "'p'"]
            .iter()
            .any(|k| t.contains(k)),
    }
}

/// Collects secret values from analyzers running on several threads.
#[derive(Debug, Default)]
pub struct Collector {
    inner: Mutex<SecretValues>,
}

impl Collector {
    fn with(&self, f: impl FnOnce(&mut SecretValues)) {
        // A poisoned lock still holds the values gathered so far: keep using them.
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard);
    }
    pub fn add(&self, value: &str) {
        self.with(|s| s.insert(value));
    }
    pub fn add_tree(&self, root: &[String], value: &Value, all_secret: bool) {
        self.with(|s| s.add_tree(&mut root.to_vec(), value, all_secret));
    }
    pub fn add_text(&self, text: &str) {
        self.with(|s| s.add_text(text));
    }
    pub fn add_all(&self, values: SecretValues) {
        self.with(|s| s.extend(values));
    }
    /// A copy of what has been collected so far.
    pub fn snapshot(&self) -> SecretValues {
        let mut out = SecretValues::default();
        self.with(|s| out = s.clone());
        out
    }
}

/// `value` with every member under a secret key path replaced by [`REDACTED`] (containers keep
/// their keys and shape), and every string made safe with [`redact_text`]. What analyzers keep
/// of any parsed config value (a whole `DATABASES` dict as the context of a `HOST` edit) goes
/// through this first.
pub fn redact_tree(value: &Value) -> Value {
    redact_tree_as(value, REDACTED)
}

/// [`redact_tree`] with another placeholder for the secret members (replacements use
/// `<set from your secret store>`).
pub fn redact_tree_as(value: &Value, placeholder: &str) -> Value {
    redact_at(value, &mut Vec::new(), false, placeholder)
}

fn redact_at(value: &Value, path: &mut Vec<String>, secret: bool, ph: &str) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    path.push(k.clone());
                    let s = secret || is_secret_path(path);
                    let out = redact_at(v, path, s, ph);
                    path.pop();
                    (k.clone(), out)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| redact_at(v, path, secret, ph))
                .collect(),
        ),
        Value::Null | Value::Bool(_) => value.clone(),
        Value::Number(_) if secret => Value::String(ph.into()),
        Value::Number(_) => value.clone(),
        Value::String(s) if secret && !s.is_empty() => Value::String(ph.into()),
        Value::String(s) if is_private_jwk(s) => Value::String(ph.into()),
        Value::String(s) => Value::String(redact_text(s, false).into_owned()),
    }
}

/// Replaces every occurrence of the run's secret values in a text.
#[derive(Debug, Clone)]
pub struct Redactor {
    #[cfg(test)]
    values: SecretValues,
    matcher: Option<AhoCorasick>,
    needles: Vec<String>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new(SecretValues::default())
    }
}

impl Redactor {
    pub fn new(values: SecretValues) -> Redactor {
        Redactor::with_variants(values, &[])
    }

    /// A redactor that also finds each value as the given escapers write it (a renderer's JSON,
    /// HTML or Markdown escaping changes `a"b<c` into something else).
    pub fn with_variants(values: SecretValues, escapers: &[&dyn Fn(&str) -> String]) -> Redactor {
        let mut needles: BTreeSet<String> = values.values.iter().cloned().collect();
        for v in &values.values {
            for esc in escapers {
                let e = esc(v);
                if e.chars().count() >= MIN_SECRET_LEN {
                    needles.insert(e);
                }
            }
        }
        let needles: Vec<String> = needles.into_iter().collect();
        let matcher = (!needles.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&needles)
                    .ok()
            })
            .flatten();
        Redactor {
            #[cfg(test)]
            values,
            matcher,
            needles,
        }
    }

    #[cfg(test)]
    pub fn values(&self) -> &SecretValues {
        &self.values
    }

    /// `text` with every secret value replaced by [`REDACTED`]. An all-digit value is only
    /// replaced where it is not part of a longer number.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let Some(m) = &self.matcher else {
            return Cow::Borrowed(text);
        };
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        let mut pos = 0;
        for mat in m.find_iter(text) {
            let needle = &self.needles[mat.pattern().as_usize()];
            if needle.bytes().all(|b| b.is_ascii_digit()) {
                let before = mat.start().checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(mat.end()).copied();
                if before.is_some_and(|b| b.is_ascii_digit())
                    || after.is_some_and(|b| b.is_ascii_digit())
                {
                    continue;
                }
            }
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[pos..mat.start()]);
            o.push_str(REDACTED);
            pos = mat.end();
        }
        match out {
            None => Cow::Borrowed(text),
            Some(mut o) => {
                o.push_str(&text[pos..]);
                Cow::Owned(o)
            }
        }
    }

    /// Every string in `value` scrubbed ([`Redactor::scrub`] and [`redact_text`]); keys too.
    /// Whether anything was changed.
    pub fn scrub_value(&self, value: &mut Value, skip_exact_tokens: bool) -> bool {
        match value {
            Value::String(s) => {
                if skip_exact_tokens && is_token(s) {
                    return false;
                }
                let scrubbed = self.scrub(s);
                let redacted = redact_text(&scrubbed, false);
                if redacted.as_ref() != s.as_str() {
                    *s = redacted.into_owned();
                    return true;
                }
                false
            }
            // Long arrays (every changed file, every trend point) are scrubbed in parallel.
            Value::Array(items) if items.len() >= 64 => {
                use rayon::prelude::*;
                items
                    .par_iter_mut()
                    .map(|v| self.scrub_value(v, skip_exact_tokens))
                    .reduce(|| false, |a, b| a | b)
            }
            Value::Array(items) => items.iter_mut().fold(false, |changed, v| {
                self.scrub_value(v, skip_exact_tokens) | changed
            }),
            Value::Object(map) => {
                let needs_key_change = map.keys().any(|k| matches!(self.scrub(k), Cow::Owned(_)));
                if needs_key_change {
                    let old = std::mem::take(map);
                    for (k, mut v) in old {
                        self.scrub_value(&mut v, skip_exact_tokens);
                        map.insert(self.scrub(&k).into_owned(), v);
                    }
                    true
                } else {
                    map.values_mut().fold(false, |changed, v| {
                        self.scrub_value(v, skip_exact_tokens) | changed
                    })
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }
}

/// A lower-case kebab token such as an enum's serialised name (`added`, `rebase-conflict`).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn collected(v: &Value) -> Vec<String> {
        let mut s = SecretValues::default();
        s.add_tree(&mut Vec::new(), v, false);
        s.values.into_iter().collect()
    }

    #[test]
    fn values_under_secret_paths_at_any_depth() {
        let doc = json!({
            "services": {"minio": {"environment": {"MINIO_ROOT_PASSWORD": "m1n10pw", "MINIO_ROOT_USER": "admin"}}},
            "DATABASES": {"default": {"PASSWORD": "dbpw1", "HOST": "db", "PORT": 3306}},
            "CELERY_BROKER_URL": "redis://:brokerpw@redis:6379/0",
            "SOCIAL_AUTH_OAUTH_SECRETS": {"google": "g00gle"},
            "MYSQL_ROOT_PASSWORD": 1234,
            "JWT_AUTH": {"JWT_PRIVATE_SIGNING_JWK": "{\"kty\": \"RSA\", \"d\": \"dd-private\", \"n\": \"nn\"}"},
        });
        let got = collected(&doc);
        for v in [
            "m1n10pw",
            "dbpw1",
            "brokerpw",
            "g00gle",
            "1234",
            "dd-private",
        ] {
            assert!(got.iter().any(|g| g == v), "{v} missing from {got:?}");
        }
        assert!(!got.iter().any(|g| g == "admin" || g == "3306"), "{got:?}");
    }

    #[test]
    fn containers_keep_their_shape_with_secrets_redacted() {
        let doc =
            json!({"default": {"PASSWORD": "dbpw1", "HOST": "db", "URL": "mysql://u:pw12@db/x"}});
        let mut wrapped = serde_json::Map::new();
        wrapped.insert("DATABASES".into(), doc);
        let r = redact_tree(&Value::Object(wrapped));
        assert_eq!(
            r,
            json!({"DATABASES": {"default": {"PASSWORD": REDACTED, "HOST": "db", "URL": "mysql://u:<redacted>@db/x"}}})
        );
    }

    #[test]
    fn scrub_replaces_reused_values_and_respects_numbers() {
        let mut s = SecretValues::default();
        s.insert("hunter22");
        s.insert("1234");
        s.insert("abc"); // too short to hunt everywhere
        let r = Redactor::new(s);
        assert_eq!(
            r.scrub("mongo password hunter22, port 12345, pin 1234."),
            "mongo password <redacted>, port 12345, pin <redacted>."
        );
        assert_eq!(r.scrub("abc"), "abc");
        let esc = |v: &str| v.replace('2', "&#50;");
        let r = Redactor::with_variants(r.values().clone(), &[&esc]);
        assert_eq!(r.scrub("x hunter&#50;&#50; y"), "x <redacted> y");
    }

    #[test]
    fn debug_never_prints_values() {
        let mut s = SecretValues::default();
        s.insert("hunter22");
        assert_eq!(format!("{s:?}"), "SecretValues(1 values)");
    }
}
