//! What the base and target trees say about a module (its path, its top-level names), cached.

use super::scan::{resolve_relative, top_level_names};
use super::*;

/// Module facts read from the base and target trees, cached per module.
#[derive(Default)]
pub(super) struct ModuleFacts {
    /// dotted module → (path at base, path at target).
    pub(super) paths: HashMap<String, (Option<String>, Option<String>)>,
    /// (dotted module, which tree) → top-level names.
    pub(super) names: HashMap<(String, bool), BTreeSet<String>>,
}

impl ModuleFacts {
    pub(super) fn path_of(repo: &Repo, commit: git2::Oid, dotted: &str) -> Result<Option<String>> {
        let rel = dotted.replace('.', "/");
        for p in [format!("{rel}.py"), format!("{rel}/__init__.py")] {
            if repo.blob_id_at(commit, &p)?.is_some() {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    pub(super) fn paths(
        &mut self,
        repo: &Repo,
        base: git2::Oid,
        target: git2::Oid,
        dotted: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        if let Some(p) = self.paths.get(dotted) {
            return Ok(p.clone());
        }
        let p = (
            Self::path_of(repo, base, dotted)?,
            Self::path_of(repo, target, dotted)?,
        );
        self.paths.insert(dotted.to_string(), p.clone());
        Ok(p)
    }

    pub(super) fn names(
        &mut self,
        repo: &Repo,
        commit: git2::Oid,
        is_target: bool,
        dotted: &str,
        path: &str,
    ) -> Result<&BTreeSet<String>> {
        let key = (dotted.to_string(), is_target);
        if !self.names.contains_key(&key) {
            let text = repo.text_at(commit, path)?.unwrap_or_default();
            self.names.insert(key.clone(), top_level_names(&text));
        }
        Ok(&self.names[&key])
    }

    /// For one import line of the file `path`: (api id, description) of each module or name the
    /// target removed. Relative imports are resolved against the file's package.
    pub(super) fn removed_imports(
        &mut self,
        repo: &Repo,
        base: git2::Oid,
        target: git2::Oid,
        path: &str,
        line: &str,
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        let (module, names): (&str, Vec<&str>) = if let Some(rest) = line.strip_prefix("from ") {
            let Some((m, n)) = rest.split_once(" import ") else {
                return Ok(out);
            };
            let names = n
                .trim()
                .trim_start_matches('(')
                .trim_end_matches([')', '\\'])
                .split(',')
                .map(|x| x.split(" as ").next().unwrap_or("").trim())
                .filter(|x| !x.is_empty() && *x != "*")
                .collect();
            (m.trim(), names)
        } else if let Some(rest) = line.strip_prefix("import ") {
            (
                rest.split([',', ' ']).next().unwrap_or("").trim(),
                Vec::new(),
            )
        } else {
            return Ok(out);
        };
        let resolved;
        let module = if module.starts_with('.') {
            match resolve_relative(path, module) {
                Some(m) if !m.is_empty() => {
                    resolved = m;
                    resolved.as_str()
                }
                _ => return Ok(out),
            }
        } else {
            module
        };
        if module.is_empty() {
            return Ok(out);
        }
        let (at_base, at_target) = self.paths(repo, base, target, module)?;
        let Some(base_path) = at_base else {
            return Ok(out); // not an edx-platform module of the base (a library, or the fork's)
        };
        let Some(target_path) = at_target else {
            out.push((
                format!("module:{module}"),
                format!("imports `{module}` ({base_path} in the base)"),
            ));
            return Ok(out);
        };
        for name in names {
            // A submodule imported by name.
            let sub = format!("{module}.{name}");
            let (sub_base, sub_target) = self.paths(repo, base, target, &sub)?;
            if sub_base.is_some() {
                if sub_target.is_none() {
                    out.push((format!("module:{sub}"), format!("imports `{sub}`")));
                }
                continue;
            }
            let in_base = self
                .names(repo, base, false, module, &base_path)?
                .contains(name);
            if !in_base {
                continue;
            }
            let in_target = self
                .names(repo, target, true, module, &target_path)?
                .contains(name);
            if !in_target {
                out.push((
                    format!("name:{module}.{name}"),
                    format!("imports `{name}` from `{module}`"),
                ));
            }
        }
        Ok(out)
    }
}
