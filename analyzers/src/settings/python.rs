//! Extract the top-level settings operations of a Django settings module with tree-sitter-python.
//!
//! A setting is a module-level name in upper case (`PLATFORM_NAME`); settings are named in Python
//! subscript notation (`FEATURES["ENABLE_X"]`, `VIDEO_UPLOAD_PIPELINE["BUCKET"]`). Module-level
//! code includes the bodies of top-level `if`/`try`/`with`/`for` statements, not of functions or
//! classes. Everything that is not a setting operation (imports, functions, classes, comments,
//! other statements) is kept as an [`Other`] item so non-setting edits are reported, not lost.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::Value;
use tree_sitter::{Node, Parser};

use super::literal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpKind {
    /// `NAME = v`
    Assign,
    /// A key of a dict literal: `NAME = {"KEY": v}` → `NAME["KEY"]`.
    DictKey,
    /// `NAME["KEY"] = v`
    Subscript,
    /// `NAME += v`
    AugAssign,
    /// `NAME.append(v)`, `.extend`, `.insert`, `.update`, …
    Call,
    /// `del NAME` / `del NAME["KEY"]`
    Del,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Assign => "assign",
            OpKind::DictKey => "dict-key",
            OpKind::Subscript => "subscript-assign",
            OpKind::AugAssign => "aug-assign",
            OpKind::Call => "call",
            OpKind::Del => "del",
        }
    }
    /// Does this operation set a value (as opposed to modify or delete)?
    pub fn sets_value(self) -> bool {
        matches!(self, OpKind::Assign | OpKind::DictKey | OpKind::Subscript)
    }
}

/// One operation on a setting.
#[derive(Debug, Clone)]
pub struct Op {
    /// `FEATURES["ENABLE_X"]`
    pub setting: String,
    /// `FEATURES`
    pub root: String,
    /// Subscript keys below the root (`["ENABLE_X"]`); non-literal subscripts as source text.
    pub path: Vec<String>,
    pub kind: OpKind,
    /// For calls: the method name (`append`).
    pub method: Option<String>,
    /// The value's source text (assignments), or the call's arguments (calls), or empty (del).
    pub text: String,
    /// The whole statement as written (`FEATURES["X"] = True`); for dict keys `NAME["K"] = v`.
    pub stmt: String,
    /// The value (or single call argument) evaluated as a literal.
    pub value: Option<Value>,
    /// 1-based line of the value (dict keys) or statement.
    pub line: u32,
    /// Identity for matching base ↔ fork operations.
    pub ident: String,
}

/// A module-level item that is not a settings operation.
#[derive(Debug, Clone)]
pub struct Other {
    /// `import`, `function`, `class`, `comment`, `code`.
    pub category: &'static str,
    /// Identity for matching (name for functions/classes, normalized text otherwise).
    pub ident: String,
    pub text: String,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct Module {
    pub ops: Vec<Op>,
    pub others: Vec<Other>,
    /// Upper-case names imported with `from x import NAME` (they define the setting too).
    pub imported: Vec<(String, u32)>,
    /// 1-based lines of syntax errors (ERROR / MISSING nodes).
    pub error_lines: Vec<u32>,
    /// First line where the YAML config is loaded/applied (production.py), if any.
    pub yaml_load_line: Option<u32>,
}

thread_local! {
    /// One parser per thread (tree-sitter parsers are not `Sync`).
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Is `name` a Django setting name (upper case, may contain digits and underscores)?
pub fn is_setting_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Parse Python source with this thread's tree-sitter parser (made once per thread); `None` only
/// when the grammar cannot be loaded. Shared by every analysis that reads Python.
pub(crate) fn parse(src: &str) -> Option<tree_sitter::Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            if parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .is_err()
            {
                return None;
            }
            *slot = Some(parser);
        }
        slot.as_mut().and_then(|p| p.parse(src, None))
    })
}

/// Parse `src` and extract its settings operations. Never fails: a file with syntax errors
/// yields what the tree holds, with `error_lines` set.
pub fn extract(src: &str) -> Module {
    let tree = parse(src);
    let mut module = Module::default();
    let Some(tree) = tree else {
        module.error_lines.push(1);
        return module;
    };
    let root = tree.root_node();
    let mut ex = Extractor {
        src: src.as_bytes(),
        module: &mut module,
        counters: HashMap::new(),
    };
    ex.block(root, 0);
    if root.has_error() {
        collect_errors(root, &mut module.error_lines);
    }
    collect_python2(root, &mut module.error_lines);
    module
}

/// Python 2 statements that tree-sitter-python accepts without an ERROR node (its grammar keeps
/// them for old code) but Python 3 refuses: `print "x"`, `exec "code"`, `except E, e:`. Their
/// lines count as syntax errors. Iterative (settings modules can nest deeply).
fn collect_python2(root: Node<'_>, out: &mut Vec<u32>) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let python2 = match node.kind() {
            "print_statement" | "exec_statement" => true,
            "except_clause" => {
                let mut c = node.walk();
                let has_comma = node.children(&mut c).any(|child| child.kind() == ",");
                has_comma && node.child_by_field_name("alias").is_none()
            }
            _ => false,
        };
        if python2 && out.len() < 20 {
            out.push(line_of(node));
        }
        if !python2 && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                out.sort_unstable();
                out.dedup();
                return;
            }
        }
    }
}

fn collect_errors(node: Node<'_>, out: &mut Vec<u32>) {
    if out.len() >= 20 {
        return;
    }
    if node.is_error() || node.is_missing() {
        out.push(line_of(node));
        return;
    }
    if !node.has_error() {
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_errors(child, out);
    }
}

fn line_of(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

/// Collapse runs of whitespace (outside nothing clever: good enough for identity).
pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Python subscript notation for a setting: `ROOT["A"]["B"]`.
pub fn setting_name(root: &str, path: &[String]) -> String {
    let mut s = root.to_string();
    for p in path {
        if p.starts_with('[') {
            s.push_str(p);
        } else {
            s.push_str(&format!("[{}]", Value::String(p.clone())));
        }
    }
    s
}

const MAX_NESTING: usize = 48;

struct Extractor<'a, 'm> {
    src: &'a [u8],
    module: &'m mut Module,
    counters: HashMap<String, usize>,
}

impl Extractor<'_, '_> {
    fn text(&self, node: Node<'_>) -> String {
        node.utf8_text(self.src).unwrap_or("").to_string()
    }

    fn next_ident(&mut self, base: String) -> String {
        let n = self.counters.entry(base.clone()).or_insert(0);
        let ident = format!("{base}#{n}");
        *n += 1;
        ident
    }

    /// Walk the statements of a module or block.
    fn block(&mut self, node: Node<'_>, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            self.statement(child, depth);
        }
    }

    fn other(&mut self, category: &'static str, ident: String, node: Node<'_>) {
        let text = self.text(node);
        self.module.others.push(Other {
            category,
            ident,
            text,
            line: line_of(node),
        });
    }

    fn statement(&mut self, node: Node<'_>, depth: usize) {
        let text = self.text(node);
        if self.module.yaml_load_line.is_none()
            && (text.contains("yaml.safe_load(")
                || text.contains("yaml.load(")
                || text.contains("_YAML_TOKENS")
                || text.contains("vars().update("))
        {
            self.module.yaml_load_line = Some(line_of(node));
        }
        match node.kind() {
            "comment" => self.other("comment", normalize(&text), node),
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                self.imports(node);
                self.other("import", normalize(&text), node);
            }
            "function_definition" | "class_definition" | "decorated_definition" => {
                let def = if node.kind() == "decorated_definition" {
                    node.child_by_field_name("definition").unwrap_or(node)
                } else {
                    node
                };
                let category = if def.kind() == "class_definition" {
                    "class"
                } else {
                    "function"
                };
                let name = def
                    .child_by_field_name("name")
                    .map(|n| self.text(n))
                    .unwrap_or_else(|| normalize(&text));
                self.other(category, name, node);
            }
            "expression_statement" => self.expression_statement(node),
            "delete_statement" => self.delete(node),
            "if_statement" | "try_statement" | "with_statement" | "for_statement"
            | "while_statement" | "elif_clause" | "else_clause" | "except_clause"
            | "finally_clause" => {
                // The header as code (so a new `if` is visible), then the bodies.
                let header = text.lines().next().unwrap_or("").to_string();
                self.module.others.push(Other {
                    category: "code",
                    ident: normalize(&header),
                    text: header,
                    line: line_of(node),
                });
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "block" => self.block(child, depth + 1),
                        "elif_clause" | "else_clause" | "except_clause" | "finally_clause" => {
                            self.statement(child, depth + 1)
                        }
                        "comment" => self.statement(child, depth + 1),
                        _ => {}
                    }
                }
            }
            "ERROR" => {
                // Keep what the tree holds: statements nested in the error node.
                self.block(node, depth + 1);
            }
            _ => self.other("code", normalize(&text), node),
        }
    }

    fn imports(&mut self, node: Node<'_>) {
        if node.kind() != "import_from_statement" {
            return;
        }
        let mut cursor = node.walk();
        for child in node.children_by_field_name("name", &mut cursor) {
            let name_node = if child.kind() == "aliased_import" {
                child.child_by_field_name("alias").unwrap_or(child)
            } else {
                child
            };
            let name = name_node.utf8_text(self.src).unwrap_or("").to_string();
            if is_setting_name(&name) {
                self.module.imported.push((name, line_of(child)));
            }
        }
    }

    fn expression_statement(&mut self, node: Node<'_>) {
        let Some(expr) = node.named_child(0) else {
            return;
        };
        let handled = match expr.kind() {
            "assignment" => self.assignment(expr, node),
            "augmented_assignment" => self.aug_assignment(expr, node),
            "call" => self.call(expr, node),
            _ => false,
        };
        if !handled {
            let text = self.text(node);
            self.other("code", normalize(&text), node);
        }
    }

    /// `ROOT` or `ROOT[k1][k2]` → (root, path) when ROOT is a setting name.
    fn target(&self, node: Node<'_>) -> Option<(String, Vec<String>)> {
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                is_setting_name(&name).then(|| (name, Vec::new()))
            }
            "subscript" => {
                let (root, mut path) = self.target(node.child_by_field_name("value")?)?;
                let sub = node.child_by_field_name("subscript")?;
                let key = match literal::eval(sub, self.src) {
                    Some(Value::String(s)) => s,
                    _ => format!("[{}]", self.text(sub)),
                };
                path.push(key);
                Some((root, path))
            }
            _ => None,
        }
    }

    fn assignment(&mut self, expr: Node<'_>, stmt: Node<'_>) -> bool {
        // `A = B = v`: the right side of a chained assignment is another assignment.
        let mut targets = Vec::new();
        let mut cur = expr;
        let value = loop {
            if let Some(left) = cur.child_by_field_name("left") {
                targets.push(left);
            }
            match cur.child_by_field_name("right") {
                Some(r) if r.kind() == "assignment" => cur = r,
                Some(r) => break Some(r),
                None => break None,
            }
        };
        let Some(value) = value else { return false };
        let mut any = false;
        for left in targets {
            let Some((root, path)) = self.target(left) else {
                continue;
            };
            any = true;
            if path.is_empty()
                && value.kind() == "dictionary"
                && self.expand_dict(&root, &[], value)
            {
                continue;
            }
            let kind = if path.is_empty() {
                OpKind::Assign
            } else {
                OpKind::Subscript
            };
            self.push_op(root, path, kind, None, value, stmt);
        }
        any
    }

    /// Emit one DictKey op per key of a dict literal (recursively for nested dict literals).
    /// Returns false (nothing emitted) when the dict is empty or has non-string keys / splats.
    fn expand_dict(&mut self, root: &str, prefix: &[String], dict: Node<'_>) -> bool {
        if prefix.len() > 8 {
            return false;
        }
        let mut cursor = dict.walk();
        let children: Vec<Node<'_>> = dict
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        let mut pairs = Vec::new();
        for child in &children {
            if child.kind() != "pair" {
                return false;
            }
            let (Some(k), Some(v)) = (
                child.child_by_field_name("key"),
                child.child_by_field_name("value"),
            ) else {
                return false;
            };
            match literal::eval(k, self.src) {
                Some(Value::String(s)) => pairs.push((s, v, *child)),
                _ => return false,
            }
        }
        if pairs.is_empty() {
            return false;
        }
        for (key, value, pair) in pairs {
            let mut path = prefix.to_vec();
            path.push(key);
            if value.kind() == "dictionary" && self.expand_dict(root, &path, value) {
                continue;
            }
            self.push_op(root.to_string(), path, OpKind::DictKey, None, value, pair);
        }
        true
    }

    fn push_op(
        &mut self,
        root: String,
        path: Vec<String>,
        kind: OpKind,
        method: Option<String>,
        value: Node<'_>,
        stmt: Node<'_>,
    ) {
        let setting = setting_name(&root, &path);
        let text = self.text(value);
        let stmt_text = match kind {
            OpKind::DictKey => format!("{setting} = {text}"),
            _ => self.text(stmt),
        };
        let ident = match kind {
            OpKind::Assign | OpKind::DictKey | OpKind::Subscript => {
                self.next_ident(format!("{setting} ="))
            }
            OpKind::AugAssign => self.next_ident(format!("{setting} op=")),
            OpKind::Del => self.next_ident(format!("del {setting}")),
            OpKind::Call => self.next_ident(format!(
                "{setting}.{}{}",
                method.as_deref().unwrap_or(""),
                normalize(&text)
            )),
        };
        let value_lit = match kind {
            OpKind::Call => {
                // The single positional argument, when there is exactly one.
                let mut cursor = value.walk();
                let args: Vec<Node<'_>> = value
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .collect();
                match args.as_slice() {
                    [one] => literal::eval(*one, self.src),
                    _ => None,
                }
            }
            OpKind::Del => None,
            _ => literal::eval(value, self.src),
        };
        self.module.ops.push(Op {
            setting,
            root,
            path,
            kind,
            method,
            text,
            stmt: stmt_text,
            value: value_lit,
            line: line_of(stmt),
            ident,
        });
    }

    fn aug_assignment(&mut self, expr: Node<'_>, stmt: Node<'_>) -> bool {
        let (Some(left), Some(right)) = (
            expr.child_by_field_name("left"),
            expr.child_by_field_name("right"),
        ) else {
            return false;
        };
        let Some((root, path)) = self.target(left) else {
            return false;
        };
        self.push_op(root, path, OpKind::AugAssign, None, right, stmt);
        true
    }

    fn call(&mut self, expr: Node<'_>, stmt: Node<'_>) -> bool {
        let Some(func) = expr.child_by_field_name("function") else {
            return false;
        };
        if func.kind() != "attribute" {
            return false;
        }
        let (Some(object), Some(attr), Some(args)) = (
            func.child_by_field_name("object"),
            func.child_by_field_name("attribute"),
            expr.child_by_field_name("arguments"),
        ) else {
            return false;
        };
        let Some((root, path)) = self.target(object) else {
            return false;
        };
        let method = self.text(attr);
        self.push_op(root, path, OpKind::Call, Some(method), args, stmt);
        true
    }

    fn delete(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        let mut targets: Vec<Node<'_>> = Vec::new();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "expression_list" {
                let mut c2 = child.walk();
                targets.extend(child.named_children(&mut c2));
            } else {
                targets.push(child);
            }
        }
        let mut any = false;
        for t in targets {
            if let Some((root, path)) = self.target(t) {
                any = true;
                self.push_op(root, path, OpKind::Del, None, t, node);
            }
        }
        if !any {
            let text = self.text(node);
            self.other("code", normalize(&text), node);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"# Settings for the LMS
from .common import *
from lms.envs.common import (PLATFORM_NAME, FEATURES as F2)
import yaml

PLATFORM_NAME = "Your Platform Name Here"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
FEATURES = {
    'ENABLE_SPECIAL_EXAMS': False,
    'NESTED': {'A': 1},
}
VIDEO_UPLOAD_PIPELINE = {"VEM_S3_BUCKET": "", "BUCKET": ""}
INSTALLED_APPS = [
    'a',
]
lower_case = 1

with open(CONFIG_FILE) as f:
    __config__ = yaml.safe_load(f)
    vars().update(__config__)

if DEBUG:
    TIME_ZONE = ENV_TOKENS.get('CELERY_TIMEZONE', CELERY_TIMEZONE)

INSTALLED_APPS.append("acme_reports")
INSTALLED_APPS += ["b"]
FEATURES['ENABLE_ACME_REPORTS'] = True
MIDDLEWARE[0] = "x"
del FEATURES["OLD"]

def helper():
    X = 1
"#;

    #[test]
    fn extracts_operations() {
        let m = extract(SRC);
        assert!(m.error_lines.is_empty());
        let got: Vec<(String, &str, u32)> = m
            .ops
            .iter()
            .map(|o| (o.setting.clone(), o.kind.as_str(), o.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("PLATFORM_NAME".into(), "assign", 6),
                ("SESSION_COOKIE_AGE".into(), "assign", 7),
                ("FEATURES[\"ENABLE_SPECIAL_EXAMS\"]".into(), "dict-key", 9),
                ("FEATURES[\"NESTED\"][\"A\"]".into(), "dict-key", 10),
                (
                    "VIDEO_UPLOAD_PIPELINE[\"VEM_S3_BUCKET\"]".into(),
                    "dict-key",
                    12
                ),
                ("VIDEO_UPLOAD_PIPELINE[\"BUCKET\"]".into(), "dict-key", 12),
                ("INSTALLED_APPS".into(), "assign", 13),
                ("TIME_ZONE".into(), "assign", 23),
                ("INSTALLED_APPS".into(), "call", 25),
                ("INSTALLED_APPS".into(), "aug-assign", 26),
                (
                    "FEATURES[\"ENABLE_ACME_REPORTS\"]".into(),
                    "subscript-assign",
                    27
                ),
                ("MIDDLEWARE[0]".into(), "subscript-assign", 28),
                ("FEATURES[\"OLD\"]".into(), "del", 29),
            ]
        );
        let age = &m.ops[1];
        assert_eq!(age.value, Some(serde_json::json!(1209600)));
        let append = &m.ops[8];
        assert_eq!(append.method.as_deref(), Some("append"));
        assert_eq!(append.value, Some(serde_json::json!("acme_reports")));
        assert_eq!(append.stmt, "INSTALLED_APPS.append(\"acme_reports\")");
        assert_eq!(m.yaml_load_line, Some(18));
        assert_eq!(
            m.imported,
            vec![("PLATFORM_NAME".to_string(), 3), ("F2".to_string(), 3)]
        );
        let cats: Vec<&str> = m.others.iter().map(|o| o.category).collect();
        assert!(cats.contains(&"comment") && cats.contains(&"import"));
        assert!(cats.contains(&"function"));
        assert!(m.others.iter().any(|o| o.ident == "lower_case = 1"));
        // Functions' bodies are not module-level settings.
        assert!(!m.ops.iter().any(|o| o.setting == "X"));
    }

    #[test]
    fn broken_file_keeps_what_parses() {
        let m = extract(
            "PLATFORM_NAME = 'x'\nFEATURES = {\n  'A': True,\n\nTIME_ZONE = 'UTC'\ndef (:\n",
        );
        assert!(!m.error_lines.is_empty());
        assert!(m.ops.iter().any(|o| o.setting == "PLATFORM_NAME"));
    }

    #[test]
    fn python2_syntax_is_a_parse_error() {
        for (src, line) in [
            ("X = 1\nprint \"x\"\n", 2),
            ("X = 1\nprint >>sys.stderr, \"x\"\n", 2),
            ("exec \"X = 1\"\n", 1),
            ("try:\n    X = 1\nexcept ImportError, e:\n    X = 2\n", 3),
            ("if True:\n    def f():\n        print \"deep\"\n", 3),
        ] {
            let m = extract(src);
            assert_eq!(m.error_lines, vec![line], "{src}");
        }
        for src in [
            "print(\"x\")\n",
            "try:\n    X = 1\nexcept (ImportError, KeyError) as e:\n    X = 2\n",
            "try:\n    X = 1\nexcept ImportError as e:\n    X = 2\n",
            "X = [print]\n",
        ] {
            let m = extract(src);
            assert!(m.error_lines.is_empty(), "{src}: {:?}", m.error_lines);
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for src in [
            "",
            "\u{0}",
            "((((((((",
            "X = [",
            "del",
            "X[",
            "'''",
            "X = {**Y}",
        ] {
            let _ = extract(src);
        }
        let deep = format!("X = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        let _ = extract(&deep);
    }
}
