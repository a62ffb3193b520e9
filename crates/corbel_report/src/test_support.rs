//! A hand-built run shared by the unit tests and (through `#[path]`) the integration
//! tests: findings in two files, one on a line where UTF-16 and Unicode columns differ
//! (an emoji before the span), one with same-file and cross-file related locations, one
//! suppressed, and a zero-width notice at the end of a file.

use crate::Report;
use corbel_engine::engine::locate;
use corbel_engine::line_index::LineIndex;
use corbel_engine::{
    Category, Diagnostic, Family, Precision, Related, RuleMeta, RunResult, Severity, Span,
    Suppression,
};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub const ROOT: &str = "/home/dev/shop";
pub const VERSION: &str = "0.1.0";

pub const API_PY: &str = r#"import requests

JWT_SECRET = "change-me"


def fetch_profile(user_id):
    url = f"https://profiles.internal/users/{user_id}"
    return requests.get(url)


def find_users(cursor, name):
    # corbel: ignore[string-built-sql] -- name is checked against an allow-list above
    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
"#;

pub const AUTH_TS: &str = r#"import jwt from "jsonwebtoken";

export function issueToken(userId: string) {
  return jwt.sign({ sub: userId, iss: "🔑 auth" }, process.env.JWT_SECRET!, { algorithm: "HS256" });
}

export function verify(token: string) {
  return jwt.verify(token, process.env.JWT_SECRET!
"#;

pub static MISSING_TIMEOUT: RuleMeta = RuleMeta {
    id: "missing-timeout",
    name: "MissingTimeout",
    summary: "outbound HTTP, SMTP or database call with no timeout",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[1088],
    prod_only: true,
    precision: Precision::High,
    security_severity: None,
    doc: "---\nid: missing-timeout\ncategory: reliability\n---\n# missing-timeout\n\n\
## What it does\nReports outbound calls made without a timeout,\nsuch as `requests.get(url)`.\n\n\
A second paragraph.\n\n## Why is this bad\nA hung upstream holds a worker forever.\n",
};

pub static PARSE_ERROR: RuleMeta = RuleMeta {
    id: "parse-error",
    name: "ParseError",
    summary: "a file has a syntax error, so only the parts tree-sitter recovered were checked",
    category: Category::Maintainability,
    default_severity: Severity::Info,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[],
    prod_only: false,
    precision: Precision::VeryHigh,
    security_severity: None,
    // No "What it does" section: the summary stands in for the full description.
    doc: "---\nid: parse-error\n---\n# parse-error\n(documentation in progress)\n",
};

pub static SHARED_HS256_SECRET: RuleMeta = RuleMeta {
    id: "shared-hs256-secret",
    name: "SharedHs256Secret",
    summary: "an HS256 JWT secret is shared by several services",
    category: Category::Security,
    default_severity: Severity::Error,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[321, 798],
    prod_only: true,
    precision: Precision::Medium,
    security_severity: Some("7.5"),
    doc: "---\nid: shared-hs256-secret\ncategory: security\n---\n# shared-hs256-secret\n\n\
## What it does\nReports services that sign JWTs with HS256 using one shared secret.\n\n\
## Use instead\nSign with RS256 and publish the public key.\n",
};

pub static STRING_BUILT_SQL: RuleMeta = RuleMeta {
    id: "string-built-sql",
    name: "StringBuiltSql",
    summary: "SQL text built with string formatting instead of bound parameters",
    category: Category::Security,
    default_severity: Severity::Error,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[89],
    prod_only: false,
    precision: Precision::High,
    security_severity: Some("8.8"),
    doc: "---\nid: string-built-sql\n---\n# string-built-sql\n\n## What it does\n\
Reports SQL strings built with f-strings, `%` or `+`.\n",
};

/// Sorted by id, as the CLI passes them.
pub static RULES: [&RuleMeta; 4] = [
    &MISSING_TIMEOUT,
    &PARSE_ERROR,
    &SHARED_HS256_SECRET,
    &STRING_BUILT_SQL,
];

/// The span of the first occurrence of `needle` in `source`.
pub fn span_of(source: &str, needle: &str) -> Span {
    match source.find(needle) {
        Some(start) => Span::new(start, start + needle.len()),
        None => panic!("fixture text {needle:?} not found"),
    }
}

fn diagnostic(
    rule: &'static RuleMeta,
    path: &str,
    source: &str,
    span: Span,
    message: &str,
    help: Option<&str>,
) -> Diagnostic {
    Diagnostic {
        rule: rule.id,
        severity: rule.default_severity,
        message: message.to_string(),
        help: help.map(str::to_string),
        location: locate(&LineIndex::new(source), path, span),
        related: Vec::new(),
        fingerprint: format!(
            "{:016x}",
            corbel_engine::fingerprint::fnv1a(&[rule.id, path, message])
        ),
        suppression: None,
    }
}

pub fn run_result() -> RunResult {
    let api = "app/api.py";
    let auth = "web/auth.ts";
    let mut missing_timeout = diagnostic(
        &MISSING_TIMEOUT,
        api,
        API_PY,
        span_of(API_PY, "requests.get(url)"),
        "`requests.get` is called without a timeout",
        Some("pass `timeout=` (for example `timeout=(3.05, 27)`) so a stalled upstream cannot hold this worker"),
    );
    missing_timeout.severity = Severity::Warning;

    let mut sql = diagnostic(
        &STRING_BUILT_SQL,
        api,
        API_PY,
        span_of(API_PY, "f\"SELECT * FROM users WHERE name = '{name}'\""),
        "SQL built with an f-string is passed to `cursor.execute`",
        Some("pass values as parameters: `cursor.execute(\"... WHERE name = %s\", (name,))`"),
    );
    sql.suppression = Some(Suppression {
        reason: Some("name is checked against an allow-list above".to_string()),
        file_level: false,
    });

    let mut shared = diagnostic(
        &SHARED_HS256_SECRET,
        auth,
        AUTH_TS,
        span_of(AUTH_TS, "{ algorithm: \"HS256\" }"),
        "`jwt.sign` uses HS256 with a secret that another service also holds",
        Some("sign with RS256 or ES256 and give verifying services only the public key"),
    );
    let verify_secret = AUTH_TS
        .rfind("process.env.JWT_SECRET!")
        .map(|start| Span::new(start, start + "process.env.JWT_SECRET!".len()))
        .unwrap_or_default();
    shared.related = vec![
        Related {
            location: locate(&LineIndex::new(AUTH_TS), auth, verify_secret),
            message: "tokens are verified with the same secret here".to_string(),
        },
        Related {
            location: locate(
                &LineIndex::new(API_PY),
                api,
                span_of(API_PY, "JWT_SECRET = \"change-me\""),
            ),
            message: "the Python service holds the same secret".to_string(),
        },
    ];

    // Where tree-sitter inserts the missing `)`: a zero-width span at the end of the
    // last line.
    let end = AUTH_TS.trim_end().len();
    let parse_error = diagnostic(
        &PARSE_ERROR,
        auth,
        AUTH_TS,
        Span::new(end, end),
        "this file has a syntax error here; corbel checked the parts it could parse",
        Some("fix the syntax error so every line of the file is checked"),
    );

    let mut result = RunResult {
        diagnostics: vec![missing_timeout, sql, shared, parse_error],
        files_walked: 12,
        files_parsed: 5,
        ..RunResult::default()
    };
    result.sources.insert(api.to_string(), Arc::from(API_PY));
    result.sources.insert(auth.to_string(), Arc::from(AUTH_TS));
    result
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result
}

/// A plain report of `result` over the test rules; tests override what they vary.
pub fn report(result: &RunResult) -> Report<'_> {
    Report {
        result,
        rules: &RULES,
        root: Path::new(ROOT),
        elapsed: Duration::ZERO,
        color: false,
        width: 80,
        version: VERSION,
        sarif_category: None,
    }
}

/// What a reporter writes for `report`.
#[allow(clippy::unwrap_used)]
pub fn render_bytes(
    report: &Report<'_>,
    render: fn(&Report<'_>, &mut dyn Write) -> io::Result<()>,
) -> Vec<u8> {
    let mut out = Vec::new();
    render(report, &mut out).unwrap();
    out
}
