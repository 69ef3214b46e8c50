//! The files the fork changed: a tree-to-tree diff of base and head (no rename detection: a
//! renamed file is a deletion plus an addition), read-only.

use git2::{Delta, Oid};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{Error, Result};
use crate::repo::{git_error, Repo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Modified,
    Deleted,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Added => "added",
            FileStatus::Modified => "modified",
            FileStatus::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: String,
    pub status: FileStatus,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// Every blob path that differs between `base` and `head`, sorted by path.
pub fn changed_files(repo: &Repo, base: Oid, head: Oid) -> Result<Vec<FileChange>> {
    let old_tree = repo.tree_of(base)?;
    let new_tree = repo.tree_of(head)?;
    let diff = repo
        .git()
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)
        .map_err(|e| git_error("comparing the base and head trees", e))?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let old_id = delta.old_file().id();
        let new_id = delta.new_file().id();
        let path = delta
            .new_file()
            .path()
            .or_else(|| delta.old_file().path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let blob = |mode: git2::FileMode| {
            matches!(mode, git2::FileMode::Blob | git2::FileMode::BlobExecutable)
        };
        let (status, old, new) = match delta.status() {
            Delta::Added if blob(delta.new_file().mode()) => {
                (FileStatus::Added, None, Some(new_id))
            }
            Delta::Deleted if blob(delta.old_file().mode()) => {
                (FileStatus::Deleted, Some(old_id), None)
            }
            Delta::Modified | Delta::Typechange => {
                let o = blob(delta.old_file().mode()).then_some(old_id);
                let n = blob(delta.new_file().mode()).then_some(new_id);
                match (o, n) {
                    (Some(o), Some(n)) => (FileStatus::Modified, Some(o), Some(n)),
                    (None, Some(n)) => (FileStatus::Added, None, Some(n)),
                    (Some(o), None) => (FileStatus::Deleted, Some(o), None),
                    (None, None) => continue,
                }
            }
            _ => continue,
        };
        out.push(FileChange {
            path,
            status,
            old,
            new,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Build a glob set (`*` does not cross `/`); `what` names the source for error messages.
pub fn globset(globs: &[String], what: &str) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| Error::BadConfig {
                path: what.into(),
                message: format!("invalid glob `{g}`: {e}"),
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| Error::BadConfig {
        path: what.into(),
        message: format!("invalid globs: {e}"),
    })
}

/// Text of a blob when it looks like text (no NUL byte in the first 8 KiB), else `None`; also
/// `None` above `[limits] max_parse_bytes` (the report names the file).
pub fn blob_text(repo: &Repo, oid: Option<Oid>) -> Result<Option<String>> {
    let Some(oid) = oid else { return Ok(None) };
    let Some(bytes) = repo.parse_bytes(oid)? else {
        return Ok(None);
    };
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}
