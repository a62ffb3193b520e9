//! `json`: one pretty-printed object, `{"version", "findings", "summary"}`.
//!
//! Positions are 1-based; columns count Unicode characters; `end_*` is the position just
//! past the flagged code. No timing, so identical input gives identical bytes.

use crate::{Counts, Report};
use corbel_engine::{Diagnostic, Location};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Output<'a> {
    version: &'a str,
    findings: Vec<Finding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    /// `null` when the rule gave none, so every finding has the same keys.
    help: Option<&'a str>,
    #[serde(flatten)]
    location: Span<'a>,
    fingerprint: &'a str,
    related: Vec<Related<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<Suppression<'a>>,
}

#[derive(Serialize)]
struct Span<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl<'a> Span<'a> {
    fn of(location: &'a Location) -> Span<'a> {
        Span {
            path: &location.path,
            line: location.start.line,
            column: location.start.column,
            end_line: location.end.line,
            end_column: location.end.column,
        }
    }
}

#[derive(Serialize)]
struct Related<'a> {
    #[serde(flatten)]
    location: Span<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct Suppression<'a> {
    reason: Option<&'a str>,
    kind: &'static str,
}

/// `findings` is the length of the list; `errors + warnings + info + suppressed` add up
/// to it, and only the first three count against `--fail-on`.
#[derive(Serialize)]
struct Summary {
    findings: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    suppressed: usize,
    files_walked: usize,
    files_parsed: usize,
}

fn finding(d: &Diagnostic) -> Finding<'_> {
    Finding {
        rule: d.rule,
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        location: Span::of(&d.location),
        fingerprint: &d.fingerprint,
        related: d
            .related
            .iter()
            .map(|related| Related {
                location: Span::of(&related.location),
                message: &related.message,
            })
            .collect(),
        suppression: d.suppression.as_ref().map(|s| Suppression {
            reason: s.reason.as_deref(),
            kind: if s.file_level { "file" } else { "inline" },
        }),
    }
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let result = report.result;
    let counts = Counts::of(&result.diagnostics);
    let output = Output {
        version: report.version,
        findings: result.diagnostics.iter().map(finding).collect(),
        summary: Summary {
            findings: result.diagnostics.len(),
            errors: counts.errors,
            warnings: counts.warnings,
            info: counts.info,
            suppressed: counts.suppressed,
            files_walked: result.files_walked,
            files_parsed: result.files_parsed,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_support::{self};
    use serde_json::{json, Value};

    use std::time::Duration;

    fn render_json() -> (String, Value) {
        let result = test_support::run_result();
        let report = Report {
            elapsed: Duration::from_millis(1234),
            color: true,
            width: 80,
            ..test_support::report(&result)
        };
        let out = test_support::render_bytes(&report, render);
        let text = String::from_utf8(out).unwrap();
        let value = serde_json::from_str(&text).unwrap();
        (text, value)
    }

    #[test]
    fn pretty_with_trailing_newline_and_no_timing() {
        let (text, value) = render_json();
        assert!(text.starts_with("{\n  \"version\": \"0.1.0\",\n"));
        assert!(text.ends_with("}\n"));
        assert!(!text.contains("elapsed") && !text.contains("1234"));
        assert_eq!(
            value["summary"],
            json!({"findings": 4, "errors": 1, "warnings": 1, "info": 1, "suppressed": 1,
                   "files_walked": 12, "files_parsed": 5})
        );
    }

    #[test]
    fn finding_fields() {
        let (_, value) = render_json();
        let findings = value["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 4);
        let first = &findings[0];
        assert_eq!(first["rule"], "missing-timeout");
        assert_eq!(first["severity"], "warning");
        assert_eq!(first["path"], "app/api.py");
        assert_eq!(
            (
                &first["line"],
                &first["column"],
                &first["end_line"],
                &first["end_column"]
            ),
            (&json!(8), &json!(12), &json!(8), &json!(29))
        );
        assert_eq!(first["related"], json!([]));
        assert!(first.get("suppression").is_none());
        assert!(first["help"]
            .as_str()
            .unwrap()
            .starts_with("pass `timeout=`"));

        assert_eq!(
            findings[1]["suppression"],
            json!({"reason": "name is checked against an allow-list above", "kind": "inline"})
        );

        // Columns count characters: the emoji before the span counts once.
        let shared = &findings[2];
        assert_eq!(
            (&shared["line"], &shared["column"]),
            (&json!(4), &json!(76))
        );
        assert_eq!(
            shared["related"][1],
            json!({"path": "app/api.py", "line": 3, "column": 1, "end_line": 3,
                   "end_column": 25, "message": "the Python service holds the same secret"})
        );
        assert_eq!(
            findings[3]["help"],
            "fix the syntax error so every line of the file is checked"
        );
    }
}
