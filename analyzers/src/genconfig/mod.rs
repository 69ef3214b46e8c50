//! Generated deployment config committed to the fork (findings of kind `generated-config`), and
//! secrets in anything the fork added or changed (kind `secret`).
//!
//! Paths come from `rules/config-paths.toml` plus `[settings] generated` in forkcheck.toml. For
//! each such file the fork added, modified or deleted, both sides are parsed (JSON, YAML; see
//! [`parse`]) and compared key by key ([`keys`]). Secrets ([`secrets`]) are decided where the
//! finding is made: a secret finding names the key and never stores its value.

pub mod changes;
pub mod keys;
pub mod parse;
pub mod pyvalue;
pub mod secrets;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::replace::{self, Change, Deployment, Edit, ModuleKind, Service, TutorEntry};
use crate::report::Finding;
use crate::{Context, Progress, Result};
use changes::{blob_text, FileChange, FileStatus};
use keys::Status;
use parse::Format;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfigSection {
    /// Generated-config files the fork added, modified or deleted.
    pub files: Vec<ConfigFile>,
    /// PEM private keys in files the fork added or changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private_keys: Vec<PrivateKey>,
    /// Number of secret findings (config values, settings, private keys).
    pub secrets: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigFile {
    pub path: String,
    pub status: FileStatus,
    /// `json`, `yaml` or `other` (not compared key by key).
    pub format: String,
    /// Why the file could not be compared, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrivateKey {
    pub path: String,
    pub line: u32,
    pub label: String,
}

/// How a path is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Generated Django config (env/auth JSON, lms.yml, Tutor env tree).
    Generated,
    /// Tutor's own `config.yml` (keys are Tutor config keys).
    TutorConfig,
}

pub(crate) fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

pub fn analyze(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
) -> Result<Option<ConfigSection>> {
    let t = replace::tables::tables()?;
    let mut generated_globs = t.paths.generated.globs.clone();
    generated_globs.extend(ctx.config.settings.generated.iter().cloned());
    let generated = changes::globset(&generated_globs, "forkcheck.toml [settings] generated")?;
    let if_keys = &t.paths.generated_if_keys;
    let if_keys_set = changes::globset(
        &if_keys.iter().map(|g| g.glob.clone()).collect::<Vec<_>>(),
        "rules/config-paths.toml",
    )?;
    let secret_files = changes::globset(&t.paths.secret_files.globs, "rules/config-paths.toml")?;
    let deploy = Deployment {
        base_index: ctx.base_release.map(|r| r.index),
    };

    let changed = changes::changed_files(&ctx.repo, ctx.base_oid, ctx.head)?;
    progress.stage("config", Some(changed.len() as u64));
    let mut section = ConfigSection::default();
    for change in &changed {
        progress.inc(1);
        // Secrets: PEM private keys in any text file the fork added or changed.
        if change.new.is_some() {
            scan_private_keys(ctx, change, findings, &mut section)?;
        }
        let class = if generated.is_match(&change.path) {
            Class::Generated
        } else if if_keys_set.is_match(&change.path) {
            Class::TutorConfig
        } else {
            continue;
        };
        let old_text = blob_text(&ctx.repo, change.old)?;
        let new_text = blob_text(&ctx.repo, change.new)?;
        let format = Format::of(&change.path);
        let old = old_text
            .as_deref()
            .map(|t| parse::parse(t, format))
            .transpose();
        let new = new_text
            .as_deref()
            .map(|t| parse::parse(t, format))
            .transpose();
        if class == Class::TutorConfig {
            let keys_of = |v: &Option<Option<Value>>| match v {
                Some(Some(Value::Object(m))) => if_keys
                    .iter()
                    .any(|g| g.keys.iter().any(|k| m.contains_key(k))),
                _ => false,
            };
            let relevant = matches!((&old, &new), (Ok(o), _) if keys_of(o))
                || matches!((&old, &new), (_, Ok(n)) if keys_of(n));
            if !relevant {
                continue;
            }
        }
        let is_secret_file = secret_files.is_match(&change.path);
        let rule = ctx.rules.get("FC201")?;
        findings.push(
            Finding::new(
                rule,
                &change.path,
                format!(
                    "generated deployment config {} by the fork: `{}`",
                    match change.status {
                        FileStatus::Added => "added",
                        FileStatus::Modified => "edited",
                        FileStatus::Deleted => "deleted",
                    },
                    change.path
                ),
            )
            .status(change.status.as_str())
            .subject(change.path.clone())
            .build(),
        );
        let mut file = ConfigFile {
            path: change.path.clone(),
            status: change.status,
            format: format.as_str().into(),
            error: None,
            keys: Vec::new(),
        };
        let (old, new) = match (old, new) {
            (Ok(o), Ok(n)) => (o.flatten(), n.flatten()),
            (_, Err(e)) | (Err(e), _) => {
                findings.push(
                    Finding::new(
                        ctx.rules.get("FC203")?,
                        &change.path,
                        format!("`{}` cannot be compared key by key: {e}", change.path),
                    )
                    .subject(change.path.clone())
                    .data("error", e.clone())
                    .build(),
                );
                file.error = Some(e);
                section.files.push(file);
                continue;
            }
        };
        if format != Format::Other {
            for kc in keys::diff(old.as_ref(), new.as_ref()) {
                let line = match kc.status {
                    Status::Removed => None,
                    _ => new_text.as_deref().and_then(|t| keys::locate(t, &kc.key)),
                };
                let entry = key_finding(
                    ctx,
                    change,
                    class,
                    is_secret_file,
                    &kc,
                    line,
                    new.as_ref(),
                    deploy,
                    findings,
                )?;
                if entry.secret && kc.status != Status::Removed {
                    section.secrets += 1;
                }
                file.keys.push(entry);
            }
        }
        section.files.push(file);
    }
    progress.finish_stage();
    let any = !section.files.is_empty() || !section.private_keys.is_empty();
    Ok(any.then_some(section))
}

#[allow(clippy::too_many_arguments)]
fn key_finding(
    ctx: &Context,
    change: &FileChange,
    class: Class,
    is_secret_file: bool,
    kc: &keys::KeyChange,
    line: Option<u32>,
    new_doc: Option<&Value>,
    deploy: Deployment,
    findings: &mut Vec<Finding>,
) -> Result<KeyEntry> {
    let t = replace::tables::tables()?;
    let segs = keys::segments(&kc.key);
    let secret_key = is_secret_file || secrets::is_credential_key(&kc.key);
    let has_value = kc.new.as_ref().is_some_and(|v| !is_empty_value(v));
    let secret = secret_key && has_value && kc.status != Status::Removed;
    let (root, path) = match segs.split_first() {
        Some((r, p)) => (r.clone(), p.to_vec()),
        None => (kc.key.clone(), Vec::new()),
    };
    // The replacement.
    let spec = match class {
        Class::TutorConfig => replace::Spec {
            service: Service::Both,
            setting: kc.key.clone(),
            yaml: None,
            ansible: None,
            tutor: kc
                .new
                .as_ref()
                .filter(|_| path.is_empty())
                .map(|v| TutorEntry::Config {
                    key: root.clone(),
                    value: if secret_key {
                        Value::String(replace::SECRET_PLACEHOLDER.into())
                    } else {
                        v.clone()
                    },
                }),
            secret,
            notes: vec![
                "Tutor's config.yml belongs in the deployment's private config, not in the fork"
                    .into(),
            ],
        },
        Class::Generated => {
            let whole = new_doc.and_then(|d| d.get(&root)).cloned();
            let change_kind = match &kc.new {
                Some(v) => Change::Set(v.clone()),
                None => Change::Remove,
            };
            let python = kc.new.as_ref().map(|v| {
                format!(
                    "{} = {}",
                    crate::settings::python::setting_name(&root, &path),
                    pyvalue::to_python(v)
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
                secret: secret_key,
                overwritten: t.paths.yaml_aliases.get(&root).map(|a| Some(a.clone())),
            };
            replace::decide(&edit, &kc.key, deploy)?
        }
    };
    let rule_id = if secret { "FC210" } else { "FC202" };
    let message = if secret {
        format!(
            "secret `{}` committed in `{}` (value not shown)",
            kc.key, change.path
        )
    } else {
        match kc.status {
            Status::Added => format!("`{}` added: {}", kc.key, show(kc.new.as_ref(), secret_key)),
            Status::Changed => format!(
                "`{}` changed: {} → {}",
                kc.key,
                show(kc.old.as_ref(), secret_key),
                show(kc.new.as_ref(), secret_key)
            ),
            Status::Removed => format!("`{}` removed", kc.key),
        }
    };
    let mut b = Finding::new(ctx.rules.get(rule_id)?, &change.path, message)
        .line_opt(line)
        .key(kc.key.clone())
        .status(kc.status.as_str())
        .replacement(spec.replacement())
        .data(
            "replacement",
            serde_json::to_value(&spec).unwrap_or(Value::Null),
        );
    if !secret_key {
        if let Some(o) = &kc.old {
            b = b.data("old", o.clone());
        }
        if let Some(n) = &kc.new {
            b = b.data("new", n.clone());
        }
    }
    findings.push(b.build());
    Ok(KeyEntry {
        key: kc.key.clone(),
        status: kc.status,
        line,
        secret: secret_key,
        old: if secret_key { None } else { kc.old.clone() },
        new: if secret_key { None } else { kc.new.clone() },
    })
}

fn show(v: Option<&Value>, secret: bool) -> String {
    match v {
        _ if secret => secrets::REDACTED.into(),
        None => "(none)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 80 {
                format!("{}…", s.chars().take(79).collect::<String>())
            } else {
                s
            }
        }
    }
}

const MAX_SCAN_BYTES: usize = 2 * 1024 * 1024;

fn scan_private_keys(
    ctx: &Context,
    change: &FileChange,
    findings: &mut Vec<Finding>,
    section: &mut ConfigSection,
) -> Result<()> {
    let Some(new) = blob_text(&ctx.repo, change.new)? else {
        return Ok(());
    };
    if new.len() > MAX_SCAN_BYTES || !new.contains("PRIVATE KEY-----") {
        return Ok(());
    }
    let old = blob_text(&ctx.repo, change.old)?.unwrap_or_default();
    let lines: Vec<&str> = new.lines().collect();
    for block in secrets::pem_private_keys(&new) {
        // A block already in the base version of the file is upstream's, not the fork's.
        let idx = block.line as usize;
        let first_key_line = lines.get(idx).copied().unwrap_or("");
        let begin_line = lines.get(idx.saturating_sub(1)).copied().unwrap_or("");
        if !old.is_empty() && old.contains(begin_line) && old.contains(first_key_line) {
            continue;
        }
        findings.push(
            Finding::new(
                ctx.rules.get("FC212")?,
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
        section.secrets += 1;
        section.private_keys.push(PrivateKey {
            path: change.path.clone(),
            line: block.line,
            label: block.label,
        });
    }
    Ok(())
}
