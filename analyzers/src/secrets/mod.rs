//! Secrets, decided in one place: which keys name a credential ([`keys`]), credentials in free
//! text ([`text`]), PEM private keys ([`pem`]), credential files ([`files`]), and the run's
//! secret values with the one redactor every output goes through ([`values`]).
//!
//! The rule of the whole program: a secret value never leaves it, in any format, through any
//! path; findings name the key. Analyzers hide values where they find them (by key), add every
//! value they hide to the run's [`Collector`], and the report is scrubbed of every collected
//! value at the end of the run ([`crate::run`]); the binary scrubs every byte it writes again.
//! The rules are documented in `docs/secrets.md`.

pub mod files;
pub mod keys;
pub mod pem;
pub mod probe;
pub mod text;
pub mod values;

pub use keys::{is_secret_key_path, is_secret_path};
pub use pem::pem_private_keys;
pub use text::{redact_code, redact_text};
pub use values::{redact_tree, Collector, Redactor, SecretValues};

/// Add the credentials written in the fork's commit messages (`SECRET_KEY=…` in a subject, a
/// URL with a password in a body) to the run's secret set: subjects and trailers reach the
/// rebase and triage sections.
pub fn collect_commit_messages(
    repo: &crate::repo::Repo,
    commits: &std::collections::HashSet<git2::Oid>,
    secrets: &Collector,
) -> crate::Result<()> {
    for &oid in commits {
        let commit = repo.find_commit(oid)?;
        let message = String::from_utf8_lossy(commit.message_bytes());
        secrets.add_text(&message);
    }
    Ok(())
}
