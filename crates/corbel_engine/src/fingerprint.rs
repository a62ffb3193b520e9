//! Line-number-independent finding identity: rule, path, the flagged code with all
//! whitespace removed, the enclosing function or class, and an occurrence index among
//! identical findings. Stable when lines are inserted above or the file is reformatted.

use crate::diagnostic::Span;
use crate::semantic::path_from_root;
use std::collections::BTreeMap;
use tree_sitter::{Node, Tree};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

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

/// The names of the functions and classes around `node`, outermost first.
fn enclosing_name(root: Node<'_>, node: Node<'_>, source: &str) -> String {
    let names: Vec<&str> = path_from_root(root, node)
        .into_iter()
        .filter(|ancestor| {
            matches!(
                ancestor.kind(),
                "function_definition"
                    | "class_definition"
                    | "function_declaration"
                    | "method_definition"
                    | "class_declaration"
                    | "abstract_class_declaration"
                    | "generator_function_declaration"
            )
        })
        .filter_map(|ancestor| ancestor.child_by_field_name("name"))
        .map(|name| source.get(name.byte_range()).unwrap_or(""))
        .collect();
    names.join(".")
}

pub fn fingerprint(
    tree: &Tree,
    source: &str,
    path: &str,
    rule: &str,
    span: Span,
    occurrences: &mut BTreeMap<(String, String), usize>,
) -> String {
    let code: String = source
        .get(span.start..span.end)
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(400)
        .collect();
    let scope = tree
        .root_node()
        .descendant_for_byte_range(span.start, span.end)
        .map(|node| enclosing_name(tree.root_node(), node, source))
        .unwrap_or_default();
    let key = format!("{scope}\u{0}{code}");
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
