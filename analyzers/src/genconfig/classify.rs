//! What a committed deployment file is, by path and content (docs/secrets.md, "Deployment
//! files"). Only Django settings data gets per-key settings findings and replacements; a Tutor
//! `config.yml` is one finding with its keys; rendered deployment files (docker-compose,
//! Caddyfile, Kubernetes manifests, Dockerfiles, Ansible vars) are one finding each; credential
//! files are secret findings.

use globset::GlobSet;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::secrets::files::CredentialFile;

/// The nature of a committed deployment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigKind {
    /// Django settings as data: `lms.env.json`, `lms.auth.json`, `lms.yml`, Tutor's
    /// `lms.env.yml`, or any JSON/YAML mapping of upper-case setting names.
    SettingsData,
    /// A settings module rendered by Tutor (`lms/envs/tutor/production.py`).
    RenderedSettings,
    /// Tutor's own `config.yml`.
    TutorConfig,
    DockerCompose,
    Caddyfile,
    Kubernetes,
    Dockerfile,
    /// Ansible variables (`EDXAPP_*`) or inventories.
    AnsibleVars,
    /// Any other file of Tutor's rendered `env/` tree.
    TutorEnv,
    /// A credential file (`.netrc`, `.env`, an SSH key, …).
    Credentials,
}

impl ConfigKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKind::SettingsData => "settings-data",
            ConfigKind::RenderedSettings => "rendered-settings",
            ConfigKind::TutorConfig => "tutor-config",
            ConfigKind::DockerCompose => "docker-compose",
            ConfigKind::Caddyfile => "caddyfile",
            ConfigKind::Kubernetes => "kubernetes",
            ConfigKind::Dockerfile => "dockerfile",
            ConfigKind::AnsibleVars => "ansible-vars",
            ConfigKind::TutorEnv => "tutor-env",
            ConfigKind::Credentials => "credentials",
        }
    }

    /// A short description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ConfigKind::SettingsData => "generated Django settings data",
            ConfigKind::RenderedSettings => "settings module rendered by Tutor",
            ConfigKind::TutorConfig => "Tutor config.yml",
            ConfigKind::DockerCompose => "docker-compose file",
            ConfigKind::Caddyfile => "Caddyfile",
            ConfigKind::Kubernetes => "Kubernetes manifest",
            ConfigKind::Dockerfile => "Dockerfile",
            ConfigKind::AnsibleVars => "Ansible variables",
            ConfigKind::TutorEnv => "file of Tutor's rendered environment",
            ConfigKind::Credentials => "credential file",
        }
    }
}

/// The path facts [`by_path`] needs (compiled once per run).
pub struct PathSets {
    pub generated: GlobSet,
    pub tutor_config: GlobSet,
    pub rendered_settings: GlobSet,
    pub tutor_env: GlobSet,
    pub vendored: GlobSet,
}

/// What the path alone says. `None`: look at the content ([`by_content`]) if it is JSON/YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathClass {
    Credentials(CredentialFile),
    RenderedSettings,
    /// In Tutor's env tree: settings data by content, else one rendered file.
    TutorEnv,
    /// A generated-config name (`lms.env.json`, `lms.yml`): settings data.
    Generated,
    /// A `config.yml`: Tutor's when it has Tutor keys.
    MaybeTutorConfig,
    /// Named like a deployment file (`docker-compose.yml`, `Caddyfile`, `Dockerfile`).
    Named(ConfigKind),
    /// A JSON/YAML file that might be deployment data.
    Sniff,
}

pub fn by_path(sets: &PathSets, path: &str) -> Option<PathClass> {
    if let Some(kind) = CredentialFile::of_path(path) {
        return Some(PathClass::Credentials(kind));
    }
    if sets.vendored.is_match(path) {
        return None;
    }
    if sets.rendered_settings.is_match(path) {
        return path.ends_with(".py").then_some(PathClass::RenderedSettings);
    }
    if sets.tutor_env.is_match(path) {
        return Some(PathClass::TutorEnv);
    }
    if sets.generated.is_match(path) {
        return Some(PathClass::Generated);
    }
    if sets.tutor_config.is_match(path) {
        return Some(PathClass::MaybeTutorConfig);
    }
    if let Some(kind) = named(path) {
        return Some(PathClass::Named(kind));
    }
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".json") || lower.ends_with(".yml") || lower.ends_with(".yaml"))
        .then_some(PathClass::Sniff)
}

/// Deployment files recognised by their name.
pub fn named(path: &str) -> Option<ConfigKind> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let lower = file.to_ascii_lowercase();
    if (lower.starts_with("docker-compose") || lower.starts_with("compose."))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
    {
        return Some(ConfigKind::DockerCompose);
    }
    if lower == "caddyfile" || lower.starts_with("caddyfile.") {
        return Some(ConfigKind::Caddyfile);
    }
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        return Some(ConfigKind::Dockerfile);
    }
    None
}

/// Is `name` an upper-case setting-like name (`PLATFORM_NAME`, `FEATURES`)?
fn upper_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// What a parsed JSON/YAML document is, from its top-level keys.
pub fn by_content(doc: &Value, markers: &[String], tutor_keys: &[String]) -> Option<ConfigKind> {
    let Value::Object(map) = doc else {
        return None;
    };
    if map.is_empty() {
        return None;
    }
    if map.contains_key("apiVersion") && map.contains_key("kind") {
        return Some(ConfigKind::Kubernetes);
    }
    if map
        .get("services")
        .and_then(Value::as_object)
        .is_some_and(|s| {
            s.values().any(|svc| {
                svc.as_object()
                    .is_some_and(|o| o.contains_key("image") || o.contains_key("build"))
            })
        })
    {
        return Some(ConfigKind::DockerCompose);
    }
    let upper = map.keys().filter(|k| upper_name(k)).count();
    let edxapp = map.keys().filter(|k| k.starts_with("EDXAPP_")).count();
    if edxapp * 2 >= map.len() {
        return Some(ConfigKind::AnsibleVars);
    }
    // Most keys upper-case setting names, and one of the names every generated file has.
    if upper * 5 >= map.len() * 3 {
        if tutor_keys.iter().any(|k| map.contains_key(k)) {
            return Some(ConfigKind::TutorConfig);
        }
        if markers.iter().any(|k| map.contains_key(k)) {
            return Some(ConfigKind::SettingsData);
        }
    }
    None
}

/// Kind of a file of Tutor's env tree that is not settings data.
pub fn tutor_env_kind(path: &str, doc: Option<&Value>) -> ConfigKind {
    if let Some(k) = named(path) {
        return k;
    }
    if path.contains("/k8s/") || path.ends_with("kustomization.yml") {
        return ConfigKind::Kubernetes;
    }
    match doc.and_then(|d| by_content(d, &[], &[])) {
        Some(k @ (ConfigKind::Kubernetes | ConfigKind::DockerCompose)) => k,
        _ => ConfigKind::TutorEnv,
    }
}

/// The Tutor patch that carries a change to a rendered file (rules/tutor.toml `[[patches]]`
/// names; `None` when no single patch fits).
pub fn tutor_patch_for(kind: ConfigKind, path: &str) -> Option<&'static str> {
    let file = path.rsplit('/').next().unwrap_or(path);
    match kind {
        ConfigKind::DockerCompose if path.contains("/dev/") => {
            Some("local-docker-compose-dev-services")
        }
        ConfigKind::DockerCompose if file.contains("prod") => {
            Some("local-docker-compose-prod-services")
        }
        ConfigKind::DockerCompose if file.contains("jobs") => {
            Some("local-docker-compose-jobs-services")
        }
        ConfigKind::DockerCompose => Some("local-docker-compose-services"),
        ConfigKind::Caddyfile => Some("caddyfile"),
        ConfigKind::Kubernetes if file.contains("service") => Some("k8s-services"),
        ConfigKind::Kubernetes => Some("k8s-deployments"),
        ConfigKind::Dockerfile => Some("openedx-dockerfile"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn markers() -> Vec<String> {
        vec!["PLATFORM_NAME".into(), "DATABASES".into()]
    }

    #[test]
    fn content_decides() {
        let tutor = vec!["LMS_HOST".to_string()];
        assert_eq!(
            by_content(
                &json!({"services": {"mysql": {"image": "mysql:8"}}}),
                &markers(),
                &tutor
            ),
            Some(ConfigKind::DockerCompose)
        );
        assert_eq!(
            by_content(
                &json!({"apiVersion": "v1", "kind": "Service"}),
                &markers(),
                &tutor
            ),
            Some(ConfigKind::Kubernetes)
        );
        assert_eq!(
            by_content(
                &json!({"PLATFORM_NAME": "x", "FEATURES": {}}),
                &markers(),
                &tutor
            ),
            Some(ConfigKind::SettingsData)
        );
        assert_eq!(
            by_content(
                &json!({"PLATFORM_NAME": "x", "LMS_HOST": "h"}),
                &markers(),
                &tutor
            ),
            Some(ConfigKind::TutorConfig)
        );
        assert_eq!(
            by_content(&json!({"EDXAPP_PLATFORM_NAME": "x"}), &markers(), &tutor),
            Some(ConfigKind::AnsibleVars)
        );
        assert_eq!(
            by_content(&json!({"name": "pkg", "version": "1"}), &markers(), &tutor),
            None
        );
    }

    #[test]
    fn names_decide() {
        assert_eq!(
            named("deploy/docker-compose.prod.yml"),
            Some(ConfigKind::DockerCompose)
        );
        assert_eq!(
            named("env/apps/caddy/Caddyfile"),
            Some(ConfigKind::Caddyfile)
        );
        assert_eq!(named("Dockerfile"), Some(ConfigKind::Dockerfile));
        assert_eq!(named("lms/envs/common.py"), None);
        assert_eq!(
            tutor_patch_for(ConfigKind::DockerCompose, "env/local/docker-compose.yml"),
            Some("local-docker-compose-services")
        );
    }
}
