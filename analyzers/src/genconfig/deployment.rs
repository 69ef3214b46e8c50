//! The deployment files that are not settings data: a Tutor `config.yml` (FC204), rendered
//! deployment files (FC205) and credential files (FC213), with the secrets in each (FC210).

use serde_json::Value;

use super::classify::{self, ConfigKind};
use super::keys::{self, Status};
use super::parse::{self, Format};
use super::{some_names, verb, ConfigFile, KeyEntry, Run};
use crate::changes::files::{blob_text, FileChange};
use crate::model::{Finding, RuleId};
use crate::replace::{self, tables::star_match, Service, Spec, TutorEntry};
use crate::secrets::{self, files::CredentialFile, text::url_passwords, values::holds_credential};
use crate::Result;

impl Run<'_> {
    /// Tutor's `config.yml`: one finding with the changed keys; secrets named; a replacement
    /// only for keys that are neither deployment facts nor generated secrets and differ from
    /// Tutor's default.
    pub(super) fn tutor_config(&mut self, change: &FileChange) -> Result<()> {
        let t = replace::tables::tables()?;
        let cy = &t.tutor.config_yml;
        let repo = &self.ctx.repo;
        let format = Format::of(&change.path);
        let parse_obj = |oid| -> Result<serde_json::Map<String, Value>> {
            Ok(blob_text(repo, oid)?
                .and_then(|t| parse::parse(&t, format).ok().flatten())
                .and_then(|v| match v {
                    Value::Object(m) => Some(m),
                    _ => None,
                })
                .unwrap_or_default())
        };
        let old = parse_obj(change.old_oid())?;
        let new = parse_obj(change.new_oid())?;
        let new_text = blob_text(repo, change.new_oid())?.unwrap_or_default();
        let is = |globs: &[String], k: &str| globs.iter().any(|g| star_match(g, k));
        let mut file = ConfigFile {
            path: change.path.clone(),
            status: crate::changes::files::status(change),
            kind: ConfigKind::TutorConfig,
            format: format.as_str().into(),
            error: None,
            keys: Vec::new(),
        };
        let mut carried = Vec::new();
        let mut not_carried = Vec::new();
        let mut secret_keys = Vec::new();
        let keys: Vec<&String> = new
            .keys()
            .chain(old.keys().filter(|k| !new.contains_key(*k)))
            .collect();
        for key in keys {
            let (o, n) = (old.get(key), new.get(key));
            if o == n {
                continue;
            }
            let status = match (o, n) {
                (None, _) => Status::Added,
                (_, None) => Status::Removed,
                _ => Status::Changed,
            };
            let mut tree = serde_json::Map::new();
            if let Some(v) = n {
                tree.insert(key.clone(), v.clone());
            }
            let secret = is(&cy.generated, key)
                || secrets::is_secret_path(&[key.as_str()])
                || n.is_some_and(|v| {
                    secrets::redact_tree(&Value::Object(tree.clone())).get(key) != Some(v)
                });
            for v in [o, n].into_iter().flatten() {
                self.ctx
                    .secrets
                    .add_tree(std::slice::from_ref(key), v, secret);
            }
            let deployment = is(&cy.deployment, key)
                || is(&cy.accounts, key)
                || n.is_some_and(|v| crate::replace::local_host(key, v));
            let default = n.is_some() && cy.defaults.get(key) == n;
            let line = n.and_then(|_| keys::locate(&new_text, key));
            let spec = match n {
                Some(v) if !secret && !deployment && !default && !keys::is_empty_value(v) => {
                    carried.push(key.clone());
                    Some(Spec {
                        service: Service::Both,
                        setting: key.clone(),
                        yaml: None,
                        ansible: None,
                        tutor: Some(TutorEntry::Config {
                            key: key.clone(),
                            value: v.clone(),
                        }),
                        secret: false,
                        json: false,
                        notes: vec![
                            "from a committed Tutor config.yml: keep it in the deployment's private config (`tutor config save --set`)".into(),
                        ],
                    })
                }
                _ => {
                    if n.is_some() && !secret {
                        not_carried.push(key.clone());
                    }
                    None
                }
            };
            if secret && n.is_some_and(|v| !keys::is_empty_value(v)) {
                secret_keys.push((key.clone(), line));
            }
            file.keys.push(KeyEntry {
                key: key.clone(),
                status,
                line,
                secret,
                default,
                old: o.filter(|_| !secret).map(secrets::redact_tree),
                new: n.filter(|_| !secret).map(secrets::redact_tree),
                replacement: spec.as_ref().map(Spec::replacement),
                spec,
            });
        }
        for (key, line) in &secret_keys {
            self.secret_finding(&change.path, key, *line, "")?;
        }
        let names: Vec<String> = file.keys.iter().map(|k| k.key.clone()).collect();
        let mut message = format!(
            "Tutor config.yml {} by the fork: `{}`",
            verb(crate::changes::files::status(change)),
            change.path
        );
        if !names.is_empty() {
            message.push_str(&format!(
                " ({} keys changed — {})",
                names.len(),
                some_names(&names, 8)
            ));
        }
        self.file_finding(
            change,
            RuleId::FC204,
            message,
            vec![
                (
                    "keys",
                    Value::Array(names.into_iter().map(Value::String).collect()),
                ),
                (
                    "carried",
                    Value::Array(carried.into_iter().map(Value::String).collect()),
                ),
                (
                    "not_carried",
                    Value::Array(not_carried.into_iter().map(Value::String).collect()),
                ),
                (
                    "secrets",
                    Value::Array(
                        secret_keys
                            .into_iter()
                            .map(|(k, _)| Value::String(k))
                            .collect(),
                    ),
                ),
            ],
        )?;
        self.section.files.push(file);
        Ok(())
    }

    /// A rendered deployment file (docker-compose, Caddyfile, k8s, Dockerfile, Ansible vars):
    /// one finding when `report` (the fork added it, or it is in Tutor's env tree), and a
    /// secret finding for every credential in it that the fork added or changed.
    pub(super) fn rendered(
        &mut self,
        change: &FileChange,
        kind: ConfigKind,
        report: bool,
    ) -> Result<()> {
        let repo = &self.ctx.repo;
        let old_text = blob_text(repo, change.old_oid())?;
        let new_text = blob_text(repo, change.new_oid())?;
        let format = Format::of(&change.path);
        let parse_doc = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| parse::parse(t, format).ok().flatten())
        };
        let (old, new) = (parse_doc(&old_text), parse_doc(&new_text));
        let mut secret_keys: Vec<(String, Option<u32>)> = Vec::new();
        if format != Format::Other && (old.is_some() || new.is_some()) {
            for doc in [&old, &new].into_iter().flatten() {
                self.ctx.secrets.add_tree(&[], doc, false);
            }
            for kc in keys::diff(old.as_ref(), new.as_ref()) {
                let Some(v) = kc.new.as_ref().filter(|v| !keys::is_empty_value(v)) else {
                    continue;
                };
                let in_value = v.as_str().is_some_and(|s| {
                    holds_credential(s) || !secrets::text::assignments(s).is_empty()
                });
                if secrets::is_secret_key_path(&kc.key) || in_value {
                    let line = new_text.as_deref().and_then(|t| keys::locate(t, &kc.key));
                    secret_keys.push((kc.key.clone(), line));
                }
            }
        } else {
            for t in [&old_text, &new_text].into_iter().flatten() {
                self.ctx.secrets.add_text(t);
            }
            if let Some(text) = &new_text {
                let before = old_text.as_deref().unwrap_or("");
                let old_lines: std::collections::HashSet<&str> = before.lines().collect();
                for (i, line) in text.lines().enumerate() {
                    if old_lines.contains(line) {
                        continue;
                    }
                    let n = u32::try_from(i + 1).ok();
                    for a in secrets::text::assignments(line) {
                        secret_keys.push((a.key, n));
                    }
                    if !url_passwords(line).is_empty() {
                        secret_keys.push(("password in URL".into(), n));
                    }
                }
            }
        }
        for (key, line) in &secret_keys {
            self.secret_finding(&change.path, key, *line, "")?;
        }
        if !report {
            return Ok(());
        }
        let advice = match (kind, classify::tutor_patch_for(kind, &change.path)) {
            (ConfigKind::AnsibleVars, _) => "Ansible variables belong in the deployment's private configuration repository, not in edx-platform".to_string(),
            (ConfigKind::TutorEnv, _) => "rendered by Tutor: regenerate it with `tutor config save`; carry the change as a Tutor plugin (patch or template)".to_string(),
            (_, Some(patch)) => format!("deployment file: with Tutor, regenerate it with `tutor config save` and carry the change as a plugin patch such as `{patch}`; otherwise keep it in the deployment's repository"),
            (_, None) => "deployment file: keep it in the deployment's repository, not in edx-platform".to_string(),
        };
        let secret_note = match secret_keys.len() {
            0 => String::new(),
            n => format!("; {n} secret{} in it", if n == 1 { "" } else { "s" }),
        };
        let message = format!(
            "{} {} by the fork: `{}` ({advice}{secret_note})",
            kind.describe(),
            verb(crate::changes::files::status(change)),
            change.path
        );
        let patch = classify::tutor_patch_for(kind, &change.path);
        let mut data = vec![("kind", Value::String(kind.as_str().into()))];
        if let Some(p) = patch {
            data.push(("tutor_patch", Value::String(p.into())));
        }
        if !secret_keys.is_empty() {
            data.push((
                "secrets",
                Value::Array(
                    secret_keys
                        .iter()
                        .map(|(k, _)| Value::String(k.clone()))
                        .collect(),
                ),
            ));
        }
        self.file_finding(change, RuleId::FC205, message, data)?;
        self.section.files.push(ConfigFile {
            path: change.path.clone(),
            status: crate::changes::files::status(change),
            kind,
            format: format.as_str().into(),
            error: None,
            keys: secret_keys
                .into_iter()
                .map(|(key, line)| KeyEntry {
                    key,
                    status: Status::Added,
                    line,
                    secret: true,
                    default: false,
                    old: None,
                    new: None,
                    replacement: None,
                    spec: None,
                })
                .collect(),
        });
        Ok(())
    }

    /// A credential file: one secret finding per credential, naming the file and the key.
    pub(super) fn credential_file(
        &mut self,
        change: &FileChange,
        kind: CredentialFile,
    ) -> Result<()> {
        let Some(new) = change.new_oid() else {
            return Ok(());
        };
        let text = blob_text(&self.ctx.repo, Some(new))?;
        let mut values = secrets::SecretValues::default();
        let found = secrets::files::scan(kind, text.as_deref(), &mut values);
        if let Some(old) = blob_text(&self.ctx.repo, change.old_oid())? {
            secrets::files::scan(kind, Some(&old), &mut values);
        }
        self.ctx.secrets.add_all(values);
        if found.is_empty() {
            return Ok(());
        }
        let mut entries = Vec::new();
        for f in &found {
            self.findings.push(
                Finding::new(
                    self.ctx.rules.rule(RuleId::FC213),
                    &change.path,
                    format!(
                        "{} committed: `{}` holds `{}` (value not shown)",
                        kind.as_str(),
                        change.path,
                        f.key
                    ),
                )
                .line_opt(f.line)
                .key(f.key.clone())
                .status(crate::changes::files::status(change).as_str())
                .subject(format!("{}:{}", f.key, f.line.unwrap_or(0)))
                .build(),
            );
            self.section.secrets += 1;
            entries.push(KeyEntry {
                key: f.key.clone(),
                status: Status::Added,
                line: f.line,
                secret: true,
                default: false,
                old: None,
                new: None,
                replacement: None,
                spec: None,
            });
        }
        self.section.files.push(ConfigFile {
            path: change.path.clone(),
            status: crate::changes::files::status(change),
            kind: ConfigKind::Credentials,
            format: Format::Other.as_str().into(),
            error: None,
            keys: entries,
        });
        Ok(())
    }
}
