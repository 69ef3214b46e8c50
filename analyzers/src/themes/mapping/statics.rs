//! [`StaticFacts`]: the static roots of each service and the asset paths it asks for.

use super::settings_text::{asset_strings, named_assets, staticfiles_dirs};
use super::*;

/// Where the service's static files come from, read from a tree (docs/edx-domain.md §4.5).
#[derive(Debug, Default)]
pub struct StaticFacts {
    /// Static roots per service (`[lms, cms]`), in finder order.
    pub(super) roots: [Vec<String>; 2],
    /// Per service: static path → why the service asks for it although no root has it
    /// (`FAVICON_PATH` in `cms/envs/common.py`, a sample theme shipping it).
    pub(super) requested: [HashMap<String, String>; 2],
    /// File name → (path, path relative to its static root) of every file under a static root.
    names: HashMap<String, Vec<(String, String)>>,
}

pub(super) fn slot(svc: Service) -> usize {
    match svc {
        Service::Lms => 0,
        Service::Cms => 1,
    }
}

impl StaticFacts {
    /// Read the facts from a tree's blobs: `STATICFILES_DIRS` and asset paths named in
    /// `<svc>/envs/common.py` (fallback roots: `rules/theme-paths.toml`), and the
    /// `<theme>/<svc>/static/` files of themes the tree itself ships under `theme_roots`.
    pub fn build(repo: &Repo, blobs: &Listing, theme_roots: &[String]) -> Result<StaticFacts> {
        let mut facts = StaticFacts::default();
        for svc in [Service::Lms, Service::Cms] {
            let settings = format!("{}/envs/common.py", svc.as_str());
            let text = match blobs.blob(&settings) {
                Some(oid) => String::from_utf8_lossy(&repo.blob_bytes(oid)?).into_owned(),
                None => String::new(),
            };
            let mut roots = staticfiles_dirs(&text, svc);
            if roots.is_empty() {
                roots = fallback_roots(svc)?;
            }
            facts.roots[slot(svc)] = roots;
            for (setting, path) in named_assets(&text) {
                facts.requested[slot(svc)]
                    .entry(path)
                    .or_insert_with(|| format!("`{setting}` in `{settings}` names it"));
            }
        }
        // Upstream's sample themes: a file they ship under `<svc>/static/<rel>` is a path that
        // service serves.
        let mut shipped: Vec<(usize, String, String)> = Vec::new();
        for (path, _) in theme_roots.iter().flat_map(|r| blobs.blobs_under(r)) {
            let Some(rest) = theme_roots
                .iter()
                .find_map(|r| path.strip_prefix(r.as_str()))
            else {
                continue;
            };
            let mut parts = rest.splitn(4, '/');
            let (Some(theme), Some(svc), Some("static"), Some(rel)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let svc = match svc {
                "lms" => Service::Lms,
                "cms" => Service::Cms,
                _ => continue,
            };
            shipped.push((slot(svc), rel.to_string(), theme.to_string()));
        }
        shipped.sort();
        for (k, rel, theme) in shipped {
            facts.requested[k]
                .entry(rel)
                .or_insert_with(|| format!("upstream's sample theme `{theme}` ships it"));
        }
        facts.index_names(blobs, theme_roots);
        Ok(facts)
    }

    /// Index every file under a static root by its file name.
    pub(super) fn index_names(&mut self, blobs: &Listing, theme_roots: &[String]) {
        let mut roots: Vec<String> = self.roots.iter().flatten().cloned().collect();
        roots.sort();
        roots.dedup();
        // A root inside another is listed once, under the outer root.
        let dirs: Vec<String> = roots
            .iter()
            .filter(|r| {
                !roots
                    .iter()
                    .any(|o| o != *r && r.starts_with(&format!("{o}/")))
            })
            .map(|r| format!("{r}/"))
            .collect();
        self.names.clear();
        for (path, _) in dirs.iter().flat_map(|d| blobs.blobs_under(d)) {
            if theme_roots.iter().any(|r| path.starts_with(r.as_str())) {
                continue;
            }
            if let Some(rel) = roots
                .iter()
                .find_map(|r| path.strip_prefix(r.as_str())?.strip_prefix('/'))
            {
                let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
                self.names
                    .entry(name)
                    .or_default()
                    .push((path.to_string(), rel.to_string()));
            }
        }
        for v in self.names.values_mut() {
            v.sort();
        }
    }

    /// Add the asset paths the service's own templates (`<svc>/templates/**`) ask for
    /// (`static.url('images/studio-logo.png')`) to the requested paths. Reads those templates:
    /// call it only when a theme ships static files. `seen` keeps each template blob's asset
    /// strings, so the base's and the target's trees read a template they share once.
    pub fn add_template_requests(
        &mut self,
        repo: &Repo,
        blobs: &Listing,
        seen: &mut HashMap<Oid, Vec<String>>,
    ) -> Result<()> {
        let mut found: Vec<(usize, String, String)> = Vec::new();
        let templates = [Service::Lms, Service::Cms].into_iter().flat_map(|svc| {
            blobs
                .blobs_under(if svc == Service::Lms {
                    "lms/templates/"
                } else {
                    "cms/templates/"
                })
                .map(move |(path, oid)| (svc, path, oid))
        });
        for (svc, path, oid) in templates {
            let oid = &oid;
            let assets = match seen.get(oid) {
                Some(assets) => assets,
                None => {
                    let bytes = repo.blob_bytes(*oid)?;
                    let assets = if crate::changes::is_binary(&bytes) {
                        Vec::new()
                    } else {
                        asset_strings(&String::from_utf8_lossy(&bytes))
                    };
                    seen.entry(*oid).or_insert(assets)
                }
            };
            for rel in assets {
                found.push((slot(svc), rel.clone(), path.to_string()));
            }
        }
        found.sort();
        for (k, rel, path) in found {
            self.requested[k]
                .entry(rel)
                .or_insert_with(|| format!("`{path}` asks for it"));
        }
        Ok(())
    }

    /// The service's static roots, in finder order.
    pub fn roots(&self, svc: Service) -> &[String] {
        &self.roots[slot(svc)]
    }

    /// Why the service asks for `rel` although none of its roots has it, if it does.
    pub fn requested(&self, svc: Service, rel: &str) -> Option<String> {
        self.requested[slot(svc)].get(rel).cloned()
    }

    /// Static files of the service's roots named like `rel` at another path: (upstream path,
    /// path relative to its root), in path order, each relative path once.
    pub fn same_name_elsewhere(&self, svc: Service, rel: &str) -> Vec<(String, String)> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let roots = self.roots(svc);
        let mut out: Vec<(String, String)> = Vec::new();
        for (path, r) in self.names.get(name).map_or(&[][..], Vec::as_slice) {
            let mine = roots.iter().any(|root| {
                path.strip_prefix(root.as_str())
                    .is_some_and(|x| x.starts_with('/'))
            });
            if mine && r != rel && !out.iter().any(|(_, x)| x == r) {
                out.push((path.clone(), r.clone()));
            }
        }
        out
    }
}

pub(super) fn fallback_roots(svc: Service) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct File {
        static_roots: HashMap<String, Vec<String>>,
    }
    const TEXT: &str = include_str!("../../../../rules/theme-paths.toml");
    let file: File = toml::from_str(TEXT).map_err(|e| crate::Error::Parse {
        path: "rules/theme-paths.toml".into(),
        message: e.to_string(),
    })?;
    Ok(file
        .static_roots
        .get(svc.as_str())
        .cloned()
        .unwrap_or_default())
}
