//! Snapshots of whole reports for the shared fixture run. Review a changed snapshot by
//! reading it: it is exactly what users see.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../src/test_support.rs"]
mod test_support;

use corbel_report::{render, render_statistics, Format, Report};
use std::path::Path;
use std::time::Duration;
use test_support::{ROOT, RULES, VERSION};

fn rendered(format: Option<Format>) -> String {
    let result = test_support::run_result();
    let report = Report {
        result: &result,
        rules: &RULES,
        root: Path::new(ROOT),
        elapsed: Duration::from_millis(420),
        color: false,
        width: 100,
        version: VERSION,
        sarif_category: None,
    };
    let mut out = Vec::new();
    match format {
        Some(format) => render(format, &report, &mut out).unwrap(),
        None => render_statistics(&report, &mut out).unwrap(),
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn text_plain() {
    insta::assert_snapshot!(rendered(Some(Format::Text)));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(rendered(Some(Format::Sarif)));
}

#[test]
fn json() {
    insta::assert_snapshot!(rendered(Some(Format::Json)));
}

#[test]
fn github() {
    insta::assert_snapshot!(rendered(Some(Format::Github)));
}

#[test]
fn statistics() {
    insta::assert_snapshot!(rendered(None));
}
