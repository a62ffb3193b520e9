//! Line-number-independent finding identity: rule, path, the flagged code with all
//! whitespace removed, the enclosing function or class, and an occurrence index among
//! identical findings. Stable when lines are inserted above or the file is reformatted.

use crate::diagnostic::Span;
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

fn enclosing_name(node: Node<'_>, source: &str) -> String {
    let mut names = Vec::new();
    let mut current = Some(node);
    while let Some(node) = current {
        if matches!(
            node.kind(),
            "function_definition"
                | "class_definition"
                | "function_declaration"
                | "method_definition"
                | "class_declaration"
                | "abstract_class_declaration"
                | "generator_function_declaration"
        ) {
            if let Some(name) = node.child_by_field_name("name") {
                names.push(source.get(name.byte_range()).unwrap_or(""));
            }
        }
        current = node.parent();
    }
    names.reverse();
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
        .map(|node| enclosing_name(node, source))
        .unwrap_or_default();
    let key = format!("{scope}\u{0}{code}");
    let occurrence = occurrences
        .entry((rule.to_string(), key.clone()))
        .or_insert(0);
    *occurrence += 1;
    let hash = fnv1a(&[rule, path, &key, &occurrence.to_string()]);
    format!("{hash:016x}")
}
