//! The one place that talks to git2. Open the repository once, pass `Oid`s around, read blobs
//! lazily; rayon workers call [`Repo::reopen`] (a `git2::Repository` is not `Sync`).
//! Nothing here writes to the repository: no refs, index, worktree or object writes.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use git2::{ErrorClass, ErrorCode, Oid, Repository, RepositoryOpenFlags};

use crate::error::{Error, Result};
use crate::tree_objects::{Entries, TreeCache};

/// An object id as people see it: its first 10 characters (the whole string when shorter). The
/// one way forkcheck shortens an id, in finding messages and in every output.
pub fn short_id(oid: &str) -> &str {
    oid.get(..10).unwrap_or(oid)
}

pub struct Repo {
    inner: Repository,
    /// The git dir, used to reopen the repository in worker threads.
    git_dir: PathBuf,
    /// What the user gave (for messages).
    given: PathBuf,
    /// Shared by every handle on this repository (worker threads too).
    limit: Arc<ParseLimit>,
    /// Parsed trees, shared by every handle on this repository ([`TreeCache`]).
    trees: Arc<TreeCache>,
}

/// `[limits] max_parse_bytes` and the blobs left unparsed because of it.
#[derive(Debug)]
struct ParseLimit {
    max: AtomicU64,
    skipped: Mutex<BTreeSet<Oid>>,
}

impl Default for ParseLimit {
    fn default() -> Self {
        ParseLimit {
            max: AtomicU64::new(crate::config::DEFAULT_MAX_PARSE_BYTES),
            skipped: Mutex::new(BTreeSet::new()),
        }
    }
}

/// Map a git2 error to ours: a missing object (partial clone) and a corrupt object (truncated,
/// malformed, bad zlib data, unparsable commit or tree) get their own variants.
pub fn git_error(context: impl Into<String>, err: git2::Error) -> Error {
    if is_corrupt(&err) {
        return Error::Corrupt {
            detail: err.message().to_string(),
            what: Some(context.into()),
        };
    }
    if err.code() == ErrorCode::NotFound && err.class() == ErrorClass::Odb {
        let msg = err.message().to_string();
        let oid = msg
            .split(|c: char| !c.is_ascii_hexdigit())
            .find(|w| w.len() == 40)
            .unwrap_or("?")
            .to_string();
        return Error::MissingObject {
            oid,
            what: Some(context.into()),
        };
    }
    Error::git(context, err)
}

/// Does `err` say that the repository's data is damaged (rather than that something is absent,
/// or that forkcheck asked for something wrong)?
pub fn is_corrupt(err: &git2::Error) -> bool {
    let msg = err.message();
    // A revision the user typed that git cannot parse is a wrong revision (exit 5), not damage.
    if msg.starts_with("failed to parse revision specifier") {
        return false;
    }
    let damaged = msg.starts_with("failed to parse")
        || msg.starts_with("malformed")
        || msg.starts_with("loose object")
        || msg.contains("invalid header")
        || msg.contains("does not match the type in the ODB");
    match err.class() {
        ErrorClass::Zlib => true,
        // Not found (partial clone) and ambiguous (a short id) are not damage.
        ErrorClass::Odb | ErrorClass::Tree => {
            !matches!(err.code(), ErrorCode::NotFound | ErrorCode::Ambiguous)
        }
        // Also "cannot be peeled into a commit" (`--head HEAD^{tree}`): a wrong revision.
        ErrorClass::Object | ErrorClass::Invalid => damaged,
        _ => false,
    }
}

/// Open the repository at `git_dir` (exactly there) with the guarded object reader.
fn open_exact(
    git_dir: &Path,
    given: &Path,
    limit: &Arc<ParseLimit>,
    trees: &Arc<TreeCache>,
) -> Result<Repo> {
    let inner = Repository::open(git_dir).map_err(|source| Error::NotARepo {
        path: git_dir.to_path_buf(),
        source,
    })?;
    let mut repo = Repo::guarded(inner, given)?;
    repo.limit = limit.clone();
    repo.trees = trees.clone();
    Ok(repo)
}

/// Where a repository lives, for reopening it in rayon workers (`git2::Repository` is not
/// `Sync`); see [`Repo::handle`].
#[derive(Debug, Clone)]
pub struct RepoHandle {
    git_dir: PathBuf,
    given: PathBuf,
    limit: Arc<ParseLimit>,
    trees: Arc<TreeCache>,
}

thread_local! {
    /// The repository last opened by [`RepoHandle::with`] on this thread (rayon's workers live
    /// for the whole process, so each opens the repository once, not once per job split).
    static WORKER_REPO: std::cell::RefCell<Option<Repo>> = const { std::cell::RefCell::new(None) };
}

impl RepoHandle {
    /// Run `f` with this thread's handle on the repository, opened on first use. `f` must not
    /// start rayon work itself (a stolen job calling `with` on this thread would find the
    /// handle busy and fail).
    pub fn with<R>(&self, f: impl FnOnce(&Repo) -> Result<R>) -> Result<R> {
        WORKER_REPO.with(|slot| {
            let Ok(mut slot) = slot.try_borrow_mut() else {
                return Err(Error::Other(
                    "internal error: RepoHandle::with re-entered on one thread".into(),
                ));
            };
            // The same repository opened by this run (an earlier run in this process has
            // state of its own: its parse limit and tree cache).
            if slot
                .as_ref()
                .is_none_or(|r| r.git_dir != self.git_dir || !Arc::ptr_eq(&r.limit, &self.limit))
            {
                *slot = Some(self.open()?);
            }
            match slot.as_ref() {
                Some(repo) => f(repo),
                None => Err(Error::Other("internal error: no worker repository".into())),
            }
        })
    }

    pub fn open(&self) -> Result<Repo> {
        open_exact(&self.git_dir, &self.given, &self.limit, &self.trees)
    }

    /// The error [`RepoHandle::open`] gives, for a worker whose open failed (errors are not
    /// `Clone`; opening again yields the same error, its exit code intact).
    pub fn open_error(&self) -> Error {
        match self.open() {
            Err(e) => e,
            Ok(_) => Error::Other(format!(
                "internal error: cannot open `{}` in a worker thread",
                self.git_dir.display()
            )),
        }
    }
}

/// Let libgit2 keep parsed trees and commits of any size in its per-repository object cache
/// (by default only objects under 4 KiB are kept, so every lookup through a large directory
/// such as `lms/templates/` inflates and parses it again). Call once, before any thread starts:
/// it sets a process-wide libgit2 option without synchronisation.
pub fn tune_object_cache() {
    for kind in [git2::ObjectType::Tree, git2::ObjectType::Commit] {
        // SAFETY: called from `main` before any other thread exists (see above).
        let _ = unsafe { git2::opts::set_cache_object_limit(kind, 1 << 20) };
    }
}

impl Repo {
    /// Open the repository at `path` (searching parent directories like git does).
    pub fn open(path: &Path) -> Result<Repo> {
        // Like git itself, do not re-hash every object read (libgit2 does by default); a
        // corrupt object still fails to inflate or parse. Process-wide, read-only effect.
        git2::opts::strict_hash_verification(false);
        let inner = Repository::open_ext(
            path,
            RepositoryOpenFlags::empty(),
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .map_err(|source| Error::NotARepo {
            path: path.to_path_buf(),
            source,
        })?;
        Repo::guarded(inner, path)
    }

    /// Wrap an opened repository, with [`crate::objects`]' loose-object reader in front of
    /// libgit2's (whose reader spins forever on a truncated loose object).
    fn guarded(inner: Repository, given: &Path) -> Result<Repo> {
        crate::objects::install(&inner).map_err(|e| {
            git_error(
                "setting up the object reader (`.git/HEAD` must be readable)",
                e,
            )
        })?;
        let git_dir = inner.path().to_path_buf();
        Ok(Repo {
            inner,
            git_dir,
            given: given.to_path_buf(),
            limit: Arc::default(),
            trees: Arc::default(),
        })
    }

    /// A fresh handle on the same repository, for another thread.
    pub fn reopen(&self) -> Result<Repo> {
        open_exact(&self.git_dir, &self.given, &self.limit, &self.trees)
    }

    /// The error opening the repository at `git_dir` gives, for a worker thread whose open
    /// failed (errors are not `Clone`; opening again yields the same error, exit code intact).
    pub fn open_error(git_dir: &Path) -> Error {
        match Repo::open(git_dir) {
            Err(e) => e,
            Ok(_) => Error::Other(format!(
                "internal error: cannot open `{}` in a worker thread",
                git_dir.display()
            )),
        }
    }

    /// A `Send + Sync` token to open this repository again in worker threads.
    pub fn handle(&self) -> RepoHandle {
        RepoHandle {
            git_dir: self.git_dir.clone(),
            given: self.given.clone(),
            limit: self.limit.clone(),
            trees: self.trees.clone(),
        }
    }

    /// The entries of tree `tree`, parsed once per run for every handle on this repository
    /// (raw reads: libgit2's own tree parsing is skipped).
    pub fn tree_entries(&self, tree: Oid) -> Result<Arc<Entries>> {
        if let Some(found) = self.trees.get(&tree) {
            return Ok(found);
        }
        let odb = self
            .inner
            .odb()
            .map_err(|e| git_error("opening the object database", e))?;
        let raw = odb
            .read(tree)
            .map_err(|e| git_error(format!("reading tree {tree}"), e))?;
        let not_a_tree =
            || Error::corrupt(format!("object {tree} is not a well-formed git tree"), None);
        if raw.kind() != git2::ObjectType::Tree {
            return Err(not_a_tree());
        }
        let entries = Arc::new(Entries::parse(raw.data()).ok_or_else(not_a_tree)?);
        self.trees.put(tree, &entries);
        Ok(entries)
    }

    /// The entry (file or directory) at `path` in tree `root`: its id and mode, `None` when the
    /// path does not exist. Read through [`Repo::tree_entries`]. As libgit2's
    /// `git_tree_entry_bypath`: a trailing `/` asks for a directory; an empty component (a
    /// leading or doubled `/`, an empty path) names nothing.
    pub fn entry_at(&self, root: Oid, path: &str) -> Result<Option<(Oid, u32)>> {
        use crate::tree_objects::TREE;
        let (path, want_tree) = match path.strip_suffix('/') {
            Some(dir) => (dir, true),
            None => (path, false),
        };
        let (mut tree, mut parts) = (root, path.split('/').peekable());
        while let Some(part) = parts.next() {
            let entries = self.tree_entries(tree)?;
            let Some(entry) = entries.find(part.as_bytes()).filter(|_| !part.is_empty()) else {
                return Ok(None);
            };
            if parts.peek().is_none() {
                return Ok((!want_tree || entry.mode == TREE).then_some((entry.id, entry.mode)));
            }
            if entry.mode != TREE {
                return Ok(None);
            }
            tree = entry.id;
        }
        Ok(None)
    }

    /// The blob (regular file or symlink) at `path` in tree `root`, if there is one.
    pub fn blob_in_tree(&self, root: Oid, path: &str) -> Result<Option<Oid>> {
        Ok(self
            .entry_at(root, path)?
            .filter(|&(_, mode)| matches!(mode, 0o100644 | 0o100755 | 0o120000))
            .map(|(id, _)| id))
    }

    /// Set `[limits] max_parse_bytes` for this repository and every handle opened from it.
    pub fn set_max_parse_bytes(&self, max: u64) {
        self.limit.max.store(max, Ordering::Relaxed);
    }

    pub fn max_parse_bytes(&self) -> u64 {
        self.limit.max.load(Ordering::Relaxed)
    }

    /// A blob's content for parsing (settings, generated config, templates), or `None` when it
    /// is larger than `[limits] max_parse_bytes` (sized from its header, without reading it):
    /// such blobs are remembered, see [`Repo::unparsed`].
    pub fn parse_bytes(&self, oid: Oid) -> Result<Option<Vec<u8>>> {
        let odb = self
            .inner
            .odb()
            .map_err(|e| git_error("opening the object database", e))?;
        let (size, _) = odb
            .read_header(oid)
            .map_err(|e| git_error(format!("reading blob {oid}"), e))?;
        if size as u64 > self.max_parse_bytes() {
            if let Ok(mut skipped) = self.limit.skipped.lock() {
                skipped.insert(oid);
            }
            return Ok(None);
        }
        self.blob_bytes(oid).map(Some)
    }

    /// Blobs [`Repo::parse_bytes`] refused, by any handle on this repository.
    pub fn unparsed(&self) -> Vec<Oid> {
        self.limit
            .skipped
            .lock()
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The underlying git2 repository (read-only use only).
    pub fn git(&self) -> &Repository {
        &self.inner
    }

    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The path the user gave.
    pub fn given_path(&self) -> &Path {
        &self.given
    }

    pub fn workdir(&self) -> Option<&Path> {
        self.inner.workdir()
    }

    pub fn is_shallow(&self) -> bool {
        self.inner.is_shallow()
    }

    /// Resolve any revision (ref name, tag, abbreviated id, `HEAD~2`) to a commit id.
    pub fn resolve_commit(&self, rev: &str) -> Result<Oid> {
        // An abbreviated id is expanded here, from object names only: libgit2's own prefix
        // lookup reads loose objects with its unguarded reader (see `objects`).
        let full = self.expand_abbreviation(rev);
        // A revision that exists but cannot be read is corruption, not a typo.
        let unknown = |source: git2::Error| {
            if is_corrupt(&source) {
                git_error(format!("resolving `{rev}`"), source)
            } else {
                Error::UnknownRevision {
                    rev: rev.to_string(),
                    source: Some(source),
                }
            }
        };
        let obj = self
            .inner
            .revparse_single(full.as_deref().unwrap_or(rev))
            .map_err(unknown)?;
        let commit = obj.peel_to_commit().map_err(unknown)?;
        Ok(commit.id())
    }

    /// The full id for `rev` when it is an abbreviated object id (not a ref name) that names
    /// exactly one object.
    fn expand_abbreviation(&self, rev: &str) -> Option<String> {
        if !(4..40).contains(&rev.len()) || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        if self.inner.resolve_reference_from_short_name(rev).is_ok() {
            return None;
        }
        let short = Oid::from_str(rev).ok()?;
        let odb = self.inner.odb().ok()?;
        odb.exists_prefix(short, rev.len())
            .ok()
            .map(|oid| oid.to_string())
    }

    pub fn find_commit(&self, oid: Oid) -> Result<git2::Commit<'_>> {
        self.inner
            .find_commit(oid)
            .map_err(|e| git_error(format!("reading commit {oid}"), e))
    }

    pub fn tree_of(&self, commit: Oid) -> Result<git2::Tree<'_>> {
        let c = self.find_commit(commit)?;
        c.tree()
            .map_err(|e| git_error(format!("reading the tree of commit {commit}"), e))
    }

    /// The blob at `path` in `commit`'s tree: its id, or `None` when the path does not exist.
    pub fn blob_id_at(&self, commit: Oid, path: &str) -> Result<Option<Oid>> {
        let tree = self.find_commit(commit)?.tree_id();
        self.blob_in_tree(tree, path)
    }

    /// Whether `path` (file or directory) exists in `commit`'s tree.
    pub fn tree_entry_exists(&self, commit: Oid, path: &str) -> Result<bool> {
        let tree = self.find_commit(commit)?.tree_id();
        Ok(self.entry_at(tree, path)?.is_some())
    }

    /// A blob's content; a missing blob (partial clone) is [`Error::MissingObject`].
    pub fn blob_bytes(&self, oid: Oid) -> Result<Vec<u8>> {
        let blob = self
            .inner
            .find_blob(oid)
            .map_err(|e| git_error(format!("reading blob {oid}"), e))?;
        Ok(blob.content().to_vec())
    }

    /// The content of `path` at `commit`, or `None` when it does not exist there.
    pub fn file_at(&self, commit: Oid, path: &str) -> Result<Option<Vec<u8>>> {
        match self.blob_id_at(commit, path)? {
            Some(oid) => Ok(Some(self.blob_bytes(oid)?)),
            None => Ok(None),
        }
    }

    /// Like [`Repo::file_at`], decoded as UTF-8 (lossily).
    pub fn text_at(&self, commit: Oid, path: &str) -> Result<Option<String>> {
        Ok(self
            .file_at(commit, path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Is `ancestor` reachable from `descendant` (or equal to it)?
    pub fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        self.inner
            .graph_descendant_of(descendant, ancestor)
            .map_err(|e| git_error(format!("walking history from {descendant}"), e))
    }

    /// The first commit of `targets` met walking back from `head` (libgit2's unsorted walk,
    /// which is incremental: nearby commits first); `None` when no target is reachable (the
    /// whole history was walked).
    pub fn first_reachable(&self, head: Oid, targets: &HashSet<Oid>) -> Result<Option<Oid>> {
        for oid in self.walk(head, None, false)? {
            let oid = oid?;
            if targets.contains(&oid) {
                return Ok(Some(oid));
            }
        }
        Ok(None)
    }

    /// Commits reachable from `head` but not from `hide` (`git rev-list head ^hide`).
    pub fn reachable_excluding(&self, head: Oid, hide: Oid) -> Result<HashSet<Oid>> {
        self.walk(head, Some(hide), false)?.collect()
    }

    /// A history walk from `head` (hiding `hide` and its ancestors), every error naming where
    /// the walk started: the one place revwalks are set up.
    fn walk(
        &self,
        head: Oid,
        hide: Option<Oid>,
        first_parent: bool,
    ) -> Result<impl Iterator<Item = Result<Oid>> + '_> {
        let mut walk = self
            .inner
            .revwalk()
            .map_err(|e| git_error("walking history", e))?;
        walk.push(head)
            .map_err(|e| git_error(format!("walking history from {head}"), e))?;
        if let Some(hide) = hide {
            walk.hide(hide)
                .map_err(|e| git_error(format!("walking history from {hide}"), e))?;
        }
        if first_parent {
            walk.simplify_first_parent()
                .map_err(|e| git_error("walking history", e))?;
        }
        Ok(walk
            .map(move |oid| oid.map_err(|e| git_error(format!("walking history from {head}"), e))))
    }

    /// Committer time of a commit, in seconds since the epoch.
    pub fn commit_time(&self, oid: Oid) -> Result<i64> {
        Ok(self.find_commit(oid)?.time().seconds())
    }

    /// Every ref (branches, tags, remote-tracking refs) with the commit it points to; refs that
    /// do not point to a commit (e.g. a tag of a blob) are skipped.
    pub fn commit_refs(&self) -> Result<Vec<(String, Oid)>> {
        let refs = self
            .inner
            .references()
            .map_err(|e| git_error("listing refs", e))?;
        let mut out = Vec::new();
        for r in refs {
            let r = r.map_err(|e| git_error("listing refs", e))?;
            let Some(name) = r.name() else { continue };
            if let Ok(commit) = r.peel_to_commit() {
                out.push((name.to_string(), commit.id()));
            }
        }
        out.sort();
        Ok(out)
    }

    /// First-parent chain from `head` back to (excluding) the first commit that is an ancestor
    /// of `base`, oldest first. With no shared history, the whole first-parent chain.
    /// (`git rev-list --first-parent ^base head`, reversed.)
    pub fn first_parent_since(&self, base: Oid, head: Oid) -> Result<Vec<Oid>> {
        let mut chain = self
            .walk(head, Some(base), true)?
            .collect::<Result<Vec<_>>>()?;
        chain.reverse();
        Ok(chain)
    }

    /// The promisor remote of a partial clone (`remote.<name>.promisor = true` or
    /// `extensions.partialClone`), if this is one.
    pub fn promisor_remote(&self) -> Option<String> {
        let config = self.inner.config().ok()?;
        if let Ok(name) = config.get_string("extensions.partialclone") {
            return Some(name);
        }
        let entries = config.entries(Some(r"remote\..*\.promisor")).ok()?;
        let mut found = None;
        entries
            .for_each(|entry| {
                if found.is_none() && entry.value().is_some_and(|v| v == "true") {
                    found = entry.name().map(|n| {
                        n.trim_start_matches("remote.")
                            .trim_end_matches(".promisor")
                            .to_string()
                    });
                }
            })
            .ok()?;
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corruption_is_told_from_absence_and_wrong_revisions() {
        let e = |code, class, msg: &str| git2::Error::new(code, class, msg);
        use ErrorClass as C;
        use ErrorCode as K;
        for damaged in [
            e(K::GenericError, C::Zlib, "error inflating zlib stream"),
            e(
                K::GenericError,
                C::Odb,
                "invalid pack file - bad object header",
            ),
            e(
                K::GenericError,
                C::Tree,
                "failed to parse tree: invalid filemode",
            ),
            e(
                K::GenericError,
                C::Object,
                "failed to parse bad commit object",
            ),
            e(
                K::Invalid,
                C::Invalid,
                "failed to parse signature - invalid Unix timestamp",
            ),
        ] {
            assert!(is_corrupt(&damaged), "{damaged}");
            assert!(matches!(git_error("x", damaged), Error::Corrupt { .. }));
        }
        for fine in [
            e(
                K::InvalidSpec,
                C::Invalid,
                "failed to parse revision specifier - Invalid pattern 'a\u{1b}b'",
            ),
            e(
                K::NotFound,
                C::Odb,
                "object not found - no match for id (abc)",
            ),
            e(
                K::Ambiguous,
                C::Odb,
                "ambiguous SHA1 prefix - found multiple pack entries",
            ),
            e(
                K::NotFound,
                C::Tree,
                "the path 'x' does not exist in the given tree",
            ),
            e(
                K::InvalidSpec,
                C::Object,
                "the git_object of id 'abc' can not be successfully peeled into a commit",
            ),
            e(
                K::GenericError,
                C::Reference,
                "reference 'refs/heads/x' not found",
            ),
        ] {
            assert!(!is_corrupt(&fine), "{fine}");
        }
    }
}
