//! Line-number-independent finding identity, used by SARIF `partialFingerprints` and by
//! baselines.
//!
//! A finding's fingerprint hashes:
//! - the rule and the file's path;
//! - the flagged code and the code of the statement (or expression) around it, both
//!   *normalized*: whitespace, line breaks and comments removed, trailing commas before a
//!   closing bracket and `;` dropped, parentheses that only group an expression dropped,
//!   and `'` read as `"`, so what a formatter (black, ruff format, prettier) changes does
//!   not change the identity;
//! - the names of the enclosing functions and classes;
//! - an occurrence index among findings with all of the above equal, counted in source
//!   order.
//!
//! So the identity survives lines inserted or removed above the finding, reformatting and
//! moving code within its function; it changes when the flagged statement itself is
//! edited, or when it moves to another function or file.

use crate::diagnostic::Span;
use crate::semantic::path_from_root;
use std::collections::BTreeMap;
use tree_sitter::{Node, Tree};

/// Names the fingerprint recipe. Bump it whenever the recipe changes, so an identity
/// from an older recipe is never mistaken for the same finding (SARIF consumers and
/// baselines compare identities by this name).
pub const RECIPE: &str = "corbelFingerprint/v2";

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The context statement grows up to this many normalized characters; past that (a
/// callback with a body, a long object literal) the smaller expression is the context,
/// so edits elsewhere in a big construct leave the identity alone.
const MAX_CONTEXT_CHARS: usize = 400;

/// FNV-1a: tiny, and stable across platforms and Rust versions (unlike `DefaultHasher`).
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash = FNV_OFFSET;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(FNV_PRIME);
        }
    }
    hash
}

/// Definitions whose names make up a finding's scope.
fn is_named_scope(kind: &str) -> bool {
    matches!(
        kind,
        "function_definition"
            | "class_definition"
            | "function_declaration"
            | "method_definition"
            | "class_declaration"
            | "abstract_class_declaration"
            | "generator_function_declaration"
    )
}

/// Nodes the context never grows into: statement lists, compound statements (whose
/// bodies are other statements) and functions.
fn is_context_boundary(kind: &str) -> bool {
    matches!(
        kind,
        // Python
        "module"
            | "block"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "if_statement"
            | "elif_clause"
            | "else_clause"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "except_clause"
            | "finally_clause"
            | "with_statement"
            | "match_statement"
            | "case_clause"
            | "lambda"
            // TypeScript / JavaScript
            | "program"
            | "statement_block"
            | "class_body"
            | "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "generator_function"
            | "generator_function_declaration"
            | "method_definition"
            | "class_declaration"
            | "class"
            | "abstract_class_declaration"
            | "for_in_statement"
            | "do_statement"
            | "catch_clause"
            | "switch_statement"
            | "switch_body"
            | "switch_case"
            | "switch_default"
            | "labeled_statement"
            | "interface_declaration"
            | "enum_declaration"
            | "internal_module"
            | "module_declaration"
    )
}

/// The names of the functions and classes around `node`, outermost first.
fn enclosing_name(root: Node<'_>, node: Node<'_>, source: &str) -> String {
    let names: Vec<&str> = path_from_root(root, node)
        .into_iter()
        .filter(|ancestor| is_named_scope(ancestor.kind()))
        .filter_map(|ancestor| ancestor.child_by_field_name("name"))
        .map(|name| source.get(name.byte_range()).unwrap_or(""))
        .collect();
    names.join(".")
}

/// The code around a finding: from the flagged node, the largest enclosing node below
/// the nearest statement list, compound statement or function, as long as its normalized
/// code stays within [`MAX_CONTEXT_CHARS`].
fn context_node<'t>(node: Node<'t>, source: &str) -> Node<'t> {
    let mut context = node;
    while let Some(parent) = context.parent() {
        if is_context_boundary(parent.kind())
            || normalized_len(source, parent.byte_range(), MAX_CONTEXT_CHARS + 1)
                > MAX_CONTEXT_CHARS
        {
            break;
        }
        context = parent;
    }
    context
}

/// Non-whitespace characters in `range`, counting at most to `limit`.
fn normalized_len(source: &str, range: std::ops::Range<usize>, limit: usize) -> usize {
    source
        .get(range)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(limit)
        .count()
}

/// Byte ranges inside `node` that formatters add, remove or move without changing the
/// code: comments, trailing commas, `;`, grouping parentheses, line continuations.
fn layout_ranges(node: Node<'_>, range: &std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let mut skipped = Vec::new();
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        if current.end_byte() <= range.start || current.start_byte() >= range.end {
            continue;
        }
        match current.kind() {
            // A comment inside the code is layout; a flagged comment (a suppression
            // directive) is the code itself.
            "comment" | "line_continuation" if current != node => {
                skipped.push(current.byte_range());
                continue;
            }
            ";" => skipped.push(current.byte_range()),
            "," if next_code_sibling(current)
                .is_some_and(|next| matches!(next.kind(), ")" | "]" | "}")) =>
            {
                skipped.push(current.byte_range());
            }
            "parenthesized_expression" => {
                if let (Some(first), Some(last)) = (
                    current.child(0),
                    current.child(current.child_count().saturating_sub(1)),
                ) {
                    if first.kind() == "(" && last.kind() == ")" {
                        skipped.push(first.byte_range());
                        skipped.push(last.byte_range());
                    }
                }
            }
            _ => {}
        }
        stack.extend(current.children(&mut cursor));
    }
    skipped.sort_by_key(|r| (r.start, r.end));
    skipped
}

/// The next sibling that is not a comment.
fn next_code_sibling(node: Node<'_>) -> Option<Node<'_>> {
    let mut next = node.next_sibling();
    while let Some(sibling) = next {
        if sibling.kind() != "comment" {
            return Some(sibling);
        }
        next = sibling.next_sibling();
    }
    None
}

/// The code in `range` (within `node`) with layout removed; see the module docs.
fn normalized_code(node: Node<'_>, source: &str, range: std::ops::Range<usize>) -> String {
    let skipped = layout_ranges(node, &range);
    let mut next_skip = 0;
    let mut code = String::new();
    let Some(text) = source.get(range.clone()) else {
        return code;
    };
    for (offset, c) in text.char_indices() {
        let at = range.start + offset;
        while skipped.get(next_skip).is_some_and(|r| r.end <= at) {
            next_skip += 1;
        }
        if skipped
            .get(next_skip..)
            .unwrap_or(&[])
            .iter()
            .take_while(|r| r.start <= at)
            .any(|r| r.contains(&at))
        {
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        // A backslash line continuation inside a range the tree does not mark as one.
        if c == '\\' {
            let rest = &text[offset + 1..];
            let trimmed = rest.trim_start_matches([' ', '\t', '\r']);
            if trimmed.starts_with('\n') {
                continue;
            }
        }
        code.push(if c == '\'' { '"' } else { c });
    }
    code
}

/// The fingerprint of one finding. Call it for a file's findings in source order:
/// `occurrences` counts findings with the same rule, scope and code.
pub fn fingerprint(
    tree: &Tree,
    source: &str,
    path: &str,
    rule: &str,
    span: Span,
    occurrences: &mut BTreeMap<(String, String), usize>,
) -> String {
    let root = tree.root_node();
    let node = root
        .descendant_for_byte_range(span.start, span.end)
        .unwrap_or(root);
    let flagged = normalized_code(node, source, span.start..span.end.max(span.start));
    let context = context_node(node, source);
    let context_code = normalized_code(context, source, context.byte_range());
    let scope = enclosing_name(root, node, source);
    let key = format!("{scope}\u{0}{flagged}\u{0}{context_code}");
    let occurrence = occurrences
        .entry((rule.to_string(), key.clone()))
        .or_insert(0);
    *occurrence += 1;
    let hash = fnv1a(&[rule, path, &key, &occurrence.to_string()]);
    format!("{hash:016x}")
}

/// Identity of a project-level finding: the rule, the site's path and what the site
/// recorded (not its line), so it survives edits above it.
pub fn fact_fingerprint(rule: &str, fact: &crate::fact::Fact) -> String {
    let values: Vec<String> = fact
        .values
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let hash = fnv1a(&[
        rule,
        &fact.location.path,
        &fact.kind,
        &values.join("\u{0}"),
        &fact.occurrence.to_string(),
    ]);
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::language::Grammar;

    fn parse(grammar: Grammar, source: &str) -> Tree {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&grammar.ts_language()).unwrap();
        parser.parse(source, None).unwrap()
    }

    /// Fingerprints of every occurrence of `needle` in `source`, in source order, as a
    /// rule flagging exactly that text would get them.
    fn prints(grammar: Grammar, source: &str, needle: &str) -> Vec<String> {
        let tree = parse(grammar, source);
        let mut occurrences = BTreeMap::new();
        source
            .match_indices(needle)
            .map(|(start, _)| {
                let span = Span::new(start, start + needle.len());
                fingerprint(&tree, source, "app/x", "rule", span, &mut occurrences)
            })
            .collect()
    }

    const PY: &str = "\
import requests


def fetch(url):
    return requests.get(url, headers={'a': 1})


class Client:
    def sync(self):
        requests.get(self.url)
        requests.get(self.url)
";

    #[test]
    fn stable_when_lines_are_inserted_above() {
        let before = prints(Grammar::Python, PY, "requests.get");
        let shifted = format!("# a header\n\nimport os\n\n{PY}");
        assert_eq!(before, prints(Grammar::Python, &shifted, "requests.get"));
        // Three findings, three identities (the two identical calls by occurrence).
        let unique: std::collections::BTreeSet<_> = before.iter().collect();
        assert_eq!(unique.len(), 3);
    }

    #[test]
    fn stable_when_reformatted() {
        let black = "\
import requests


def fetch(url):
    return requests.get(
        url,  # the ledger
        headers={\"a\": 1},
    )


class Client:
    def sync(self):
        requests.get(
            self.url
        )
        requests.get(self.url)
";
        assert_eq!(
            prints(Grammar::Python, PY, "requests.get"),
            prints(Grammar::Python, black, "requests.get")
        );
    }

    #[test]
    fn stable_when_prettier_rewrites_typescript() {
        let before = "async function load(id: string) {\n  const res = await fetch('/users/' + id, {method: 'GET'})\n  return res\n}\n";
        let after = "async function load(id: string) {\n  const res = await fetch(\n    \"/users/\" + id,\n    { method: \"GET\" },\n  );\n  return res;\n}\n";
        assert_eq!(
            prints(Grammar::TypeScript, before, "fetch"),
            prints(Grammar::TypeScript, after, "fetch")
        );
    }

    #[test]
    fn grouping_parentheses_do_not_count() {
        let plain = "def f():\n    return requests.get(url).json()\n";
        let wrapped = "def f():\n    return (\n        requests.get(url)\n        .json()\n    )\n";
        assert_eq!(
            prints(Grammar::Python, plain, "requests.get"),
            prints(Grammar::Python, wrapped, "requests.get")
        );
    }

    #[test]
    fn a_new_identical_call_above_keeps_the_others_apart() {
        // The statement around the call tells findings apart, so a new finding above
        // an old one does not take over the old one's identity.
        let before = "def f():\n    requests.get(a)\n";
        let after = "def f():\n    requests.get(b)\n    requests.get(a)\n";
        let old = prints(Grammar::Python, before, "requests.get");
        let new = prints(Grammar::Python, after, "requests.get");
        assert_eq!(old[0], new[1]);
        assert_ne!(new[0], new[1]);
    }

    #[test]
    fn changes_with_rule_path_scope_and_statement() {
        let source = "def f():\n    requests.get(a)\n";
        let tree = parse(Grammar::Python, source);
        let span = Span::new(13, 25);
        let print = |path: &str, rule: &str| {
            fingerprint(&tree, source, path, rule, span, &mut BTreeMap::new())
        };
        assert_ne!(print("a.py", "r"), print("b.py", "r"));
        assert_ne!(print("a.py", "r"), print("a.py", "s"));
        let renamed = prints(
            Grammar::Python,
            "def g():\n    requests.get(a)\n",
            "requests.get",
        );
        let edited = prints(
            Grammar::Python,
            "def f():\n    requests.get(b)\n",
            "requests.get",
        );
        let original = prints(Grammar::Python, source, "requests.get");
        assert_ne!(original, renamed);
        assert_ne!(original, edited);
    }

    #[test]
    fn a_callback_body_is_not_part_of_the_context() {
        let before = "app.get('/', async (req, res) => {\n  const r = await fetch(url);\n  res.send(r);\n});\n";
        let after = "app.get('/', async (req, res) => {\n  log('hit');\n  const r = await fetch(url);\n  res.send(await r.text());\n});\n";
        assert_eq!(
            prints(Grammar::Tsx, before, "fetch"),
            prints(Grammar::Tsx, after, "fetch")
        );
    }

    #[test]
    fn flagged_comments_are_code() {
        let source =
            "def f():\n    # corbel: ignore[a]\n    x()\n    # corbel: ignore[b]\n    y()\n";
        let first = prints(Grammar::Python, source, "# corbel: ignore[a]");
        let second = prints(Grammar::Python, source, "# corbel: ignore[b]");
        assert_ne!(first, second);
    }

    #[test]
    fn normalization() {
        let source = "x = f(  'a' ,\n  b,  # c\n)\n";
        let tree = parse(Grammar::Python, source);
        let root = tree.root_node();
        assert_eq!(
            normalized_code(root, source, 0..source.len()),
            "x=f(\"a\",b)"
        );
        let continued = "x = a + \\\n    b\n";
        let tree = parse(Grammar::Python, continued);
        assert_eq!(
            normalized_code(tree.root_node(), continued, 0..continued.len()),
            "x=a+b"
        );
    }
}
