//! Every migration of every app of a tree, parsed on demand, and an app's leaves.

use super::*;

/// One app's migrations in a release tree.
#[derive(Debug, Clone, Default)]
pub(super) struct App {
    pub(super) dir: String,
    /// Its label in this tree.
    pub(super) label: String,
    /// name → blob.
    pub(super) files: BTreeMap<String, Oid>,
}

/// Every app with migrations in a tree, by label (labels can repeat: `api`).
#[derive(Debug, Default)]
pub(super) struct Index {
    pub(super) apps: HashMap<String, Vec<App>>,
    /// App directory → its label.
    pub(super) labels: HashMap<String, String>,
}

impl Index {
    pub(super) fn build(ctx: &Context, commit: Oid) -> Result<Index> {
        let repo = &ctx.repo;
        let files = walk_blobs(ctx, commit, &|root, name| {
            root.ends_with("/migrations/") && migration_path(&format!("{root}{name}")).is_some()
        })?;
        let mut by_dir: BTreeMap<String, App> = BTreeMap::new();
        for (path, oid) in files {
            if let Some((dir, name)) = migration_path(&path) {
                let app = by_dir.entry(dir.to_string()).or_insert_with(|| App {
                    dir: dir.to_string(),
                    label: String::new(),
                    files: BTreeMap::new(),
                });
                app.files.insert(name.to_string(), oid);
            }
        }
        let mut apps: HashMap<String, Vec<App>> = HashMap::new();
        let mut labels = HashMap::new();
        for (dir, mut app) in by_dir {
            app.label = label_at(repo, commit, &dir)?;
            labels.insert(dir, app.label.clone());
            apps.entry(app.label.clone()).or_default().push(app);
        }
        Ok(Index { apps, labels })
    }

    pub(super) fn by_dir(&self, dir: &str) -> Option<&App> {
        self.apps
            .get(self.labels.get(dir)?)?
            .iter()
            .find(|a| a.dir == dir)
    }

    /// The app a dependency's label names: the one in `prefer_dir` if it has that label, else
    /// the only (or first) app with the label.
    pub(super) fn by_label(&self, label: &str, prefer_dir: &str) -> Option<&App> {
        let apps = self.apps.get(label)?;
        apps.iter()
            .find(|a| a.dir == prefer_dir)
            .or_else(|| apps.first())
    }
}

/// Parsed declarations, cached by blob.
pub(super) struct Parsed<'r> {
    pub(super) repo: &'r Repo,
    pub(super) cache: HashMap<Oid, Declared>,
}

impl Parsed<'_> {
    pub(super) fn get(&mut self, oid: Oid) -> Result<&Declared> {
        if !self.cache.contains_key(&oid) {
            let d = text_of(self.repo, oid)?
                .map(|t| declared(&t))
                .unwrap_or_default();
            self.cache.insert(oid, d);
        }
        Ok(&self.cache[&oid])
    }
}

/// Django's leaf rule on one app's migrations, none applied: `nodes` are (name, declared); a
/// squashed migration replaces the nodes it lists (dependencies on them point at it). Returns
/// the leaves, sorted.
pub fn leaves(app: &str, nodes: &[(String, Declared)]) -> Vec<String> {
    let mut present: BTreeSet<&str> = nodes.iter().map(|(n, _)| n.as_str()).collect();
    let mut remap: HashMap<&str, &str> = HashMap::new();
    for (name, d) in nodes {
        for (a, r) in &d.replaces {
            if a == app {
                present.remove(r.as_str());
                remap.insert(r.as_str(), name.as_str());
            }
        }
    }
    let mut has_child: BTreeSet<&str> = BTreeSet::new();
    for (name, d) in nodes {
        if !present.contains(name.as_str()) {
            continue;
        }
        for (a, dep) in &d.dependencies {
            if a != app {
                continue;
            }
            let parent = remap.get(dep.as_str()).copied().unwrap_or(dep.as_str());
            if parent != name {
                has_child.insert(parent);
            }
        }
    }
    present
        .into_iter()
        .filter(|n| !has_child.contains(n))
        .map(str::to_string)
        .collect()
}
