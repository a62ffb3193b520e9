//! Every rule has a doc in `rules/`, every doc has a rule, the doc's front matter agrees
//! with the registry, its Example triggers the rule and its Use-instead does not.
#![allow(clippy::unwrap_used)]

use corbel_engine::{run, Input, RuleMeta};
use corbel_tests::repo_root;
use std::collections::BTreeMap;

fn front_matter(doc: &str) -> BTreeMap<String, String> {
    let body = doc
        .strip_prefix("---\n")
        .expect("doc starts with front matter");
    let end = body.find("\n---\n").expect("front matter is closed");
    body[..end]
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Fenced code blocks (language, code) in the section headed `## {heading}`.
fn code_blocks(doc: &str, heading: &str) -> Vec<(String, String)> {
    let marker = format!("\n## {heading}\n");
    let Some(start) = doc.find(&marker) else {
        return Vec::new();
    };
    let section = &doc[start + marker.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let newline = after.find('\n').unwrap();
        let language = after[..newline].trim().to_string();
        let code_start = &after[newline + 1..];
        let close = code_start.find("```").unwrap();
        blocks.push((language, code_start[..close].to_string()));
        rest = &code_start[close + 3..];
    }
    blocks
}

fn extension(language: &str) -> &'static str {
    match language {
        "python" | "py" => "py",
        "ts" | "typescript" => "ts",
        "js" | "javascript" => "js",
        other => panic!("unsupported example language {other}"),
    }
}

fn findings_of(meta: &RuleMeta, language: &str, code: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("example.{}", extension(language)));
    std::fs::write(&path, code).unwrap();
    let settings = corbel_rules::default_settings(dir.path().to_path_buf());
    let result = run(Input::Paths(vec![path]), &settings);
    result
        .diagnostics
        .iter()
        .filter(|d| d.rule == meta.id)
        .count()
}

#[test]
fn every_rule_has_a_doc_and_every_doc_a_rule() {
    let metas = corbel_rules::all_metas();
    let mut doc_ids: Vec<String> = std::fs::read_dir(repo_root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    doc_ids.sort();
    let meta_ids: Vec<String> = metas.iter().map(|m| m.id.to_string()).collect();
    assert_eq!(doc_ids, meta_ids, "rules/*.md and the registry disagree");
}

#[test]
fn front_matter_agrees_with_the_registry() {
    for meta in corbel_rules::all_metas() {
        let fm = front_matter(meta.doc);
        assert_eq!(fm.get("id").map(String::as_str), Some(meta.id));
        assert_eq!(
            fm.get("summary").map(String::as_str),
            Some(meta.summary),
            "{}",
            meta.id
        );
        assert_eq!(
            fm.get("category").map(String::as_str),
            Some(meta.category.as_str()),
            "{}",
            meta.id
        );
        assert_eq!(
            fm.get("severity").map(String::as_str),
            Some(meta.default_severity.as_str()),
            "{}",
            meta.id
        );
        let cwe = fm.get("cwe").cloned().unwrap_or_else(|| "[]".into());
        let expected: Vec<String> = meta.cwe.iter().map(u32::to_string).collect();
        assert_eq!(cwe, format!("[{}]", expected.join(", ")), "{}", meta.id);
        for section in [
            "What it does",
            "Why is this bad",
            "Example",
            "Use instead",
            "References",
        ] {
            assert!(
                meta.doc.contains(&format!("\n## {section}\n")),
                "{}: missing section {section}",
                meta.id
            );
        }
        assert!(
            !meta.summary.ends_with('.'),
            "{}: summary ends with a period",
            meta.id
        );
    }
}

/// The path a code block names on its first line (`# services/auth/app.py`,
/// `// services/orders/src/auth.ts`), for examples that span several files.
fn named_path(code: &str) -> Option<&str> {
    let first = code.lines().next()?.trim();
    let path = first
        .strip_prefix("# ")
        .or_else(|| first.strip_prefix("// "))?
        .trim();
    let is_path = path.contains('/')
        && !path.contains(' ')
        && [".py", ".ts", ".js"].iter().any(|ext| path.ends_with(ext));
    is_path.then_some(path)
}

/// Cross-file examples: when a section's code blocks name their files, the section is
/// one repository. Every named block is written at its path and each `text` block lists
/// further files to create empty (service manifests such as `services/api/package.json`).
/// `None` when the section is made of independent single-file examples.
fn repository_findings(meta: &RuleMeta, blocks: &[(String, String)]) -> Option<usize> {
    if !blocks.iter().any(|(_, code)| named_path(code).is_some()) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    for (language, code) in blocks {
        if language == "text" {
            for path in code.lines().map(str::trim).filter(|l| !l.is_empty()) {
                write(path, "");
            }
        } else {
            let path = named_path(code).unwrap_or_else(|| {
                panic!("{}: a cross-file example names no file:\n{code}", meta.id)
            });
            write(path, code);
        }
    }
    let settings = corbel_rules::default_settings(dir.path().to_path_buf());
    let result = run(Input::Paths(vec![dir.path().to_path_buf()]), &settings);
    Some(
        result
            .diagnostics
            .iter()
            .filter(|d| d.rule == meta.id)
            .count(),
    )
}

#[test]
fn examples_trigger_and_use_instead_does_not() {
    for meta in corbel_rules::all_metas() {
        let examples = code_blocks(meta.doc, "Example");
        assert!(!examples.is_empty(), "{}: no Example code", meta.id);
        if let Some(found) = repository_findings(meta, &examples) {
            assert!(
                found > 0,
                "{}: the Example repository does not trigger",
                meta.id
            );
            let fixed = code_blocks(meta.doc, "Use instead");
            assert!(!fixed.is_empty(), "{}: no Use instead code", meta.id);
            let found = repository_findings(meta, &fixed).unwrap_or_else(|| {
                panic!(
                    "{}: Use instead must name its files like the Example",
                    meta.id
                )
            });
            assert_eq!(found, 0, "{}: the Use instead repository triggers", meta.id);
            continue;
        }
        for (language, code) in &examples {
            assert!(
                findings_of(meta, language, code) > 0,
                "{}: Example does not trigger:\n{code}",
                meta.id
            );
        }
        let fixed = code_blocks(meta.doc, "Use instead");
        assert!(!fixed.is_empty(), "{}: no Use instead code", meta.id);
        for (language, code) in &fixed {
            assert_eq!(
                findings_of(meta, language, code),
                0,
                "{}: Use instead triggers:\n{code}",
                meta.id
            );
        }
    }
}
