//! In-memory objects for replays: file versions whose blobs live either in the repository or
//! in a [`Store`] (merged contents, keyed by their computed blob id — never written), and fork
//! commits expressed as per-path changes so they can be carried from one release hop to the
//! next without creating any commit.

use std::collections::HashMap;
use std::sync::Arc;

use git2::{ObjectType, Oid};

use super::model::Trailer;
use crate::error::Result;
use crate::repo::{git_error, Repo};
use crate::trees::{Delta, Side};

/// A file version: blob id and mode (the git layer's [`Side`]).
pub type Version = Side;

/// Blobs made during replays (merge results), by id.
#[derive(Debug, Default, Clone)]
pub struct Store {
    mem: HashMap<Oid, Arc<Vec<u8>>>,
}

impl Store {
    /// Keep `data` in memory; its id is computed with git's blob hashing, nothing is written.
    pub fn put(&mut self, data: Vec<u8>) -> Result<Oid> {
        let id = Oid::hash_object(ObjectType::Blob, &data)
            .map_err(|e| git_error("hashing merged content", e))?;
        self.mem.entry(id).or_insert_with(|| Arc::new(data));
        Ok(id)
    }

    /// A blob's content, from memory or the repository.
    pub fn read(&self, repo: &Repo, id: Oid) -> Result<Arc<Vec<u8>>> {
        match self.mem.get(&id) {
            Some(b) => Ok(b.clone()),
            None => Ok(Arc::new(repo.blob_bytes(id)?)),
        }
    }

    pub fn len(&self) -> usize {
        self.mem.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mem.is_empty()
    }
}

/// One path's change in a fork commit (no renames; a type change is a deletion and an addition).
pub type PathChange = Delta;

/// A fork commit as a list of path changes (from git, or rebased in memory by a previous hop).
#[derive(Debug, Clone)]
pub struct ForkCommit {
    /// The original commit in the repository.
    pub oid: Oid,
    pub summary: String,
    pub author: String,
    pub merge: bool,
    pub trailers: Vec<Trailer>,
    pub message: String,
    pub changes: Vec<PathChange>,
}

/// `Key: value` lines of the message's last paragraph (git's trailer block), when every line
/// of that paragraph is one.
pub fn trailers(message: &str) -> Vec<Trailer> {
    let trimmed = message.trim_end();
    let Some(last) = trimmed.rsplit("\n\n").next() else {
        return Vec::new();
    };
    if last == trimmed.lines().next().unwrap_or_default() && !trimmed.contains("\n\n") {
        return Vec::new(); // a subject line alone is not a trailer block
    }
    let mut out = Vec::new();
    for line in last.lines() {
        let Some((k, v)) = line.split_once(':') else {
            return Vec::new();
        };
        let key = k.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        {
            return Vec::new();
        }
        out.push(Trailer {
            key: key.to_string(),
            value: v.trim().to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_are_read_from_the_last_paragraph() {
        let t = trailers("Fix it\n\nBody text.\n\nUpstream: https://x/pull/1\nForwarded: no\n");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].key, "Upstream");
        assert_eq!(t[0].value, "https://x/pull/1");
        assert_eq!(t[1].value, "no");
        assert!(trailers("Subject: only line").is_empty());
        assert!(trailers("Fix\n\nJust prose here.").is_empty());
    }
}
