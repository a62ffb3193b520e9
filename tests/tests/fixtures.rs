//! The fixture harness: every file under `fixtures/<rule-id>/` states its expected
//! findings inline with `expect: <rule-id>` comments on the flagged lines; a file without
//! any must stay clean. All fixtures are linted in one run with every rule enabled.
#![allow(clippy::unwrap_used)]

use corbel_engine::{run, Input};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// (line, rule) pairs named by `expect:` comments.
fn expectations(source: &str) -> BTreeSet<(usize, String)> {
    let mut expected = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        if let Some(at) = line.find("expect: ") {
            let ids = &line[at + "expect: ".len()..];
            for id in ids.split(',') {
                let id = id.trim().trim_end_matches("*/").trim();
                if !id.is_empty() {
                    expected.insert((index + 1, id.to_string()));
                }
            }
        }
    }
    expected
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixture_files(&path, out);
        } else if corbel_engine::Grammar::from_path(&path).is_some() {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_matches_its_expectations() {
    let fixtures = repo_root().join("fixtures");
    let mut files = Vec::new();
    fixture_files(&fixtures, &mut files);
    files.sort();
    assert!(
        files.len() >= 10,
        "expected fixtures under {}",
        fixtures.display()
    );

    let settings = corbel_rules::default_settings(fixtures.clone());
    let result = run(Input::Paths(files.clone()), &settings);
    assert!(result.fatal.is_empty(), "{:?}", result.fatal);
    assert!(result.skipped.is_empty(), "{:?}", result.skipped);

    eprintln!(
        "{} findings in {} files ({} parsed)",
        result.diagnostics.len(),
        result.files_walked,
        result.files_parsed
    );
    let mut actual: BTreeMap<String, BTreeSet<(usize, String)>> = BTreeMap::new();
    for diagnostic in &result.diagnostics {
        actual
            .entry(diagnostic.location.path.clone())
            .or_default()
            .insert((diagnostic.location.start.line, diagnostic.rule.to_string()));
    }

    let mut failures = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(&fixtures)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = std::fs::read_to_string(file).unwrap();
        let expected = expectations(&source);
        let found = actual.remove(&relative).unwrap_or_default();
        for missing in expected.difference(&found) {
            failures.push(format!(
                "{relative}:{}: expected {} but it was not reported",
                missing.0, missing.1
            ));
        }
        for extra in found.difference(&expected) {
            let message = result
                .diagnostics
                .iter()
                .find(|d| d.location.path == relative && d.location.start.line == extra.0)
                .map(|d| d.message.as_str())
                .unwrap_or("");
            failures.push(format!(
                "{relative}:{}: unexpected {}: {message}",
                extra.0, extra.1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_flagged_and_clean_fixtures() {
    let fixtures = repo_root().join("fixtures");
    for rule in corbel_rules::all_rules() {
        let id = rule.meta().id;
        let dir = fixtures.join(id);
        let mut files = Vec::new();
        fixture_files(&dir, &mut files);
        let mut flagged = 0;
        let mut clean_files = 0;
        for file in &files {
            let source = std::fs::read_to_string(file).unwrap();
            let expected = expectations(&source);
            flagged += expected.iter().filter(|(_, r)| r == id).count();
            clean_files += usize::from(expected.is_empty());
        }
        assert!(flagged >= 5, "{id}: only {flagged} flagged fixture lines");
        assert!(
            clean_files >= 1,
            "{id}: no fixture file that must stay clean"
        );
        for family in rule.meta().families {
            let has_family = files.iter().any(|f| {
                corbel_engine::Grammar::from_path(f).is_some_and(|g| g.family() == *family)
            });
            assert!(has_family, "{id}: no {} fixture", family.display_name());
        }
    }
}
