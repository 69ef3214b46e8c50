//! pip requirement lines and files: names, specifiers, versions, `# via` annotations.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One parsed requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub name: String,
    /// `==5.2.2`, `>=1,<2`, or empty.
    pub spec: String,
}

impl Requirement {
    /// The exact version of an `==` pin.
    pub fn pinned(&self) -> Option<&str> {
        let v = self.spec.strip_prefix("==")?;
        (!v.contains(',')).then_some(v.trim())
    }
}

/// Normalised package name (PEP 503, roughly).
pub fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Parse one line of a requirements file; `None` for comments, options and blank lines.
pub fn parse_requirement(line: &str) -> Option<Requirement> {
    let line = line.split(" #").next().unwrap_or(line);
    let line = line.split(';').next().unwrap_or(line).trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with('-') || line.contains("://") {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() {
        return None;
    }
    let mut rest = line[end..].trim();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map(|(_, r)| r.trim()).unwrap_or("");
    }
    let spec: String = rest
        .split_whitespace()
        .take_while(|w| !w.starts_with("--"))
        .collect::<Vec<_>>()
        .join("");
    if !spec.is_empty() && !spec.starts_with(['=', '<', '>', '!', '~']) {
        return None;
    }
    Some(Requirement {
        name: normalise(name),
        spec,
    })
}

/// Package → (spec, 1-based line) of a requirements file.
pub(super) fn parse_file(text: &str) -> BTreeMap<String, (String, u32)> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(r) = parse_requirement(line) {
            out.entry(r.name)
                .or_insert((r.spec, u32::try_from(i + 1).unwrap_or(u32::MAX)));
        }
    }
    out
}

/// pip-compile's `# via` annotations of a compiled requirements file: package → the packages
/// that require it (`-r file` / `-c file` entries left out).
pub fn via_of(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(r) = parse_requirement(line) {
            current = Some(r.name);
            continue;
        }
        // Annotations are indented comments under their requirement.
        let indented = line.starts_with([' ', '\t']);
        let Some(comment) = line.trim().strip_prefix('#').filter(|_| indented) else {
            current = None;
            continue;
        };
        let Some(pkg) = &current else { continue };
        let c = comment.trim();
        let entry = c.strip_prefix("via").map(str::trim).unwrap_or(c);
        if entry.is_empty() || entry.starts_with('-') {
            continue;
        }
        out.entry(pkg.clone()).or_default().push(normalise(entry));
    }
    out
}

/// Compare two versions part by part (numbers numerically; `5.2` = `5.2.0`).
pub fn cmp_versions(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<String> {
        v.split(['.', '-', '+'])
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).map(String::as_str).unwrap_or("0");
        let y = pb.get(i).map(String::as_str).unwrap_or("0");
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Does `version` satisfy every clause of `spec` (`<5.3`, `>=1,<2`, `==4.2.*`)? Unknown
/// operators count as satisfied.
pub fn satisfies(version: &str, spec: &str) -> bool {
    spec.split(',').filter(|c| !c.is_empty()).all(|clause| {
        let ops = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"];
        let Some(op) = ops.iter().find(|op| clause.starts_with(**op)) else {
            return true;
        };
        let v = clause[op.len()..].trim();
        if let Some(prefix) = v.strip_suffix(".*") {
            let matches = version == prefix || version.starts_with(&format!("{prefix}."));
            return if *op == "!=" { !matches } else { matches };
        }
        let o = cmp_versions(version, v);
        match *op {
            "==" | "===" => o == Ordering::Equal,
            "!=" => o != Ordering::Equal,
            "<=" => o != Ordering::Greater,
            ">=" | "~=" => o != Ordering::Less,
            "<" => o == Ordering::Less,
            ">" => o == Ordering::Greater,
            _ => true,
        }
    })
}

pub(super) fn is_requirements_file(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("requirements/") else {
        return false;
    };
    let depth_ok =
        !rest.contains('/') || rest.strip_prefix("edx/").is_some_and(|r| !r.contains('/'));
    depth_ok && (rest.ends_with(".txt") || rest.ends_with(".in"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines() {
        let r = |l: &str| parse_requirement(l).map(|r| (r.name, r.spec));
        assert_eq!(
            r("Django==4.2.16"),
            Some(("django".into(), "==4.2.16".into()))
        );
        assert_eq!(
            r("lxml[html_clean]==5.2.2  # via -r x"),
            Some(("lxml".into(), "==5.2.2".into()))
        );
        assert_eq!(r("lxml<5.3"), Some(("lxml".into(), "<5.3".into())));
        assert_eq!(
            r("python_dateutil"),
            Some(("python-dateutil".into(), "".into()))
        );
        assert_eq!(r("    # via -r requirements/edx/kernel.in"), None);
        assert_eq!(r("-r base.txt"), None);
        assert_eq!(r("-e git+https://github.com/x/y.git#egg=y"), None);
        assert_eq!(
            r("pytz==2024.1 ; python_version >= \"3.8\""),
            Some(("pytz".into(), "==2024.1".into()))
        );
    }

    #[test]
    fn via_annotations() {
        let text = "lxml==5.2.2\n    # via\n    #   -r requirements/edx/kernel.in\n    #   xmlsec\n    #   edx_i18n_tools\nrequests==2.32.3\n    # via -r requirements/edx/kernel.in\nsix==1.16\n    # via python-dateutil\n# comment\n";
        let v = via_of(text);
        assert_eq!(v["lxml"], ["xmlsec", "edx-i18n-tools"]);
        assert!(!v.contains_key("requests"));
        assert_eq!(v["six"], ["python-dateutil"]);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn versions_and_specs() {
        assert_eq!(cmp_versions("2.32.3", "2.31.0"), Ordering::Greater);
        assert_eq!(cmp_versions("5.2", "5.2.0"), Ordering::Equal);
        assert_eq!(cmp_versions("1.10", "1.9"), Ordering::Greater);
        assert!(satisfies("5.2.2", "<5.3"));
        assert!(!satisfies("5.3.0", "<5.3"));
        assert!(satisfies("4.2.16", ">=4.2,<5.0"));
        assert!(!satisfies("5.0.1", ">=4.2,<5.0"));
        assert!(satisfies("4.2.7", "==4.2.*"));
    }
}
