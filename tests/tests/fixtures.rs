//! The fixture harness: every file under `fixtures/<rule-id>/` states its expected
//! findings inline with `expect: <rule-id>` comments on the flagged lines (optionally
//! `expect: <rule-id>(error)` to pin the severity); a file without any must stay clean.
//!
//! A directory holding a `.fixture-repo` marker file is linted as a repository of its
//! own (its own run, its own report root), so project rules see only its services and
//! deployment files. Everything else is linted in one run with every rule enabled.
#![allow(clippy::unwrap_used)]

use corbel_engine::{run, Diagnostic, Input};
use corbel_tests::repo_root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const REPO_MARKER: &str = ".fixture-repo";

/// (line, rule, severity) triples named by `expect:` comments.
fn expectations(source: &str) -> BTreeSet<(usize, String, Option<String>)> {
    let mut expected = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        if let Some(at) = line.find("expect: ") {
            let ids = &line[at + "expect: ".len()..];
            for id in ids.split(',') {
                let id = id.trim().trim_end_matches("*/").trim();
                if id.is_empty() {
                    continue;
                }
                let (rule, severity) = match id.split_once('(') {
                    Some((rule, rest)) => (rule, Some(rest.trim_end_matches(')').to_string())),
                    None => (id, None),
                };
                expected.insert((index + 1, rule.to_string(), severity));
            }
        }
    }
    expected
}

/// Source files under `dir`, split into the ones of the shared run and the separate
/// fixture repositories.
fn collect(dir: &Path, shared: &mut Vec<PathBuf>, repos: &mut Vec<PathBuf>) {
    if dir.join(REPO_MARKER).is_file() {
        repos.push(dir.to_path_buf());
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, shared, repos);
        } else if corbel_engine::Grammar::from_path(&path).is_some() {
            shared.push(path);
        }
    }
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if corbel_engine::Grammar::from_path(&path).is_some() {
            out.push(path);
        }
    }
}

/// Lints `files` with `root` as the report root and compares with the expectations.
fn check(root: &Path, files: &[PathBuf], failures: &mut Vec<String>) -> usize {
    let settings = corbel_rules::default_settings(root.to_path_buf());
    let result = run(Input::Paths(files.to_vec()), &settings);
    assert!(result.fatal.is_empty(), "{:?}", result.fatal);
    assert!(result.skipped.is_empty(), "{:?}", result.skipped);
    let mut actual: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for diagnostic in &result.diagnostics {
        actual
            .entry(diagnostic.location.path.clone())
            .or_default()
            .push(diagnostic);
    }
    let fixtures = repo_root().join("fixtures");
    for file in files {
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let shown = file
            .strip_prefix(&fixtures)
            .unwrap_or(file)
            .display()
            .to_string();
        let expected = expectations(&std::fs::read_to_string(file).unwrap());
        let found = actual.remove(&relative).unwrap_or_default();
        for (line, rule, severity) in &expected {
            let hit = found
                .iter()
                .find(|d| d.location.start.line == *line && d.rule == rule);
            match (hit, severity) {
                (None, _) => failures.push(format!(
                    "{shown}:{line}: expected {rule} but it was not reported"
                )),
                (Some(d), Some(severity)) if d.severity.as_str() != severity => {
                    failures.push(format!(
                        "{shown}:{line}: {rule} reported as {} instead of {severity}",
                        d.severity
                    ))
                }
                _ => {}
            }
        }
        for d in &found {
            let line = d.location.start.line;
            // A project pass that amends a finding twice repeats a clause.
            let clauses: Vec<&str> = d.message.split("; ").collect();
            if clauses
                .iter()
                .enumerate()
                .any(|(i, c)| clauses[..i].contains(c))
            {
                failures.push(format!(
                    "{shown}:{line}: a clause repeats in: {}",
                    d.message
                ));
            }
            if !expected.iter().any(|(l, r, _)| *l == line && r == d.rule) {
                failures.push(format!(
                    "{shown}:{line}: unexpected {}: {}",
                    d.rule, d.message
                ));
            }
        }
    }
    result.diagnostics.len()
}

#[test]
fn every_fixture_matches_its_expectations() {
    let fixtures = repo_root().join("fixtures");
    let (mut shared, mut repos) = (Vec::new(), Vec::new());
    collect(&fixtures, &mut shared, &mut repos);
    assert!(
        shared.len() >= 10,
        "expected fixtures under {}",
        fixtures.display()
    );

    let mut failures = Vec::new();
    check(&fixtures, &shared, &mut failures);
    for repo in &repos {
        let mut files = Vec::new();
        source_files(repo, &mut files);
        files.sort();
        check(repo, &files, &mut failures);
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
        let mut files = Vec::new();
        source_files(&fixtures.join(id), &mut files);
        let mut flagged = 0;
        let mut clean_files = 0;
        for file in &files {
            let expected = expectations(&std::fs::read_to_string(file).unwrap());
            flagged += expected.iter().filter(|(_, r, _)| r == id).count();
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
