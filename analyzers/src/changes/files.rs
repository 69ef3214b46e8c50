//! The files the fork changed, as configuration analyses see them (no rename detection: a
//! renamed file is a deletion plus an addition), from the run's change set.

use git2::Oid;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::changes::blob;
use crate::error::{Error, Result};
use crate::repo::Repo;
use crate::trees::Delta;

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

/// A changed file as configuration analyses see it: the change set's [`Delta`] with only
/// regular-file sides kept.
pub type FileChange = Delta;

/// What happened to a file, from its regular-file sides.
pub fn status(change: &FileChange) -> FileStatus {
    match (change.old, change.new) {
        (Some(_), Some(_)) => FileStatus::Modified,
        (None, _) => FileStatus::Added,
        (_, None) => FileStatus::Deleted,
    }
}

/// Every blob path that differs between base and head, sorted by path, from the run's change
/// set: a renamed file is a deletion plus an addition, a symlink or submodule is no blob.
pub fn changed_files(ctx: &crate::Context) -> Result<Vec<FileChange>> {
    let mut out = Vec::new();
    for delta in ctx.changes()?.unrenamed() {
        let (old, new) = (blob(delta.old), blob(delta.new));
        if old.is_none() && new.is_none() {
            continue;
        }
        out.push(Delta::of(delta.path.clone(), old, new));
    }
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

/// Text of a blob when it is text ([`crate::changes::is_binary`]), else `None`; also
/// `None` above `[limits] max_parse_bytes` (the report names the file).
pub fn blob_text(repo: &Repo, oid: Option<Oid>) -> Result<Option<String>> {
    let Some(oid) = oid else { return Ok(None) };
    let Some(bytes) = repo.parse_bytes(oid)? else {
        return Ok(None);
    };
    if crate::changes::is_binary(&bytes) {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}
