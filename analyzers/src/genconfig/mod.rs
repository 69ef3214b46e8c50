//! Deployment files committed to the fork (findings of kind `generated-config`), and secrets in
//! anything the fork added or changed (kind `secret`).
//!
//! Each file the fork added, modified or deleted is classified by path and content
//! ([`classify`]): Django settings data (env/auth JSON, `lms.yml`, Tutor's `lms.env.yml`, any
//! JSON/YAML mapping of setting names) is compared key by key ([`keys`]) and every key gets a
//! configuration-management replacement; a Tutor `config.yml` is one finding with its changed
//! keys; rendered deployment files (docker-compose, Caddyfile, Kubernetes, Dockerfiles, Ansible
//! vars) are one finding each; credential files and credential-like keys at any depth are
//! secret findings that name the key, never the value ([`crate::secrets`]).

pub mod classify;
mod deployment;
pub mod parse;
pub mod pyvalue;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::changes::files::{self, blob_text, FileChange, FileStatus};
use crate::changes::keys::{self, Status};
use crate::model::{Finding, RuleId};
use crate::replace::Spec;
use crate::replace::{self, Change, Deployment, Edit, ModuleKind, Service};
use crate::secrets::{self, values::holds_credential};
use crate::{Context, Progress, Result};
use classify::{ConfigKind, PathClass, PathSets};
use parse::Format;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfigSection {
    /// Deployment files the fork added, modified or deleted.
    pub files: Vec<ConfigFile>,
    /// PEM private keys in files the fork added or changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private_keys: Vec<PrivateKey>,
    /// Number of secret findings (config values, settings, private keys, credential files).
    pub secrets: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigFile {
    pub path: String,
    pub status: FileStatus,
    /// What the file is (settings data, Tutor config, docker-compose, …).
    pub kind: ConfigKind,
    /// `json`, `yaml` or `other` (not compared key by key).
    pub format: String,
    /// Why the file could not be compared, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Changed keys: every leaf of settings data, top-level keys of a Tutor config, the secret
    /// keys of other files.
    pub keys: Vec<KeyEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyEntry {
    pub key: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// A secret: `old`/`new` are never filled.
    pub secret: bool,
    /// The value equals the default (Tutor's, for a Tutor config): nothing to carry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// The configuration-management replacement as shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<crate::model::Replacement>,
    /// The same, structured (`forkcheck replace` writes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrivateKey {
    pub path: String,
    pub line: u32,
    pub label: String,
}

/// Files larger than this are not sniffed for deployment content (they are still counted in
/// the drift, and named generated-config files are still parsed up to [`parse::MAX_BYTES`]).
const MAX_SNIFF_BYTES: usize = 1024 * 1024;

struct Run<'a> {
    ctx: &'a Context,
    deploy: Deployment,
    markers: &'a [String],
    tutor_keys: Vec<String>,
    section: ConfigSection,
    findings: &'a mut Vec<Finding>,
}

pub fn analyze(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
) -> Result<Option<ConfigSection>> {
    let t = replace::tables::tables()?;
    let p = &t.paths;
    let mut generated_globs = p.generated.globs.clone();
    generated_globs.extend(ctx.config.settings.generated.iter().cloned());
    let rules_file = "rules/config-paths.toml";
    let sets = PathSets {
        generated: files::globset(&generated_globs, "forkcheck.toml [settings] generated")?,
        tutor_config: files::globset(
            &p.generated_if_keys
                .iter()
                .map(|g| g.glob.clone())
                .collect::<Vec<_>>(),
            rules_file,
        )?,
        rendered_settings: files::globset(&p.rendered_settings.globs, rules_file)?,
        tutor_env: files::globset(&p.tutor_env.globs, rules_file)?,
        vendored: files::globset(&p.vendored.globs, rules_file)?,
    };
    let secret_files = files::globset(&p.secret_files.globs, rules_file)?;

    let changed = files::changed_files(ctx)?;
    progress.stage("config", Some(changed.len() as u64));
    let pem_candidates = pem_candidates(ctx, &changed)?;
    let mut run = Run {
        ctx,
        deploy: ctx.deployment()?.0.clone(),
        markers: &p.settings_markers.keys,
        tutor_keys: p
            .generated_if_keys
            .iter()
            .flat_map(|g| g.keys.iter().filter(|k| *k != "PLATFORM_NAME").cloned())
            .collect(),
        section: ConfigSection::default(),
        findings,
    };
    for change in &changed {
        progress.inc(1);
        // Secrets: PEM private keys in any text file the fork added or changed.
        if change
            .new_oid()
            .is_some_and(|oid| pem_candidates.contains(&oid))
        {
            run.scan_private_keys(change)?;
        }
        let Some(class) = classify::by_path(&sets, &change.path) else {
            continue;
        };
        match class {
            PathClass::Credentials(kind) => run.credential_file(change, kind)?,
            PathClass::RenderedSettings => run.rendered_settings(change),
            PathClass::Generated => {
                let all_secret = secret_files.is_match(&change.path);
                run.settings_data(change, all_secret)?;
            }
            PathClass::TutorEnv => {
                let doc = run.parse_side(change, false)?;
                match doc
                    .as_ref()
                    .and_then(|d| classify::by_content(d, run.markers, &run.tutor_keys))
                {
                    Some(ConfigKind::SettingsData) => {
                        let all_secret = secret_files.is_match(&change.path);
                        run.settings_data(change, all_secret)?
                    }
                    _ => {
                        let kind = classify::tutor_env_kind(&change.path, doc.as_ref());
                        run.rendered(change, kind, true)?
                    }
                }
            }
            PathClass::Named(kind) => run.rendered(change, kind, change.old.is_none())?,
            // A `config.yml`, or any JSON/YAML file: what it is, its content says.
            PathClass::MaybeTutorConfig | PathClass::Sniff => {
                let sniff = class == PathClass::Sniff;
                let doc = run.parse_side(change, sniff)?;
                let kind = doc
                    .as_ref()
                    .and_then(|d| classify::by_content(d, run.markers, &run.tutor_keys));
                match kind {
                    Some(ConfigKind::SettingsData) => run.settings_data(change, false)?,
                    Some(ConfigKind::TutorConfig) => run.tutor_config(change)?,
                    Some(k) => run.rendered(change, k, change.old.is_none())?,
                    None => {}
                }
            }
        }
    }
    progress.finish_stage();
    let section = run.section;
    let any = !section.files.is_empty() || !section.private_keys.is_empty();
    Ok(any.then_some(section))
}

/// The new blobs of `changed` that mention a PEM private key, read in parallel (a vendored
/// import adds thousands of files: each is read once, as bytes, and searched without decoding).
fn pem_candidates(
    ctx: &Context,
    changed: &[FileChange],
) -> Result<std::collections::HashSet<git2::Oid>> {
    use rayon::prelude::*;
    const MARKER: &[u8] = b"PRIVATE KEY-----";
    let finder = aho_corasick::AhoCorasick::new([MARKER])
        .map_err(|e| crate::Error::Other(format!("internal error: PEM marker: {e}")))?;
    let mut oids: Vec<git2::Oid> = changed.iter().filter_map(|c| c.new_oid()).collect();
    oids.sort_unstable();
    oids.dedup();
    let handle = ctx.repo.handle();
    let found: Vec<Result<Option<git2::Oid>>> = oids
        .par_iter()
        .map(|&oid| {
            handle.with(|repo| {
                let Some(bytes) = repo.parse_bytes(oid)? else {
                    return Ok(None);
                };
                let text = bytes.len() <= parse::MAX_BYTES && !crate::changes::is_binary(&bytes);
                Ok((text && finder.is_match(&bytes)).then_some(oid))
            })
        })
        .collect();
    found.into_iter().filter_map(Result::transpose).collect()
}

fn verb(status: FileStatus) -> &'static str {
    match status {
        FileStatus::Added => "added",
        FileStatus::Modified => "edited",
        FileStatus::Deleted => "deleted",
    }
}

/// The first `n` names, then "and N more".
fn some_names(names: &[String], n: usize) -> String {
    let shown: Vec<String> = names.iter().take(n).map(|k| format!("`{k}`")).collect();
    match names.len().saturating_sub(n) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

impl Run<'_> {
    /// The fork's side of a JSON/YAML file parsed (the base's when the fork deleted it);
    /// `None` when it is not JSON/YAML, does not parse, or (with `sniff`) is too large or
    /// mentions none of the words deployment data has.
    fn parse_side(&self, change: &FileChange, sniff: bool) -> Result<Option<Value>> {
        let format = Format::of(&change.path);
        if format == Format::Other {
            return Ok(None);
        }
        let Some(text) = blob_text(&self.ctx.repo, change.new_oid().or(change.old_oid()))? else {
            return Ok(None);
        };
        if sniff {
            let promising = text.len() <= MAX_SNIFF_BYTES
                && (text.contains("services")
                    || text.contains("apiVersion")
                    || text.contains("EDXAPP_")
                    || self.markers.iter().any(|m| text.contains(m.as_str()))
                    || self.tutor_keys.iter().any(|m| text.contains(m.as_str())));
            if !promising {
                return Ok(None);
            }
        }
        Ok(parse::parse(&text, format).ok().flatten())
    }

    fn file_finding(
        &mut self,
        change: &FileChange,
        rule: RuleId,
        message: String,
        data: Vec<(&str, Value)>,
    ) -> Result<()> {
        let mut b = Finding::new(self.ctx.rules.rule(rule), &change.path, message)
            .status(files::status(change).as_str())
            .subject(change.path.clone());
        for (k, v) in data {
            b = b.data(k, v);
        }
        self.findings.push(b.build());
        Ok(())
    }

    fn secret_finding(
        &mut self,
        path: &str,
        key: &str,
        line: Option<u32>,
        how: &str,
    ) -> Result<()> {
        self.findings.push(
            Finding::new(
                self.ctx.rules.rule(RuleId::FC210),
                path,
                format!("secret `{key}` committed in `{path}`{how} (value not shown)"),
            )
            .line_opt(line)
            .key(key.to_string())
            .status("committed")
            .build(),
        );
        self.section.secrets += 1;
        Ok(())
    }

    /// A settings module rendered by Tutor: the file itself (its settings are analysed by the
    /// settings analysis, like any settings module).
    fn rendered_settings(&mut self, change: &FileChange) {
        let message = format!(
            "settings module rendered by Tutor {} by the fork: `{}` (Tutor regenerates it; its settings are listed with the settings modules)",
            verb(files::status(change)),
            change.path
        );
        let rule = self.ctx.rules.rule(RuleId::FC201);
        self.findings.push(
            Finding::new(rule, &change.path, message)
                .status(files::status(change).as_str())
                .subject(change.path.clone())
                .build(),
        );
        self.section.files.push(ConfigFile {
            path: change.path.clone(),
            status: files::status(change),
            kind: ConfigKind::RenderedSettings,
            format: Format::Other.as_str().into(),
            error: None,
            keys: Vec::new(),
        });
    }

    /// Django settings data: every changed key with its replacement; one finding for the
    /// file, one per secret key.
    fn settings_data(&mut self, change: &FileChange, all_secret: bool) -> Result<()> {
        let repo = &self.ctx.repo;
        let format = Format::of(&change.path);
        let old_text = blob_text(repo, change.old_oid())?;
        let new_text = blob_text(repo, change.new_oid())?;
        let old = old_text
            .as_deref()
            .map(|t| parse::parse(t, format))
            .transpose();
        let new = new_text
            .as_deref()
            .map(|t| parse::parse(t, format))
            .transpose();
        let mut file = ConfigFile {
            path: change.path.clone(),
            status: files::status(change),
            kind: ConfigKind::SettingsData,
            format: format.as_str().into(),
            error: None,
            keys: Vec::new(),
        };
        let (old, new) = match (old, new) {
            (Ok(o), Ok(n)) => (o.flatten(), n.flatten()),
            (_, Err(e)) | (Err(e), _) => {
                // Whatever the text holds in `key: value` shape is still hidden everywhere.
                for t in [&old_text, &new_text].into_iter().flatten() {
                    self.ctx.secrets.add_text(t);
                }
                self.file_finding(
                    change,
                    RuleId::FC201,
                    format!(
                        "generated deployment config {} by the fork: `{}`",
                        verb(files::status(change)),
                        change.path
                    ),
                    Vec::new(),
                )?;
                self.findings.push(
                    Finding::new(
                        self.ctx.rules.rule(RuleId::FC203),
                        &change.path,
                        format!("`{}` cannot be compared key by key: {e}", change.path),
                    )
                    .subject(change.path.clone())
                    .data("error", e.clone())
                    .build(),
                );
                file.error = Some(e);
                self.section.files.push(file);
                return Ok(());
            }
        };
        for doc in [&old, &new].into_iter().flatten() {
            self.ctx.secrets.add_tree(&[], doc, all_secret);
        }
        let mut secrets_here = 0usize;
        for kc in keys::diff(old.as_ref(), new.as_ref()) {
            let line = match kc.status {
                Status::Removed => None,
                _ => new_text.as_deref().and_then(|t| keys::locate(t, &kc.key)),
            };
            let entry = self.settings_key(change, all_secret, &kc, line, new.as_ref())?;
            let leaves = match &kc.new {
                Some(v) if kc.status != Status::Removed => {
                    if all_secret {
                        match v {
                            Value::String(x) if !x.is_empty() => vec![kc.key.clone()],
                            Value::Number(_) => vec![kc.key.clone()],
                            Value::Object(_) | Value::Array(_) if !keys::is_empty_value(v) => {
                                vec![kc.key.clone()]
                            }
                            _ => Vec::new(),
                        }
                    } else {
                        keys::secret_leaves(&kc.key, v)
                    }
                }
                _ => Vec::new(),
            };
            for leaf in &leaves {
                let how = if !all_secret && !secrets::is_secret_key_path(leaf) {
                    " (a password in a URL, or a private key)"
                } else {
                    ""
                };
                self.secret_finding(&change.path, leaf, line, how)?;
                secrets_here += 1;
            }
            file.keys.push(entry);
        }
        let count = |s: Status| file.keys.iter().filter(|k| k.status == s).count();
        let (added, changed, removed) = (
            count(Status::Added),
            count(Status::Changed),
            count(Status::Removed),
        );
        let mut parts = Vec::new();
        for (n, what) in [(added, "added"), (changed, "changed"), (removed, "removed")] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        if secrets_here > 0 {
            parts.push(format!(
                "{secrets_here} secret{}",
                if secrets_here == 1 { "" } else { "s" }
            ));
        }
        let names: Vec<String> = file.keys.iter().map(|k| k.key.clone()).collect();
        let defaults = file.keys.iter().filter(|k| k.default).count();
        let summary = if parts.is_empty() {
            String::new()
        } else {
            format!(" ({}; {})", parts.join(", "), some_names(&names, 6))
        };
        self.file_finding(
            change,
            RuleId::FC201,
            format!(
                "generated deployment config {} by the fork: `{}`{summary}",
                verb(files::status(change)),
                change.path
            ),
            vec![
                (
                    "kind",
                    Value::String(ConfigKind::SettingsData.as_str().into()),
                ),
                (
                    "keys",
                    Value::Array(names.into_iter().map(Value::String).collect()),
                ),
            ]
            .into_iter()
            // Keys that repeat the code default: nothing to carry, so no cost
            // (`cost::finding_weight`).
            .chain((defaults > 0).then(|| ("default_keys", Value::from(defaults))))
            .collect(),
        )?;
        self.section.files.push(file);
        Ok(())
    }

    /// Does `value` at `key` repeat the base release's code default (`common.py` of the same
    /// service)? Such a key changes nothing and needs no replacement.
    fn is_code_default(&self, change: &FileChange, key: &str, value: &Value) -> Result<bool> {
        let index = self.ctx.base_settings()?;
        let segs = keys::segments(key);
        let Some((root, path)) = segs.split_first() else {
            return Ok(false);
        };
        let setting = crate::settings::python::setting_name(root, path);
        let common = match Service::of_path(&change.path) {
            Service::Cms => "cms/envs/common.py",
            _ => "lms/envs/common.py",
        };
        Ok(index
            .def_in(&setting, common)
            .and_then(|d| d.value.as_ref())
            .is_some_and(|v| v == value))
    }

    fn settings_key(
        &mut self,
        change: &FileChange,
        all_secret: bool,
        kc: &keys::KeyChange,
        line: Option<u32>,
        new_doc: Option<&Value>,
    ) -> Result<KeyEntry> {
        let t = replace::tables::tables()?;
        let segs = keys::segments(&kc.key);
        let value_secret = |v: &Option<Value>| {
            v.as_ref()
                .and_then(Value::as_str)
                .is_some_and(holds_credential)
        };
        // The whole value is secret (never shown, placeholders in the replacement); a container
        // with secret members is shown and carried with those members replaced.
        let flag = matches!(kc.new, Some(Value::Bool(_) | Value::Null));
        let secret = all_secret
            || (secrets::is_secret_key_path(&kc.key) && !flag)
            || value_secret(&kc.new)
            || value_secret(&kc.old);
        let safe = |v: &Value| secrets::values::redact_tree_as(v, replace::SECRET_PLACEHOLDER);
        let (root, path) = match segs.split_first() {
            Some((r, p)) => (r.clone(), p.to_vec()),
            None => (kc.key.clone(), Vec::new()),
        };
        let whole = new_doc
            .and_then(|d| d.get(&root))
            .map(|w| secrets::values::redact_tree_as(w, replace::SECRET_PLACEHOLDER));
        let change_kind = match &kc.new {
            Some(v) => Change::Set(safe(v)),
            None => Change::Remove,
        };
        let python = kc.new.as_ref().filter(|_| !secret).map(|v| {
            format!(
                "{} = {}",
                crate::settings::python::setting_name(&root, &path),
                pyvalue::to_python(&safe(v))
            )
        });
        let edit = Edit {
            service: Service::of_path(&change.path),
            module: ModuleKind::Config,
            root: root.clone(),
            path: path.clone(),
            change: change_kind,
            whole,
            python,
            secret,
            // Era A's aws.py reads each key as named (TIME_ZONE is TIME_ZONE there).
            overwritten: t
                .paths
                .yaml_aliases
                .get(&root)
                .filter(|_| !self.deploy.json)
                .map(|a| Some(a.clone())),
            renamed_to: None,
        };
        let default = !secret
            && kc.status != Status::Removed
            && match &kc.new {
                Some(v) => self.is_code_default(change, &kc.key, v)?,
                None => false,
            };
        // A development machine's address (vagrant, devstack, Tutor's local domains) is not
        // carried: it describes where the file came from, not the deployment.
        let local = kc
            .new
            .as_ref()
            .is_some_and(|v| replace::local_host(&kc.key, v));
        let spec = (!default && !local)
            .then(|| replace::decide(&edit, &kc.key, &self.deploy))
            .transpose()?;
        let shown = |v: &Option<Value>| {
            if secret {
                None
            } else {
                v.as_ref().map(secrets::redact_tree)
            }
        };
        Ok(KeyEntry {
            key: kc.key.clone(),
            status: kc.status,
            line,
            secret,
            default,
            old: shown(&kc.old),
            new: shown(&kc.new),
            replacement: spec.as_ref().map(Spec::replacement),
            spec,
        })
    }

    fn scan_private_keys(&mut self, change: &FileChange) -> Result<()> {
        let Some(new) = blob_text(&self.ctx.repo, change.new_oid())? else {
            return Ok(());
        };
        if new.len() > parse::MAX_BYTES || !new.contains("PRIVATE KEY-----") {
            return Ok(());
        }
        for body in secrets::pem::bodies(&new) {
            self.ctx.secrets.add(&body);
        }
        let old = blob_text(&self.ctx.repo, change.old_oid())?.unwrap_or_default();
        let lines: Vec<&str> = new.lines().collect();
        for block in secrets::pem_private_keys(&new) {
            // A block already in the base version of the file is upstream's, not the fork's.
            let idx = block.line as usize;
            let first_key_line = lines.get(idx).copied().unwrap_or("");
            let begin_line = lines.get(idx.saturating_sub(1)).copied().unwrap_or("");
            if !old.is_empty() && old.contains(begin_line) && old.contains(first_key_line) {
                continue;
            }
            self.findings.push(
                Finding::new(
                    self.ctx.rules.rule(RuleId::FC212),
                    &change.path,
                    format!(
                        "{} block committed in `{}` (key material not shown)",
                        block.label, change.path
                    ),
                )
                .line(block.line)
                .key(block.label.clone())
                .subject(format!("{}:{}", block.label, block.line))
                .build(),
            );
            self.section.secrets += 1;
            self.section.private_keys.push(PrivateKey {
                path: change.path.clone(),
                line: block.line,
                label: block.label,
            });
        }
        Ok(())
    }
}
