//! Settings modules edited by the fork (findings of kind `settings`), down to the setting, with
//! next-release risks against the target release and a configuration-management replacement
//! for every edit.
//!
//! Files: `lms/envs/*.py`, `cms/envs/*.py`, `openedx/envs/*.py` (`rules/config-paths.toml`) plus
//! `[settings] paths` from forkcheck.toml. Both versions are parsed ([`python`]), compared
//! ([`compare`]), and each touched setting is checked against the target's modules ([`risks`]).

pub mod compare;
pub mod literal;
pub mod python;
pub mod risks;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::changes::files::{self, blob_text, FileStatus};
use crate::changes::keys::Status;
use crate::model::{Finding, Location, RuleId};
use crate::replace::{self, Change, Deployment, Edit, ListDelta, ModuleKind, Service};
use crate::secrets;
use crate::{Context, Progress, Result};
use compare::OpChange;
use python::{Module, OpKind};
use risks::{Index, Overwrite};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SettingsSection {
    pub files: Vec<SettingsFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettingsFile {
    pub path: String,
    pub status: FileStatus,
    /// Lines of syntax errors in the fork's version (only what parsed was analysed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parse_errors: Vec<u32>,
    pub settings: Vec<SettingEntry>,
    /// Non-setting edits: imports, functions, classes, comments, other code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<OtherEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SettingEntry {
    pub setting: String,
    pub op: OpKind,
    pub status: Status,
    /// Line in the fork's file (added, changed) or in the base file (removed).
    pub line: u32,
    /// Source text in the base (secrets: never filled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// Source text in the fork (secrets: never filled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// Whether the fork's value is a Python literal.
    pub literal: bool,
    /// The literal value (secrets: never filled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    pub secret: bool,
    /// Rule ids of next-release risks found for this setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherEntry {
    pub category: String,
    pub status: Status,
    pub line: u32,
    pub text: String,
}

/// Facts from the base and target releases shared by every file.
struct Releases<'a> {
    base: &'a Index,
    target: Option<Index>,
    /// Overwrites after the YAML load, per production module path, from the target when there
    /// is one (else the base).
    overwrites: BTreeMap<String, BTreeMap<String, Overwrite>>,
    deploy: Deployment,
}

fn production_path(path: &str) -> &'static str {
    if path.starts_with("cms/") {
        "cms/envs/production.py"
    } else {
        "lms/envs/production.py"
    }
}

fn short(text: &str) -> String {
    let one = python::normalize(text);
    if one.chars().count() > 80 {
        format!("{}…", one.chars().take(79).collect::<String>())
    } else {
        one
    }
}

pub fn analyze(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
) -> Result<Option<SettingsSection>> {
    let t = replace::tables::tables()?;
    let mut globs = t.paths.settings.globs.clone();
    globs.extend(ctx.config.settings.paths.iter().cloned());
    let set = files::globset(&globs, "forkcheck.toml [settings] paths")?;
    let changed: Vec<_> = files::changed_files(ctx)?
        .into_iter()
        .filter(|c| set.is_match(&c.path))
        .collect();
    if changed.is_empty() {
        return Ok(None);
    }
    progress.stage("settings", Some(changed.len() as u64));
    let base = ctx.base_settings()?;
    let target = ctx
        .target_oid
        .map(|oid| Index::build(&ctx.repo, oid))
        .transpose()?;
    let mut overwrites = BTreeMap::new();
    for p in ["lms/envs/production.py", "cms/envs/production.py"] {
        let idx = target.as_ref().unwrap_or(base);
        overwrites.insert(p.to_string(), risks::overwrites(idx, p));
    }
    let rel = Releases {
        base,
        target,
        overwrites,
        deploy: ctx.deployment()?.0.clone(),
    };
    let mut section = SettingsSection::default();
    for change in &changed {
        progress.inc(1);
        let old_text = blob_text(&ctx.repo, change.old_oid())?.unwrap_or_default();
        let new_text = blob_text(&ctx.repo, change.new_oid())?.unwrap_or_default();
        let base_mod = python::extract(&old_text);
        let head_mod = python::extract(&new_text);
        let file = analyze_file(
            ctx,
            &rel,
            &change.path,
            crate::changes::files::status(change),
            &base_mod,
            &head_mod,
            findings,
        )?;
        section.files.push(file);
    }
    progress.finish_stage();
    Ok(Some(section))
}

fn analyze_file(
    ctx: &Context,
    rel: &Releases<'_>,
    path: &str,
    status: FileStatus,
    base_mod: &Module,
    head_mod: &Module,
    findings: &mut Vec<Finding>,
) -> Result<SettingsFile> {
    let mut file = SettingsFile {
        path: path.to_string(),
        status,
        parse_errors: head_mod.error_lines.clone(),
        settings: Vec::new(),
        other: Vec::new(),
    };
    if let Some(first) = head_mod.error_lines.first() {
        findings.push(
            Finding::new(
                ctx.rules.rule(RuleId::FC303),
                path,
                format!(
                    "`{path}` does not parse as Python (syntax error at line {first}); only what the parser recovered was analysed"
                ),
            )
            .line(*first)
            .subject(path.to_string())
            .build(),
        );
    }
    for ch in compare::compare_ops(base_mod, head_mod) {
        let entry = setting_change(ctx, rel, path, &ch, head_mod, findings)?;
        file.settings.push(entry);
    }
    let others = compare::compare_others(base_mod, head_mod);
    if !others.is_empty() {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for o in &others {
            *counts
                .entry(format!("{} {}", o.item.category, o.status.as_str()))
                .or_insert(0) += 1;
        }
        let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let line = others
            .iter()
            .find(|o| o.status != Status::Removed)
            .map(|o| o.item.line);
        for o in &others {
            file.other.push(OtherEntry {
                category: o.item.category.to_string(),
                status: o.status,
                line: o.item.line,
                text: short(&secrets::redact_code(
                    o.item.text.lines().next().unwrap_or(""),
                )),
            });
        }
        let changes: Vec<Value> = file
            .other
            .iter()
            .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
            .collect();
        findings.push(
            Finding::new(
                ctx.rules.rule(RuleId::FC302),
                path,
                format!("non-setting edits in `{path}`: {}", summary.join(", ")),
            )
            .line_opt(line)
            .subject(path.to_string())
            .data("changes", Value::Array(changes))
            .build(),
        );
    }
    Ok(file)
}

/// The whole literal value of `root` in `module` after all its literal operations, if known.
fn whole_literal(module: &Module, root: &str) -> Option<Value> {
    let mut whole: Option<Value> = None;
    for op in module.ops.iter().filter(|o| o.root == root) {
        match op.kind {
            OpKind::Assign => whole = Some(op.value.clone()?),
            OpKind::DictKey | OpKind::Subscript => {
                let v = op.value.clone()?;
                let mut cur = whole.get_or_insert_with(|| Value::Object(Default::default()));
                let (last, parents) = op.path.split_last()?;
                for p in parents {
                    cur = cur
                        .as_object_mut()?
                        .entry(p.clone())
                        .or_insert_with(|| Value::Object(Default::default()));
                }
                cur.as_object_mut()?.insert(last.clone(), v);
            }
            _ => return None,
        }
    }
    whole
}

fn setting_change(
    ctx: &Context,
    rel: &Releases<'_>,
    path: &str,
    ch: &OpChange,
    head_mod: &Module,
    findings: &mut Vec<Finding>,
) -> Result<SettingEntry> {
    let op = &ch.op;
    let mut segs = vec![op.root.clone()];
    segs.extend(op.path.iter().cloned());
    let path_secret = secrets::is_secret_path(&segs);
    // Every value this statement holds under a secret key (at any depth), or as a URL password
    // or a private JWK, is hidden wherever it appears in the report.
    collect_secrets(ctx, &segs, path_secret, op);
    if let Some(o) = &ch.old {
        collect_secrets(ctx, &segs, path_secret, o);
    }
    // Secret members of the fork's value: the setting itself, or keys inside a dict it sets or
    // merges (`JWT_AUTH.update({"JWT_PRIVATE_SIGNING_JWK": …})`).
    let members = if ch.status == Status::Removed {
        Vec::new()
    } else {
        secret_members(&segs, path_secret, op)
    };
    let secret = !members.is_empty();
    // Credential-like settings never keep their source text, whatever the status.
    // Also statements whose text holds credential-like keys (`X = {"PASSWORD": "…", **Y}`).
    let cred = path_secret || secret;
    let old_text = ch.old.as_ref().map(|o| secrets::redact_code(&o.text));
    let new_text = (ch.status != Status::Removed).then(|| secrets::redact_code(&op.text));
    let literal = ch.status != Status::Removed && op.value.is_some();

    // Next-release risks.
    let mut risk_findings = Vec::new();
    if let Some(target) = &rel.target {
        risk_findings = risks_for(ctx, rel, target, path, ch)?;
    }

    // The replacement.
    let overwrite = rel
        .overwrites
        .get(production_path(path))
        .and_then(|m| m.get(&op.root))
        .filter(|o| o.path != path || o.line > op.line);
    // A literal list edited in place is carried as its delta, never as the whole list.
    let list_delta = match (ch.status, op.kind, &ch.old, &op.value) {
        (Status::Changed, OpKind::Assign, Some(old), Some(Value::Array(new)))
            if op.path.is_empty() =>
        {
            match &old.value {
                Some(Value::Array(base)) => ListDelta::of(base, new, &op.text),
                _ => None,
            }
        }
        _ => None,
    };
    let change = match (ch.status, op.kind, &op.value) {
        _ if list_delta.is_some() => Change::List(list_delta.clone().unwrap_or_default()),
        (Status::Removed, _, _) | (_, OpKind::Del, _) => Change::Remove,
        (_, k, Some(v)) if k.sets_value() => Change::Set(v.clone()),
        (_, OpKind::Call, Some(v)) if op.method.as_deref() == Some("append") => {
            Change::Append(vec![v.clone()])
        }
        (_, OpKind::Call, Some(Value::Array(items))) if op.method.as_deref() == Some("extend") => {
            Change::Append(items.clone())
        }
        (_, OpKind::AugAssign, Some(Value::Array(items))) => Change::Append(items.clone()),
        _ => Change::Expr,
    };
    let edit = Edit {
        service: Service::of_path(path),
        module: ModuleKind::of_path(path),
        root: op.root.clone(),
        path: op.path.clone(),
        change,
        whole: whole_literal(head_mod, &op.root)
            .map(|w| secrets::values::redact_tree_as(&w, replace::SECRET_PLACEHOLDER)),
        python: (ch.status != Status::Removed).then(|| op.stmt.clone()),
        secret: cred,
        overwritten: overwrite
            .filter(|_| op.path.is_empty() && op.kind.sets_value())
            .map(|o| o.alias.clone()),
        renamed_to: risk_findings
            .iter()
            .find_map(|f| f.data.get("renamed_to"))
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let mut spec = replace::decide(&edit, &op.setting, &rel.deploy)?;
    // A setting the target no longer defines (and does not rename): say so on the replacement.
    if risk_findings.iter().any(|f| f.rule == RuleId::FC304) {
        let target = ctx
            .target
            .as_ref()
            .and_then(|t| t.release.clone())
            .unwrap_or_else(|| "the target".into());
        spec.notes.push(format!(
            "{target} no longer defines {}: the replacement has no effect there; drop it when you upgrade",
            op.setting
        ));
    }

    let subject = match op.kind {
        OpKind::Call => format!("{}.{}", op.setting, op.method.as_deref().unwrap_or("")),
        _ => op.setting.clone(),
    };
    let shown = |t: &Option<String>| t.as_deref().map(short).unwrap_or_default();
    let message = if secret {
        let named: Vec<String> = members.iter().take(4).map(|m| format!("`{m}`")).collect();
        let more = members.len().saturating_sub(4);
        format!(
            "secret setting {}{} assigned a literal in `{path}` (value not shown)",
            named.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )
    } else if cred {
        format!("`{}` {} (value not shown)", op.setting, ch.status.as_str())
    } else {
        match (ch.status, op.kind) {
            (Status::Added, OpKind::Call | OpKind::AugAssign | OpKind::Del) => {
                format!("`{}` added", short(&op.stmt))
            }
            (Status::Removed, OpKind::Call | OpKind::AugAssign | OpKind::Del) => {
                format!("`{}` removed", short(&op.stmt))
            }
            (Status::Added, _) => format!("`{}` added: `{}`", op.setting, shown(&new_text)),
            (Status::Changed, _) if list_delta.is_some() => format!(
                "`{}` changed: {}",
                op.setting,
                list_delta
                    .as_ref()
                    .map(ListDelta::describe)
                    .unwrap_or_default()
            ),
            (Status::Changed, _) => format!(
                "`{}` changed: `{}` → `{}`",
                op.setting,
                shown(&old_text),
                shown(&new_text)
            ),
            (Status::Removed, _) => {
                format!("`{}` removed (was `{}`)", op.setting, shown(&old_text))
            }
        }
    };
    let rule = if secret { RuleId::FC211 } else { RuleId::FC301 };
    let mut b = Finding::new(ctx.rules.rule(rule), path, message)
        .line(op.line)
        .setting(op.setting.clone())
        .status(ch.status.as_str())
        .subject(format!("{subject}#{}", op.ident))
        .replacement(spec.replacement())
        .data("op", op.kind.as_str())
        .data("literal", literal)
        .data(
            "replacement",
            serde_json::to_value(&spec).unwrap_or(Value::Null),
        );
    if let Some(m) = &op.method {
        b = b.data("method", m.clone());
    }
    if secret {
        b = b.key(members.first().cloned().unwrap_or_default()).data(
            "secret_members",
            Value::Array(members.iter().cloned().map(Value::String).collect()),
        );
    }
    if !cred {
        if let Some(o) = &old_text {
            b = b.original(o.clone());
        }
        if let Some(n) = &new_text {
            b = b.data("new", n.clone());
        }
        if let (Some(v), true) = (&op.value, ch.status != Status::Removed) {
            b = b.data("value", v.clone());
        }
    }
    findings.push(b.build());
    let risks: Vec<String> = risk_findings.iter().map(|f| f.rule.clone()).collect();
    findings.extend(risk_findings);
    Ok(SettingEntry {
        setting: op.setting.clone(),
        op: op.kind,
        status: ch.status,
        line: op.line,
        old: if cred { None } else { old_text },
        new: if cred { None } else { new_text },
        literal,
        value: if cred || ch.status == Status::Removed {
            None
        } else {
            op.value.clone()
        },
        secret,
        risks,
    })
}

/// Add the secret values of one settings operation to the run's secret set.
fn collect_secrets(ctx: &Context, segs: &[String], path_secret: bool, op: &python::Op) {
    if let Some(v) = &op.value {
        ctx.secrets.add_tree(segs, v, path_secret);
    }
    ctx.secrets.add_text(&op.stmt);
    if path_secret && op.value.is_none() {
        // A non-literal value (`SECRET_KEY = env("X", "fallback")`): its string literals, but
        // not the upper-case names it looks up; of a JWK built in code (`json.dumps({"kty": …})`)
        // only the private members (`kid`, `n`, `e` are public).
        if op.text.contains("kty") {
            let lits = string_literals(&op.text);
            for pair in lits.windows(2) {
                if secrets::keys::JWK_PRIVATE_MEMBERS.contains(&pair[0].as_str()) {
                    ctx.secrets.add(&pair[1]);
                }
            }
            return;
        }
        for lit in string_literals(&op.text) {
            let reference = lit
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if !reference {
                ctx.secrets.add(&lit);
            }
        }
    }
}

/// The contents of the string literals in a Python expression (no escapes processed).
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            continue;
        }
        let mut lit = String::new();
        let mut escaped = false;
        for d in chars.by_ref() {
            if escaped {
                escaped = false;
                lit.push(d);
            } else if d == '\\' {
                escaped = true;
            } else if d == c {
                break;
            } else {
                lit.push(d);
            }
        }
        out.push(lit);
    }
    out
}

/// The settings (Python subscript notation) holding a secret in the fork's value of `op`: the
/// setting itself when its path is secret and it sets a non-empty literal, and every secret
/// member of a literal dict it sets or merges; a string value holding a URL password or a
/// private JWK counts too.
fn secret_members(segs: &[String], path_secret: bool, op: &python::Op) -> Vec<String> {
    let Some(value) = &op.value else {
        // A credential set from an expression holding literals (`json.dumps({"d": "…"})`,
        // `"pw-" + suffix`) is as committed as a plain literal; one that only looks values up
        // (`os.environ["DB_PASSWORD"]`) is not.
        let literal_inside = string_literals(&op.text).iter().any(|l| {
            !l.is_empty()
                && !l
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        });
        return if path_secret && literal_inside && op.kind != OpKind::Del {
            vec![op.setting.clone()]
        } else {
            Vec::new()
        };
    };
    if crate::changes::keys::is_empty_value(value) {
        return Vec::new();
    }
    if path_secret
        && (op.kind.sets_value() || op.kind == OpKind::Call || op.kind == OpKind::AugAssign)
    {
        return vec![op.setting.clone()];
    }
    let mut out = Vec::new();
    let mut path = segs.to_vec();
    members_in(value, &mut path, &mut out);
    out
}

fn members_in(value: &Value, path: &mut Vec<String>, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                if secrets::is_secret_path(path) && !crate::changes::keys::is_empty_value(v) {
                    out.push(python::setting_name(&path[0], &path[1..]));
                } else {
                    members_in(v, path, out);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for v in items {
                members_in(v, path, out);
            }
        }
        Value::String(s) if secrets::values::holds_credential(s) => {
            out.push(python::setting_name(&path[0], &path[1..]));
        }
        _ => {}
    }
}

fn target_loc(path: &str, line: Option<u32>, note: String) -> Location {
    Location {
        path: path.to_string(),
        line,
        rev: Some("target".into()),
        note: Some(note),
    }
}

/// Next-release risks of one touched setting.
fn risks_for(
    ctx: &Context,
    rel: &Releases<'_>,
    target: &Index,
    path: &str,
    ch: &OpChange,
) -> Result<Vec<Finding>> {
    let op = &ch.op;
    let mut out = Vec::new();
    let target_name = ctx
        .target
        .as_ref()
        .and_then(|t| t.release.clone())
        .unwrap_or_else(|| "the target".into());
    let subject = format!("{}#{}", op.setting, op.ident);
    let mut flag_promoted = false;

    // FEATURES flag read as a top-level setting in the target (Ulmo on).
    if let (true, Some(flag)) = (
        op.root == "FEATURES" && op.path.len() == 1 && ch.status != Status::Removed,
        op.path.first(),
    ) {
        if target.defines(flag) && !rel.base.defines(flag) {
            if let Some(def) = target.def_near(flag, path) {
                flag_promoted = true;
                out.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC307),
                        path,
                        format!(
                            "`{}`: {target_name} reads `{flag}` as a top-level setting; set `{flag}` instead",
                            op.setting
                        ),
                    )
                    .line(op.line)
                    .setting(op.setting.clone())
                    .subject(subject.clone())
                    .target_location(target_loc(&def.path, Some(def.line), format!("{flag} defined here")))
                    .build(),
                );
            }
        }
    }

    // Removed or renamed in the target.
    let name = op.setting.as_str();
    if rel.base.defines(name) && !target.defines(name) && !flag_promoted {
        let base_def = rel.base.def_near(name, path);
        let rename = base_def.and_then(|d| risks::find_rename(name, d, rel.base, target));
        match rename {
            Some((new_name, def)) => out.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC305),
                    path,
                    format!("`{name}` is renamed `{new_name}` in {target_name}"),
                )
                .line(op.line)
                .setting(name.to_string())
                .subject(subject.clone())
                .data("renamed_to", new_name.to_string())
                .target_location(target_loc(
                    &def.path,
                    Some(def.line),
                    format!("{new_name} defined here"),
                ))
                .build(),
            ),
            None => out.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC304),
                    path,
                    format!("`{name}` is no longer defined in {target_name}"),
                )
                .line(op.line)
                .setting(name.to_string())
                .subject(subject.clone())
                .target_location(target_loc(path, None, format!("{name} no longer defined")))
                .build(),
            ),
        }
    }

    // Overwritten after the YAML load by the target's production.py.
    let prod = production_path(path);
    if let Some(ow) = rel
        .overwrites
        .get(prod)
        .and_then(|m| m.get(&op.root))
        .filter(|o| o.path != path || o.line > op.line)
    {
        if ch.status != Status::Removed && rel.target.is_some() {
            let how = match &ow.alias {
                Some(a) => format!("from the YAML key `{a}`"),
                None => "from code".to_string(),
            };
            out.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC306),
                    path,
                    format!(
                        "`{}` is overwritten after the YAML config is loaded ({} `{prod}` sets it {how})",
                        op.root, target_name
                    ),
                )
                .line(op.line)
                .setting(op.setting.clone())
                .subject(subject.clone())
                .target_location(target_loc(&ow.path, Some(ow.line), format!("{} assigned here", op.root)))
                .build(),
            );
        }
    }

    // The fork and upstream both changed the definition.
    if ch.status == Status::Changed && op.kind.sets_value() {
        if let (Some(b), Some(tg)) = (rel.base.def_in(name, path), target.def_in(name, path)) {
            if python::normalize(&b.text) != python::normalize(&tg.text) {
                out.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC308),
                        path,
                        if secrets::is_secret_key_path(name) {
                            format!("`{name}` also changed upstream in {target_name}")
                        } else {
                            format!(
                                "`{name}` also changed upstream in {target_name}: `{}` → `{}`",
                                short(&secrets::redact_code(&b.text)),
                                short(&secrets::redact_code(&tg.text))
                            )
                        },
                    )
                    .line(op.line)
                    .setting(name.to_string())
                    .subject(subject)
                    .target_location(target_loc(
                        &tg.path,
                        Some(tg.line),
                        format!("{name} in {target_name}"),
                    ))
                    .build(),
                );
            }
        }
    }
    Ok(out)
}
