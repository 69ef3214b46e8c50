//! Classifying one fork commit from its paths, its added lines and its replay outcome.

use serde::{Deserialize, Serialize};

use crate::model::RuleId;
use crate::rebase::store::ForkCommit;
use crate::rebase::CommitReplay;
use crate::Result;

/// Where a fork change should go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TriageClass {
    /// Already in the target release: drop it.
    AlreadyUpstream,
    /// A generic fix upstream would take.
    UpstreamCandidate,
    /// Settings or committed configuration: move to deployment configuration.
    Configuration,
    /// Templates and static assets: move to the theme (or configuration).
    Theme,
    /// A new Django app, URLs or view hooks: a plugin, openedx-filters or events.
    PluginCandidate,
    /// Specific to the organisation: keep.
    ForkSpecific,
    /// Undone by another fork commit (or undoing one): together they change nothing.
    Reverted,
    /// Upstream's own content brought in: a merge of an upstream release or snapshot, or
    /// translations or vendored code; re-import it at the upgrade instead of carrying it.
    UpstreamImport,
}

impl TriageClass {
    pub fn as_str(self) -> &'static str {
        match self {
            TriageClass::AlreadyUpstream => "already-upstream",
            TriageClass::UpstreamCandidate => "upstream-candidate",
            TriageClass::Configuration => "configuration",
            TriageClass::Theme => "theme",
            TriageClass::PluginCandidate => "plugin-candidate",
            TriageClass::ForkSpecific => "fork-specific",
            TriageClass::Reverted => "reverted",
            TriageClass::UpstreamImport => "upstream-import",
        }
    }

    /// The FC7xx rule reporting this class.
    pub fn rule(self) -> RuleId {
        match self {
            TriageClass::AlreadyUpstream => RuleId::FC705,
            TriageClass::UpstreamCandidate => RuleId::FC701,
            TriageClass::Configuration => RuleId::FC703,
            TriageClass::Theme => RuleId::FC704,
            TriageClass::PluginCandidate => RuleId::FC702,
            TriageClass::ForkSpecific => RuleId::FC706,
            TriageClass::Reverted => RuleId::FC707,
            TriageClass::UpstreamImport => RuleId::FC708,
        }
    }
}

pub fn is_settings(path: &str) -> bool {
    let in_envs = ["lms/envs/", "cms/envs/", "openedx/envs/"]
        .iter()
        .any(|p| path.starts_with(p));
    in_envs && path.ends_with(".py")
}

pub fn is_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".env.json")
        || name.ends_with(".auth.json")
        || name.ends_with(".pem")
        || ((path.starts_with("config/") || path.contains("/config/"))
            && (name.ends_with(".yml") || name.ends_with(".yaml") || name.ends_with(".json")))
}

pub fn is_theme(path: &str) -> bool {
    path.starts_with("themes/")
        || path.contains("/templates/")
        || path.contains("/static/")
        || path.ends_with(".html")
        || path.ends_with(".scss")
        || path.ends_with(".underscore")
}

pub fn is_test(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.contains("/tests/") || name.starts_with("test_") || name.ends_with("_test.py")
}

/// `lms/djangoapps/<app>/` (or `openedx/core/djangoapps/`, `common/djangoapps/`) of a path.
pub fn djangoapp_of(path: &str) -> Option<String> {
    for root in [
        "lms/djangoapps/",
        "cms/djangoapps/",
        "common/djangoapps/",
        "openedx/core/djangoapps/",
        "openedx/features/",
    ] {
        if let Some(rest) = path.strip_prefix(root) {
            let app = rest.split('/').next()?;
            if rest.contains('/') {
                return Some(format!("{root}{app}"));
            }
        }
    }
    None
}

/// Signs a change is specific to one organisation: its name, hostnames, credentials. Fed the
/// text a commit adds one file at a time ([`Markers::scan`]), so that a commit importing
/// thousands of vendored files is never held in memory at once.
#[derive(Debug, Default)]
pub struct Markers {
    org: Option<String>,
    org_found: bool,
    host: Option<String>,
    credentials: bool,
}

impl Markers {
    pub fn new(org: Option<&str>) -> Markers {
        Markers {
            org: org.filter(|o| o.len() >= 3).map(str::to_ascii_lowercase),
            ..Markers::default()
        }
    }

    /// Every marker there is to find has been found: the rest of the text changes nothing.
    pub fn complete(&self) -> bool {
        (self.org.is_none() || self.org_found) && self.host.is_some() && self.credentials
    }

    /// Look for markers in `added`, one file's added lines.
    pub fn scan(&mut self, added: &str) {
        let lower = added.to_ascii_lowercase();
        if let Some(org) = &self.org {
            self.org_found |= lower.contains(org.as_str());
        }
        if self.host.is_none() {
            self.host = first_host(&lower);
        }
        // A credential needs a key-value shape, a URL password or a key block: the English
        // word "password" in a template or a terms-of-service page is none.
        self.credentials = self.credentials
            || !crate::secrets::text::assignments(added).is_empty()
            || !crate::secrets::text::url_passwords(added).is_empty()
            || added.contains("PRIVATE KEY-----");
    }

    /// The reasons, in a fixed order: organisation, host, credentials.
    pub fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let (Some(org), true) = (&self.org, self.org_found) {
            out.push(format!("mentions the organisation (`{org}`)"));
        }
        if let Some(host) = &self.host {
            out.push(format!("names a host (`{host}`)"));
        }
        if self.credentials {
            out.push("adds credentials".into());
        }
        out
    }
}

/// The first host name (`a.b.com`) in lower-cased text.
fn first_host(lower: &str) -> Option<String> {
    lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .find(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() >= 2
                && parts.iter().all(|p| !p.is_empty())
                && matches!(
                    parts.last().copied(),
                    Some("com" | "org" | "net" | "io" | "edu" | "example" | "internal")
                )
                && !word.ends_with(".py")
        })
        .map(str::to_string)
}

/// [`Markers`] of one piece of text.
pub fn org_markers(added: &str, org: Option<&str>) -> Vec<String> {
    let mut markers = Markers::new(org);
    markers.scan(added);
    markers.reasons()
}

/// The classification of one commit with its reasons. `markers`: the organisation markers of
/// the lines the commit adds ([`Markers`]), computed only when the classification needs them.
/// Translations (`locale/` directories, `.po`/`.mo` catalogues).
pub fn is_translation(path: &str) -> bool {
    path.starts_with("conf/locale/")
        || path.contains("/locale/")
        || path.ends_with(".po")
        || path.ends_with(".mo")
}

/// Vendored third-party code.
pub fn is_vendor(path: &str) -> bool {
    path.split('/')
        .any(|seg| seg == "vendor" || seg == "node_modules" || seg == "vendored")
}

/// `upgrade`: when the commit is a merge of upstream (a past upgrade), what it merged.
pub fn classify(
    c: &ForkCommit,
    replay: Option<&CommitReplay>,
    markers: impl FnOnce() -> Result<Vec<String>>,
    new_apps: &[String],
    upgrade: Option<&str>,
) -> Result<(TriageClass, Vec<String>)> {
    let mut reasons = Vec::new();
    let paths: Vec<&str> = c.changes.iter().map(|p| p.path.as_str()).collect();
    if let Some(label) = upgrade {
        reasons.push(format!(
            "merges upstream {label}: a past upgrade, not fork work"
        ));
        return Ok((TriageClass::UpstreamImport, reasons));
    }
    if let Some(other) = replay.and_then(|r| r.cancelled_by.as_ref()) {
        if replay.is_some_and(|r| r.reverts_part) {
            reasons.push(format!(
                "undoes {} of the fork's own {} \"{}\": the path returns to its content before that commit, it was never upstream's",
                paths.join(", "),
                crate::repo::short_id(&other.oid),
                other.summary
            ));
            return Ok((TriageClass::Reverted, reasons));
        }
        reasons.push(format!(
            "cancels out with {} \"{}\": together they change nothing",
            crate::repo::short_id(&other.oid),
            other.summary
        ));
        return Ok((TriageClass::Reverted, reasons));
    }
    if !paths.is_empty() && paths.iter().all(|p| is_translation(p) || is_vendor(p)) {
        let t = paths.iter().filter(|p| is_translation(p)).count();
        if t > 0 {
            reasons.push(format!("updates {t} translation file(s)"));
        }
        if t < paths.len() {
            reasons.push(format!("updates {} vendored file(s)", paths.len() - t));
        }
        return Ok((TriageClass::UpstreamImport, reasons));
    }
    if let Some(r) = replay {
        if let Some(m) = &r.upstream {
            reasons.push(match &m.commit {
                Some(u) => format!(
                    "same patch-id as upstream {} \"{}\"",
                    crate::repo::short_id(&u.oid),
                    u.summary
                ),
                None => "every file it touches is identical in the target".into(),
            });
            return Ok((TriageClass::AlreadyUpstream, reasons));
        }
        if r.outcome == crate::rebase::Outcome::Empty && !c.changes.is_empty() {
            reasons.push("replays as empty: the target already has the change".into());
            return Ok((TriageClass::AlreadyUpstream, reasons));
        }
    }
    if paths.is_empty() {
        reasons.push("changes no file".into());
        return Ok((TriageClass::ForkSpecific, reasons));
    }
    if paths.iter().all(|p| is_settings(p) || is_config(p)) {
        let s = paths.iter().filter(|p| is_settings(p)).count();
        if s > 0 {
            reasons.push(format!("edits {s} settings module(s)"));
        }
        if s < paths.len() {
            reasons.push(format!("commits {} configuration file(s)", paths.len() - s));
        }
        return Ok((TriageClass::Configuration, reasons));
    }
    if !new_apps.is_empty() {
        reasons.push(format!("adds Django app {}", new_apps.join(", ")));
        if paths
            .iter()
            .any(|p| p.ends_with("urls.py") && djangoapp_of(p).is_none())
        {
            reasons.push("hooks its URLs into the core URLconf".into());
        }
        return Ok((TriageClass::PluginCandidate, reasons));
    }
    if paths.iter().all(|p| is_theme(p)) {
        if paths.iter().all(|p| p.starts_with("themes/")) {
            reasons.push("changes only the comprehensive theme".into());
        } else {
            reasons.push("edits core templates or static assets in place".into());
        }
        return Ok((TriageClass::Theme, reasons));
    }
    let markers = markers()?;
    let code: Vec<&&str> = paths
        .iter()
        .filter(|p| p.ends_with(".py") && !is_test(p) && !is_settings(p))
        .collect();
    let tests = paths.iter().any(|p| is_test(p));
    if !code.is_empty() && tests && markers.is_empty() {
        reasons.push(format!(
            "changes core code ({}) and adds tests",
            code.iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        reasons.push("no organisation names, hosts or secrets".into());
        return Ok((TriageClass::UpstreamCandidate, reasons));
    }
    if !code.is_empty() && markers.is_empty() && replay.is_some_and(|r| !r.trailers.is_empty()) {
        if let Some(t) = c
            .trailers
            .iter()
            .find(|t| t.key.eq_ignore_ascii_case("Upstream"))
        {
            reasons.push(format!("forwarded upstream: {}", t.value));
            return Ok((TriageClass::UpstreamCandidate, reasons));
        }
    }
    if paths.iter().any(|p| p.ends_with("urls.py")) {
        reasons.push("adds URLs to the core URLconf".into());
        return Ok((TriageClass::PluginCandidate, reasons));
    }
    if markers.is_empty() {
        reasons.push("no test or no core code: not an obvious upstream fix".into());
    } else {
        reasons.extend(markers);
    }
    Ok((TriageClass::ForkSpecific, reasons))
}
