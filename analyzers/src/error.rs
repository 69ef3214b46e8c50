//! The library's error type. Every variant names the failing thing and knows its exit code and
//! the `help:` line the binary prints under it (see `docs/exit-codes.md`).

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes, defined once. `docs/exit-codes.md` documents them; a test checks that file.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const NOT_A_REPO: u8 = 3;
    pub const NO_RELEASE_REFS: u8 = 4;
    pub const UNKNOWN_REVISION: u8 = 5;
    pub const SHALLOW: u8 = 6;
    /// An object is missing (partial clone) or corrupt (truncated, malformed).
    pub const MISSING_OBJECTS: u8 = 7;
    pub const BAD_CONFIG: u8 = 8;
    pub const IO: u8 = 9;
    pub const INTERNAL: u8 = 10;
    /// `forkcheck plan` without `--to`, and no release after the base to upgrade to.
    pub const NO_TARGET: u8 = 11;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{}` is not a git repository", path.display())]
    NotARepo {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },
    #[error("no named-release refs found in `{}`", path.display())]
    NoReleaseRefs { path: PathBuf, remote: String },
    #[error("unknown release `{name}`")]
    UnknownRelease { name: String, known: Vec<String> },
    #[error("cannot resolve revision `{rev}`")]
    UnknownRevision {
        rev: String,
        #[source]
        source: Option<git2::Error>,
    },
    #[error("`{}` is a shallow clone: the history forkcheck needs is missing", path.display())]
    Shallow { path: PathBuf },
    #[error("object {oid} is missing from the repository{}", what.as_ref().map(|w| format!(" (needed for {w})")).unwrap_or_default())]
    MissingObject { oid: String, what: Option<String> },
    #[error("the repository is corrupt: {detail}{}", what.as_ref().map(|w| format!(" (while {w})")).unwrap_or_default())]
    Corrupt {
        detail: String,
        what: Option<String>,
    },
    #[error("invalid configuration in `{}`: {message}", path.display())]
    BadConfig { path: PathBuf, message: String },
    #[error("cannot parse `{path}`: {message}")]
    Parse { path: String, message: String },
    #[error("{context}")]
    Git {
        context: String,
        #[source]
        source: git2::Error,
    },
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The process exit code for this error (see [`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::NotARepo { .. } => exit::NOT_A_REPO,
            Error::NoReleaseRefs { .. } => exit::NO_RELEASE_REFS,
            Error::UnknownRelease { .. } | Error::UnknownRevision { .. } => exit::UNKNOWN_REVISION,
            Error::Shallow { .. } => exit::SHALLOW,
            Error::MissingObject { .. } | Error::Corrupt { .. } => exit::MISSING_OBJECTS,
            Error::BadConfig { .. } => exit::BAD_CONFIG,
            Error::Io { .. } => exit::IO,
            Error::Parse { .. } | Error::Git { .. } | Error::Other(_) => exit::INTERNAL,
        }
    }

    /// The actionable `help:` line for this error, when there is one.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::NotARepo { .. } => Some(
                "run forkcheck inside a clone of your edx-platform fork, or pass `--repo DIR`".into(),
            ),
            Error::NoReleaseRefs { remote, .. } => Some(format!(
                "fetch the upstream release tags: `git remote add {remote} https://github.com/openedx/edx-platform.git` \
                 (if missing), then `git fetch {remote} --tags`; or name the base with `--base REV`"
            )),
            Error::UnknownRelease { known, .. } => Some(format!(
                "known releases: {}; or pass any revision (tag, branch, commit id)",
                known.join(", ")
            )),
            Error::UnknownRevision { .. } => Some(
                "pass a release name (e.g. `redwood`), a release ref (e.g. `open-release/redwood.2`) or any revision git knows"
                    .into(),
            ),
            Error::Shallow { .. } => Some(
                "fetch the full history with `git fetch --unshallow --tags` (in GitHub Actions: `actions/checkout` with `fetch-depth: 0`); \
                 or pass `--allow-shallow` to analyse only what is present"
                    .into(),
            ),
            Error::MissingObject { .. } => Some(
                "this looks like a partial clone (`--filter=blob:none`); fetch the missing objects with \
                 `git fetch --refetch` or clone without `--filter`"
                    .into(),
            ),
            Error::Corrupt { .. } => Some(
                "run `git fsck` in the repository to see what is damaged; repair it from a good clone \
                 (or re-clone it), then run forkcheck again"
                    .into(),
            ),
            Error::BadConfig { .. } => Some(
                "see `docs/configuration.md`, or write a fresh commented file with `forkcheck init`".into(),
            ),
            _ => None,
        }
    }

    /// A corrupt object or repository structure, met while doing `what`.
    pub fn corrupt(detail: impl Into<String>, what: Option<String>) -> Self {
        Error::Corrupt {
            detail: detail.into(),
            what,
        }
    }

    pub(crate) fn git(context: impl Into<String>, source: git2::Error) -> Self {
        Error::Git {
            context: context.into(),
            source,
        }
    }
}
