//! Compare the settings operations and other module-level items of two versions of a module.

use super::python::{normalize, Module, Op, Other};
use crate::changes::keys::Status;

/// One setting operation that differs.
#[derive(Debug, Clone)]
pub struct OpChange {
    pub status: Status,
    /// The operation that describes the change: the fork's (added, changed), else the base's.
    pub op: Op,
    /// The base operation (changed, removed).
    pub old: Option<Op>,
}

/// A non-setting item that differs.
#[derive(Debug, Clone)]
pub struct OtherChange {
    pub status: Status,
    pub item: Other,
}

/// Settings operations: matched by identity (setting + nth occurrence, or call + arguments);
/// changed when the value's source text differs (whitespace aside). Result in fork order, then
/// removals in base order.
pub fn compare_ops(base: &Module, head: &Module) -> Vec<OpChange> {
    let mut out = Vec::new();
    for op in &head.ops {
        match base.ops.iter().find(|b| b.ident == op.ident) {
            None => out.push(OpChange {
                status: Status::Added,
                op: op.clone(),
                old: None,
            }),
            Some(b) if normalize(&b.text) != normalize(&op.text) => out.push(OpChange {
                status: Status::Changed,
                op: op.clone(),
                old: Some(b.clone()),
            }),
            Some(_) => {}
        }
    }
    for op in &base.ops {
        if !head.ops.iter().any(|h| h.ident == op.ident) {
            out.push(OpChange {
                status: Status::Removed,
                op: op.clone(),
                old: Some(op.clone()),
            });
        }
    }
    out
}

/// Non-setting items: functions/classes by name (changed when their text differs), everything
/// else by normalized text (added/removed).
pub fn compare_others(base: &Module, head: &Module) -> Vec<OtherChange> {
    let key = |o: &Other| (o.category, o.ident.clone());
    let mut out = Vec::new();
    let mut base_counts: std::collections::HashMap<(&str, String), usize> =
        std::collections::HashMap::new();
    for o in &base.others {
        *base_counts.entry(key(o)).or_insert(0) += 1;
    }
    for o in &head.others {
        match base_counts.get_mut(&key(o)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                if matches!(o.category, "function" | "class") {
                    let same = base
                        .others
                        .iter()
                        .any(|b| key(b) == key(o) && normalize(&b.text) == normalize(&o.text));
                    if !same {
                        out.push(OtherChange {
                            status: Status::Changed,
                            item: o.clone(),
                        });
                    }
                }
            }
            _ => out.push(OtherChange {
                status: Status::Added,
                item: o.clone(),
            }),
        }
    }
    let mut head_counts: std::collections::HashMap<(&str, String), usize> =
        std::collections::HashMap::new();
    for o in &head.others {
        *head_counts.entry(key(o)).or_insert(0) += 1;
    }
    for o in &base.others {
        match head_counts.get_mut(&key(o)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(OtherChange {
                status: Status::Removed,
                item: o.clone(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::python::extract;
    use super::*;

    #[test]
    fn compares_settings_and_other_code() {
        let base = extract(
            "import os\n# upstream\nPLATFORM_NAME = 'X'\nFEATURES = {\n    'A': False,\n    'B': 1,\n}\nGONE = 1\ndef f():\n    return 1\n",
        );
        let head = extract(
            "import os\nimport acme\n# upstream\nPLATFORM_NAME = \"Acme\"\nFEATURES = {\n    'A': True,\n    'B': 1,\n}\nINSTALLED_APPS.append('x')\ndef f():\n    return 2\n",
        );
        let ops: Vec<(String, Status)> = compare_ops(&base, &head)
            .iter()
            .map(|c| (c.op.setting.clone(), c.status))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("PLATFORM_NAME".into(), Status::Changed),
                ("FEATURES[\"A\"]".into(), Status::Changed),
                ("INSTALLED_APPS".into(), Status::Added),
                ("GONE".into(), Status::Removed),
            ]
        );
        let others: Vec<(&str, Status)> = compare_others(&base, &head)
            .iter()
            .map(|c| (c.item.category, c.status))
            .collect();
        assert_eq!(
            others,
            vec![("import", Status::Added), ("function", Status::Changed)]
        );
    }
}
