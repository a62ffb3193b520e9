//! Rendered SARIF must validate against the official OASIS SARIF 2.1.0 schema
//! (vendored in `tests/data`, so the test needs no network).
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../src/test_support.rs"]
mod test_support;

use corbel_engine::RunResult;
use corbel_report::{render, Format, Report};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use test_support::{ROOT, RULES, VERSION};

const SCHEMA: &str = include_str!("data/sarif-schema-2.1.0.json");

/// The official schema's pattern for `run.language` has a stray `]`, a literal under
/// ECMAScript's Annex B but rejected by jsonschema's meta-schema `format: regex` check.
/// Escaping it keeps the meaning exactly; the vendored file stays byte-identical to
/// the official one. (corbel does not emit `run.language`.)
const BROKEN_PATTERN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
const ESCAPED_PATTERN: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#;

fn schema() -> Value {
    assert!(
        SCHEMA.contains(BROKEN_PATTERN),
        "the vendored schema changed; revisit this workaround"
    );
    serde_json::from_str(&SCHEMA.replace(BROKEN_PATTERN, ESCAPED_PATTERN)).unwrap()
}

fn render_sarif(result: &RunResult, root: &str) -> Value {
    let report = Report {
        result,
        rules: &RULES,
        root: Path::new(root),
        elapsed: Duration::from_millis(420),
        color: false,
        width: 80,
        version: VERSION,
        sarif_category: None,
    };
    let mut out = Vec::new();
    render(Format::Sarif, &report, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn assert_valid(instance: &Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn findings_validate() {
    assert_valid(&render_sarif(&test_support::run_result(), ROOT));
}

#[test]
fn empty_run_validates_and_keeps_an_empty_results_array() {
    let sarif = render_sarif(&RunResult::default(), ROOT);
    assert_valid(&sarif);
    // An absent `results` means "the tool did not run"; an empty one means "clean".
    assert_eq!(sarif["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn awkward_paths_validate() {
    let mut result = test_support::run_result();
    result.diagnostics[0].location.path = "app/my api [v2]/100% ü.py".to_string();
    result.diagnostics[1].location.path = "/outside/the root/x.py".to_string();
    let sarif = render_sarif(&result, "/home/dev/my shop");
    assert_valid(&sarif);
    let run = &sarif["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///home/dev/my%20shop/"
    );
    let uri = |i: usize| &run["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(uri(0)["uri"], "app/my%20api%20%5Bv2%5D/100%25%20%C3%BC.py");
    assert_eq!(uri(1)["uri"], "file:///outside/the%20root/x.py");
    assert!(uri(1).get("uriBaseId").is_none());
}

#[test]
fn schema_rejects_what_it_should() {
    // Guard against a validator that accepts anything.
    let mut sarif = render_sarif(&test_support::run_result(), ROOT);
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!jsonschema::is_valid(&schema(), &sarif));

    // Format checks are on: an unencoded space is not a URI reference.
    let mut sarif = render_sarif(&test_support::run_result(), ROOT);
    sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = Value::from("file:///my shop/");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap();
    assert!(!validator.is_valid(&sarif));
}
