//! The catalog of Open edX named releases (Aspen … Willow, in order) and the parser for their
//! ref names in all three schemes (see `docs/edx-domain.md` §1.1):
//!
//! - Aspen–Dogwood: `named-release/<n>` (tag), `named-release/<n>.N`, rc tags
//!   `named-release/<n>.rcN`, branch `named-release/<n>.rc`;
//! - Eucalyptus–Sumac: branch `open-release/<n>.master`, tags `open-release/<n>.N`, rc tags
//!   `open-release/<n>.NrcM`, oddities `open-release/eucalyptus/1rc1` and `open-release/koa.2a`;
//! - Teak onward: branch `release/<n>` (Teak briefly `release/teak.master`), tags
//!   `release/<n>.N` (and rc tags `release/<n>.NrcM`).
//!
//! A name is only recognised with the prefix of its release's era, so a fork's own branch called
//! `release/redwood` is not mistaken for upstream's.

use std::cmp::Ordering;

use serde::Serialize;

/// The ref naming scheme of an era.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// Aspen–Dogwood: `named-release/`.
    NamedRelease,
    /// Eucalyptus–Sumac: `open-release/`.
    OpenRelease,
    /// Teak onward: `release/`.
    Release,
}

impl Scheme {
    pub fn prefix(self) -> &'static str {
        match self {
            Scheme::NamedRelease => "named-release/",
            Scheme::OpenRelease => "open-release/",
            Scheme::Release => "release/",
        }
    }
}

/// One named release.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    /// Lower-case name as used in refs: `redwood`.
    pub name: &'static str,
    /// Position in the catalog, 1-based (Aspen = 1).
    pub index: u32,
    pub scheme: Scheme,
}

impl Release {
    /// `Redwood`.
    pub fn title(&self) -> String {
        let mut chars = self.name.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// The release that follows this one in the catalog.
    pub fn next(&self) -> Option<&'static Release> {
        CATALOG.get(self.index as usize)
    }
}

const fn rel(name: &'static str, index: u32, scheme: Scheme) -> Release {
    Release {
        name,
        index,
        scheme,
    }
}

/// Every named release, oldest first.
pub static CATALOG: &[Release] = &[
    rel("aspen", 1, Scheme::NamedRelease),
    rel("birch", 2, Scheme::NamedRelease),
    rel("cypress", 3, Scheme::NamedRelease),
    rel("dogwood", 4, Scheme::NamedRelease),
    rel("eucalyptus", 5, Scheme::OpenRelease),
    rel("ficus", 6, Scheme::OpenRelease),
    rel("ginkgo", 7, Scheme::OpenRelease),
    rel("hawthorn", 8, Scheme::OpenRelease),
    rel("ironwood", 9, Scheme::OpenRelease),
    rel("juniper", 10, Scheme::OpenRelease),
    rel("koa", 11, Scheme::OpenRelease),
    rel("lilac", 12, Scheme::OpenRelease),
    rel("maple", 13, Scheme::OpenRelease),
    rel("nutmeg", 14, Scheme::OpenRelease),
    rel("olive", 15, Scheme::OpenRelease),
    rel("palm", 16, Scheme::OpenRelease),
    rel("quince", 17, Scheme::OpenRelease),
    rel("redwood", 18, Scheme::OpenRelease),
    rel("sumac", 19, Scheme::OpenRelease),
    rel("teak", 20, Scheme::Release),
    rel("ulmo", 21, Scheme::Release),
    rel("verawood", 22, Scheme::Release),
    rel("willow", 23, Scheme::Release),
];

/// The release called `name` (case-insensitive: `Redwood`, `redwood`).
pub fn release(name: &str) -> Option<&'static Release> {
    CATALOG.iter().find(|r| r.name.eq_ignore_ascii_case(name))
}

/// The version part of a release ref: which point release, whether a release candidate, or a
/// branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// `2` in `redwood.2`; `None` for a bare tag (`named-release/aspen`) or a branch.
    pub point: Option<u32>,
    /// Letters after the point number: `a` in `koa.2a`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// `1` in `ficus.1rc1` / `birch.rc1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rc: Option<u32>,
    /// The name has a branch's shape (`<n>.master`, `<n>.rc`, `release/<n>`).
    pub branch_shaped: bool,
}

impl Version {
    /// Order of point releases within a release: rc before final, `.2` before `.2a` before `.3`;
    /// branch-shaped names sort after every tag (they move on past the last tag).
    pub fn cmp_point(&self, other: &Version) -> Ordering {
        let key = |v: &Version| {
            (
                v.branch_shaped,
                v.point.unwrap_or(0),
                v.rc.is_none(),
                v.rc.unwrap_or(0),
                v.suffix.clone().unwrap_or_default(),
            )
        };
        key(self).cmp(&key(other))
    }

    /// `2`, `1rc1`, `rc2`, `2a`, `master`; empty for a bare tag.
    pub fn label(&self) -> String {
        if self.branch_shaped {
            return "branch".into();
        }
        let mut s = self.point.map(|p| p.to_string()).unwrap_or_default();
        if let Some(suffix) = &self.suffix {
            s.push_str(suffix);
        }
        if let Some(rc) = self.rc {
            s.push_str(&format!("rc{rc}"));
        }
        s
    }
}

/// Parse a ref name without its `refs/…/` location (`open-release/redwood.2`,
/// `release/teak`, `named-release/birch.rc1`) into its release and version.
pub fn parse_name(short: &str) -> Option<(&'static Release, Version)> {
    let (scheme, rest) = [Scheme::NamedRelease, Scheme::OpenRelease, Scheme::Release]
        .into_iter()
        .find_map(|s| short.strip_prefix(s.prefix()).map(|rest| (s, rest)))?;
    // The name runs up to the first `.` or `/` (eucalyptus/1rc1).
    let end = rest.find(['.', '/']).unwrap_or(rest.len());
    let (name, tail) = rest.split_at(end);
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let release = CATALOG.iter().find(|r| r.name == name)?;
    if release.scheme != scheme {
        return None;
    }
    let version = parse_version(scheme, tail, release.name == "eucalyptus")?;
    Some((release, version))
}

fn parse_version(scheme: Scheme, tail: &str, slash_ok: bool) -> Option<Version> {
    let branch = Version {
        point: None,
        suffix: None,
        rc: None,
        branch_shaped: true,
    };
    if tail.is_empty() {
        return match scheme {
            // `named-release/aspen`: the release's first tag.
            Scheme::NamedRelease => Some(Version {
                branch_shaped: false,
                ..branch
            }),
            // `release/teak`: the release branch.
            Scheme::Release => Some(branch),
            Scheme::OpenRelease => None,
        };
    }
    let rest = match tail.strip_prefix('.') {
        Some(rest) => rest,
        None if slash_ok => tail.strip_prefix('/')?,
        None => return None,
    };
    match (scheme, rest) {
        (Scheme::NamedRelease, "rc") => return Some(branch),
        (Scheme::OpenRelease | Scheme::Release, "master") => return Some(branch),
        _ => {}
    }
    if let Some(rc) = rest.strip_prefix("rc") {
        // `named-release/birch.rc1`: a candidate of the first release.
        return (scheme == Scheme::NamedRelease).then_some(Version {
            point: None,
            suffix: None,
            rc: Some(number(rc)?),
            branch_shaped: false,
        });
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let point = number(&rest[..digits])?;
    let after = &rest[digits..];
    let (suffix, rc) = if let Some(rc) = after.strip_prefix("rc") {
        (None, Some(number(rc)?))
    } else if after.is_empty() {
        (None, None)
    } else if after.len() <= 2 && after.bytes().all(|b| b.is_ascii_lowercase()) {
        (Some(after.to_string()), None)
    } else {
        return None;
    };
    Some(Version {
        point: Some(point),
        suffix,
        rc,
        branch_shaped: false,
    })
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(short: &str) -> (&'static str, Option<u32>, Option<String>, Option<u32>, bool) {
        let (r, v) = parse_name(short).unwrap_or_else(|| panic!("{short} should parse"));
        (r.name, v.point, v.suffix, v.rc, v.branch_shaped)
    }

    #[test]
    fn catalog_is_ordered_and_complete() {
        assert_eq!(CATALOG.len(), 23);
        assert_eq!(CATALOG[0].name, "aspen");
        assert_eq!(CATALOG[22].name, "willow");
        for (i, r) in CATALOG.iter().enumerate() {
            assert_eq!(r.index as usize, i + 1);
            assert_eq!(
                r.name.chars().next().map(|c| c as u8),
                Some(b'a' + i as u8),
                "releases are alphabetical"
            );
        }
        assert_eq!(
            release("Redwood").and_then(|r| r.next()).map(|r| r.name),
            Some("sumac")
        );
        assert_eq!(release("willow").and_then(|r| r.next()), None);
        assert_eq!(release("sumac").map(|r| r.title()), Some("Sumac".into()));
    }

    #[test]
    fn named_release_scheme() {
        assert_eq!(
            parsed("named-release/aspen"),
            ("aspen", None, None, None, false)
        );
        assert_eq!(
            parsed("named-release/birch.2"),
            ("birch", Some(2), None, None, false)
        );
        assert_eq!(
            parsed("named-release/birch.rc3"),
            ("birch", None, None, Some(3), false)
        );
        assert_eq!(
            parsed("named-release/dogwood.rc"),
            ("dogwood", None, None, None, true)
        );
        assert!(parse_name("named-release/redwood.1").is_none(), "wrong era");
    }

    #[test]
    fn open_release_scheme() {
        assert_eq!(
            parsed("open-release/redwood.master"),
            ("redwood", None, None, None, true)
        );
        assert_eq!(
            parsed("open-release/redwood.2"),
            ("redwood", Some(2), None, None, false)
        );
        assert_eq!(
            parsed("open-release/ficus.1rc1"),
            ("ficus", Some(1), None, Some(1), false)
        );
        assert_eq!(
            parsed("open-release/eucalyptus/1rc1"),
            ("eucalyptus", Some(1), None, Some(1), false)
        );
        assert_eq!(
            parsed("open-release/koa.2a"),
            ("koa", Some(2), Some("a".into()), None, false)
        );
        assert!(parse_name("open-release/redwood").is_none());
        assert!(
            parse_name("open-release/redwood/2").is_none(),
            "only eucalyptus has a slash"
        );
        assert!(parse_name("open-release/teak.1").is_none(), "wrong era");
        assert!(parse_name("open-release/redwood.2-hotfix").is_none());
        assert!(parse_name("open-release/oak.1").is_none(), "not a release");
    }

    #[test]
    fn release_scheme() {
        assert_eq!(parsed("release/teak"), ("teak", None, None, None, true));
        assert_eq!(
            parsed("release/teak.master"),
            ("teak", None, None, None, true)
        );
        assert_eq!(
            parsed("release/ulmo.3"),
            ("ulmo", Some(3), None, None, false)
        );
        assert_eq!(
            parsed("release/ulmo.1rc1"),
            ("ulmo", Some(1), None, Some(1), false)
        );
        assert!(
            parse_name("release/redwood").is_none(),
            "a fork's own branch, not upstream's"
        );
        assert!(parse_name("release/Teak.1").is_none());
        assert!(parse_name("release/").is_none());
    }

    #[test]
    fn point_order() {
        let v = |s: &str| {
            parse_name(s)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("{s}"))
        };
        let mut names = vec![
            "open-release/koa.master",
            "open-release/koa.3",
            "open-release/koa.2a",
            "open-release/koa.2",
            "open-release/koa.1",
            "open-release/koa.1rc2",
            "open-release/koa.1rc1",
        ];
        names.reverse();
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| v(a).cmp_point(&v(b)));
        assert_eq!(sorted, names);
        assert!(
            v("named-release/birch.rc1").cmp_point(&v("named-release/birch")) == Ordering::Less
        );
        assert!(v("named-release/birch").cmp_point(&v("named-release/birch.1")) == Ordering::Less);
    }
}
