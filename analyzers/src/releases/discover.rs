//! Finding release refs in a repository: local branches, tags, the upstream remote's
//! remote-tracking branches (other remotes only when that one has none), and user patterns from
//! `[releases] patterns`.

use std::cmp::Ordering;

use git2::Oid;
use serde::Serialize;

use super::catalog::{self, Release, Version};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::repo::Repo;

/// Where a release ref was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type", content = "remote")]
pub enum RefSource {
    /// `refs/heads/…`
    Branch,
    /// `refs/tags/…`
    Tag,
    /// `refs/remotes/<remote>/…`
    Remote(String),
}

/// Whether the ref is a tag or a (local or remote-tracking) branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    Tag,
    Branch,
}

/// One release ref found in the repository.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseRef {
    /// Full ref name: `refs/tags/open-release/redwood.2`.
    pub refname: String,
    /// What to show and what `git rev-parse` accepts: `open-release/redwood.2`,
    /// `upstream/open-release/redwood.master`.
    pub rev: String,
    /// The commit the ref peels to.
    #[serde(serialize_with = "ser_oid")]
    pub oid: Oid,
    #[serde(serialize_with = "ser_release")]
    pub release: &'static Release,
    #[serde(flatten)]
    pub version: Version,
    pub kind: RefKind,
    pub source: RefSource,
}

fn ser_oid<S: serde::Serializer>(oid: &Oid, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&oid.to_string())
}

fn ser_release<S: serde::Serializer>(
    r: &&'static Release,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(r.name)
}

impl ReleaseRef {
    pub fn is_rc(&self) -> bool {
        self.version.rc.is_some()
    }

    /// A final (non-rc) tag: the preferred kind of base and target.
    pub fn is_final_tag(&self) -> bool {
        self.kind == RefKind::Tag && !self.is_rc() && !self.version.branch_shaped
    }

    /// Preference class within one release: final tags, then branches, then rc tags.
    fn class(&self) -> u8 {
        if self.is_final_tag() {
            0
        } else if self.is_rc() {
            2
        } else {
            1
        }
    }

    /// Ordering by how good a base/target this ref is: newer release first, then final tags
    /// before branches before rc tags, then the higher point, then tags before branches and
    /// local before remote (so ties are stable).
    pub fn cmp_preference(&self, other: &ReleaseRef) -> Ordering {
        other
            .release
            .index
            .cmp(&self.release.index)
            .then(self.class().cmp(&other.class()))
            .then(other.version.cmp_point(&self.version))
            .then((self.kind == RefKind::Branch).cmp(&(other.kind == RefKind::Branch)))
            .then(self.refname.cmp(&other.refname))
    }
}

/// The release refs of a repository, best first (see [`ReleaseRef::cmp_preference`]).
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub refs: Vec<ReleaseRef>,
    pub warnings: Vec<String>,
}

impl Discovery {
    /// The best ref of `release`: its newest final tag, else its branch, else an rc tag.
    pub fn best_of(&self, release: &Release) -> Option<&ReleaseRef> {
        self.refs.iter().find(|r| r.release.index == release.index)
    }

    /// The ref whose `rev` or full name is `name`.
    pub fn by_name(&self, name: &str) -> Option<&ReleaseRef> {
        self.refs
            .iter()
            .find(|r| r.rev == name || r.refname == name)
    }

    /// Releases that have at least one ref, oldest first.
    pub fn releases(&self) -> Vec<&'static Release> {
        let mut out: Vec<&'static Release> = self.refs.iter().map(|r| r.release).collect();
        out.sort_by_key(|r| r.index);
        out.dedup_by_key(|r| r.index);
        out
    }
}

/// Find every release ref (see the module docs for which refs count).
pub fn discover(repo: &Repo, config: &Config) -> Result<Discovery> {
    let patterns = config
        .releases
        .patterns
        .iter()
        .map(|p| Pattern::parse(p))
        .collect::<Result<Vec<_>>>()?;
    let remotes = remote_names(repo)?;
    let upstream = config.upstream.remote.as_str();
    let mut local = Vec::new();
    let mut from_upstream = Vec::new();
    let mut from_others = Vec::new();
    for (refname, oid) in repo.commit_refs()? {
        let Some((source, short)) = locate(&refname, &remotes) else {
            continue;
        };
        if short == "HEAD" {
            continue;
        }
        let kind = match source {
            RefSource::Tag => RefKind::Tag,
            _ => RefKind::Branch,
        };
        let parsed = catalog::parse_name(short).or_else(|| {
            patterns
                .iter()
                .find_map(|p| p.matches(&refname).or_else(|| p.matches(short)))
        });
        let Some((release, version)) = parsed else {
            continue;
        };
        let rev = match &source {
            RefSource::Remote(remote) => format!("{remote}/{short}"),
            _ => short.to_string(),
        };
        let found = ReleaseRef {
            rev,
            oid,
            release,
            version,
            kind,
            source: source.clone(),
            refname,
        };
        match source {
            RefSource::Remote(r) if r == upstream => from_upstream.push(found),
            RefSource::Remote(_) => from_others.push(found),
            _ => local.push(found),
        }
    }
    let mut warnings = Vec::new();
    if from_upstream.is_empty() && !from_others.is_empty() {
        let mut others: Vec<String> = from_others
            .iter()
            .filter_map(|r| match &r.source {
                RefSource::Remote(name) => Some(format!("`{name}`")),
                _ => None,
            })
            .collect();
        others.dedup();
        warnings.push(format!(
            "the upstream remote `{upstream}` has no release branches; using the remote-tracking \
             refs of {} instead (set `[upstream] remote` in forkcheck.toml)",
            others.join(", ")
        ));
        from_upstream = from_others;
    }
    let mut refs = local;
    refs.extend(from_upstream);
    refs.sort_by(ReleaseRef::cmp_preference);
    Ok(Discovery { refs, warnings })
}

fn remote_names(repo: &Repo) -> Result<Vec<String>> {
    let remotes = repo
        .git()
        .remotes()
        .map_err(|e| crate::repo::git_error("listing remotes", e))?;
    let mut names: Vec<String> = remotes.iter().flatten().map(str::to_string).collect();
    // Longest first, so `origin/sub` wins over `origin` when both exist.
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Ok(names)
}

/// Split a full ref name into where it lives and its short name.
fn locate<'a>(refname: &'a str, remotes: &[String]) -> Option<(RefSource, &'a str)> {
    if let Some(short) = refname.strip_prefix("refs/heads/") {
        return Some((RefSource::Branch, short));
    }
    if let Some(short) = refname.strip_prefix("refs/tags/") {
        return Some((RefSource::Tag, short));
    }
    let rest = refname.strip_prefix("refs/remotes/")?;
    for remote in remotes {
        if let Some(short) = rest
            .strip_prefix(remote.as_str())
            .and_then(|s| s.strip_prefix('/'))
        {
            return Some((RefSource::Remote(remote.clone()), short));
        }
    }
    // A remote-tracking ref of a remote that is no longer configured: first component.
    let (remote, short) = rest.split_once('/')?;
    Some((RefSource::Remote(remote.to_string()), short))
}

/// A user release-ref pattern: `refs/tags/acme/{name}.{n}` (full ref name) or `acme/{name}.{n}`
/// (matched against short names). `{name}` is a catalog release name, `{n}` a point number.
#[derive(Debug, Clone)]
pub struct Pattern {
    parts: Vec<Part>,
    full: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Name,
    Point,
}

impl Pattern {
    pub fn parse(pattern: &str) -> Result<Pattern> {
        let bad = |message: String| Error::BadConfig {
            path: crate::config::FILE_NAME.into(),
            message,
        };
        let mut parts = Vec::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Lit(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| bad(format!("`releases.patterns`: unclosed `{{` in `{pattern}`")))?;
            let part = match &rest[open + 1..open + close] {
                "name" => Part::Name,
                "n" => Part::Point,
                other => {
                    return Err(bad(format!(
                        "`releases.patterns`: unknown placeholder `{{{other}}}` in `{pattern}` \
                         (use `{{name}}` and `{{n}}`)"
                    )))
                }
            };
            if matches!(parts.last(), Some(Part::Name | Part::Point)) {
                return Err(bad(format!(
                    "`releases.patterns`: placeholders must be separated by text in `{pattern}`"
                )));
            }
            parts.push(part);
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        if !parts.contains(&Part::Name) {
            return Err(bad(format!(
                "`releases.patterns`: `{pattern}` has no `{{name}}` placeholder"
            )));
        }
        Ok(Pattern {
            parts,
            full: pattern.starts_with("refs/"),
        })
    }

    /// Match a ref name (full names for `refs/…` patterns, short names otherwise).
    pub fn matches(&self, name: &str) -> Option<(&'static Release, Version)> {
        if self.full != name.starts_with("refs/") {
            return None;
        }
        let mut release = None;
        let mut point = None;
        let mut rest = name;
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Lit(lit) => rest = rest.strip_prefix(lit.as_str())?,
                Part::Name | Part::Point => {
                    // A placeholder runs up to the next literal (or the end).
                    let end = match self.parts.get(i + 1) {
                        Some(Part::Lit(next)) => rest.find(next.as_str())?,
                        _ => rest.len(),
                    };
                    let value = &rest[..end];
                    if *part == Part::Name {
                        release = Some(catalog::release(value)?);
                    } else {
                        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                            return None;
                        }
                        point = Some(value.parse().ok()?);
                    }
                    rest = &rest[end..];
                }
            }
        }
        if !rest.is_empty() {
            return None;
        }
        let version = Version {
            point,
            suffix: None,
            rc: None,
            branch_shaped: point.is_none(),
        };
        Some((release?, version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_patterns() {
        let p = Pattern::parse("refs/tags/acme/{name}.{n}").unwrap();
        let (r, v) = p.matches("refs/tags/acme/redwood.3").unwrap();
        assert_eq!(
            (r.name, v.point, v.branch_shaped),
            ("redwood", Some(3), false)
        );
        assert!(p.matches("refs/tags/acme/redwood.x").is_none());
        assert!(p.matches("refs/tags/acme/oak.1").is_none());
        assert!(
            p.matches("acme/redwood.3").is_none(),
            "full patterns match full names"
        );

        let p = Pattern::parse("acme-{name}").unwrap();
        let (r, v) = p.matches("acme-Sumac").unwrap();
        assert_eq!((r.name, v.point, v.branch_shaped), ("sumac", None, true));
        assert!(p.matches("acme-sumac.1").is_none());

        assert!(
            Pattern::parse("refs/tags/acme/{n}").is_err(),
            "needs {{name}}"
        );
        assert!(Pattern::parse("acme/{name}{n}").is_err(), "ambiguous");
        assert!(Pattern::parse("acme/{version}").is_err());
        assert!(Pattern::parse("acme/{name").is_err());
    }

    #[test]
    fn locations() {
        let remotes = vec!["upstream".to_string(), "origin".to_string()];
        assert_eq!(
            locate("refs/remotes/upstream/release/teak", &remotes),
            Some((RefSource::Remote("upstream".into()), "release/teak"))
        );
        assert_eq!(
            locate("refs/tags/release/teak.1", &remotes),
            Some((RefSource::Tag, "release/teak.1"))
        );
        assert_eq!(locate("refs/notes/commits", &remotes), None);
    }
}
