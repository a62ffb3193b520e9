#![allow(clippy::unwrap_used)]

use super::*;
use crate::line_index::LineIndex;
use crate::settings::PARSE_ERROR;
use std::collections::BTreeMap;
use std::path::PathBuf;

const TIMEOUT: &str = "missing-timeout";
const SQL: &str = "string-built-sql";
const UNBOUNDED: &str = "unbounded-query";
/// Known to corbel but not enabled in the test runs.
const DISABLED: &str = "jwt-no-verify";

fn settings_with(enabled: &[&'static str]) -> Settings {
    let known = [
        TIMEOUT,
        SQL,
        UNBOUNDED,
        DISABLED,
        PARSE_ERROR,
        BLANKET_SUPPRESSION,
        UNUSED_SUPPRESSION,
    ];
    Settings {
        rules: Vec::new(),
        project_rules: Vec::new(),
        severities: enabled
            .iter()
            .map(|&id| (id, crate::diagnostic::Severity::Warning))
            .collect::<BTreeMap<_, _>>(),
        known_ids: known.into_iter().collect(),
        exclude: None,
        per_file_ignores: Vec::new(),
        project_root: PathBuf::from("."),
        report_root: PathBuf::from("."),
        threads: 1,
        cache_dir: None,
        rule_options: BTreeMap::new(),
        include_suppressed: false,
    }
}

fn settings() -> Settings {
    settings_with(&[
        TIMEOUT,
        SQL,
        UNBOUNDED,
        PARSE_ERROR,
        BLANKET_SUPPRESSION,
        UNUSED_SUPPRESSION,
    ])
}

/// A finding of `rule` over 1-based lines `first..=last` (their text without indentation).
fn finding(source: &str, rule: &'static str, first: usize, last: usize) -> RawDiagnostic {
    let index = LineIndex::new(source);
    let first_text = index.line_text(first - 1);
    let start = index.line_start(first - 1) + (first_text.len() - first_text.trim_start().len());
    let end = index.line_start(last - 1) + index.line_text(last - 1).len();
    RawDiagnostic {
        rule,
        span: Span::new(start, end),
        message: format!("{rule} finding"),
        help: None,
        fact: None,
    }
}

struct Result {
    source: String,
    outcome: SuppressionOutcome,
}

impl Result {
    /// (rule, first line, suppression) of every finding, in input order.
    fn findings(&self) -> Vec<(&'static str, usize, Option<Suppression>)> {
        let index = LineIndex::new(&self.source);
        self.outcome
            .diagnostics
            .iter()
            .map(|(d, s)| (d.rule, index.line_of(d.span.start) + 1, s.clone()))
            .collect()
    }

    fn suppressed(&self, line: usize) -> Option<Suppression> {
        self.findings()
            .into_iter()
            .find(|(_, l, _)| *l == line)
            .and_then(|(_, _, s)| s)
    }

    /// (rule, line, message) of every notice.
    fn notices(&self) -> Vec<(&'static str, usize, String)> {
        let index = LineIndex::new(&self.source);
        self.outcome
            .notices
            .iter()
            .map(|d| (d.rule, index.line_of(d.span.start) + 1, d.message.clone()))
            .collect()
    }

    fn notice_text(&self, at: usize) -> &str {
        let span = self.outcome.notices[at].span;
        &self.source[span.start..span.end]
    }
}

/// Lints `source` with findings given as (rule, first line, last line).
fn run_with(
    grammar: Grammar,
    source: &str,
    findings: &[(&'static str, usize, usize)],
    settings: &Settings,
) -> Result {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar.ts_language()).unwrap();
    let tree = parser.parse(source, None).unwrap();
    let raw = findings
        .iter()
        .map(|&(rule, first, last)| finding(source, rule, first, last))
        .collect();
    Result {
        source: source.to_string(),
        outcome: apply_suppressions(source, &tree, grammar, raw, settings),
    }
}

fn run(grammar: Grammar, source: &str, findings: &[(&'static str, usize, usize)]) -> Result {
    run_with(grammar, source, findings, &settings())
}

fn py(source: &str, findings: &[(&'static str, usize, usize)]) -> Result {
    run(Grammar::Python, source, findings)
}

fn ts(source: &str, findings: &[(&'static str, usize, usize)]) -> Result {
    run(Grammar::TypeScript, source, findings)
}

fn line(reason: &str) -> Option<Suppression> {
    Some(Suppression {
        reason: Some(reason.to_string()),
        file_level: false,
    })
}

fn unreasoned() -> Option<Suppression> {
    Some(Suppression {
        reason: None,
        file_level: false,
    })
}

fn file(reason: Option<&str>) -> Option<Suppression> {
    Some(Suppression {
        reason: reason.map(str::to_string),
        file_level: true,
    })
}

#[test]
fn no_marker_passes_findings_through() {
    let r = py("requests.get(url)\n", &[(TIMEOUT, 1, 1)]);
    assert_eq!(r.findings(), vec![(TIMEOUT, 1, None)]);
    assert!(r.notices().is_empty());
}

#[test]
fn trailing_comment_suppresses_its_line_with_reason() {
    let src = "requests.get(url)  # corbel: ignore[missing-timeout] -- upstream enforces a deadline\nrequests.get(url)\n";
    let r = py(src, &[(TIMEOUT, 1, 1), (TIMEOUT, 2, 2)]);
    assert_eq!(
        r.findings(),
        vec![
            (TIMEOUT, 1, line("upstream enforces a deadline")),
            (TIMEOUT, 2, None),
        ]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn trailing_comment_only_suppresses_named_rules() {
    let src = "cursor.execute(f\"x{y}\")  # corbel: ignore[missing-timeout]\n";
    let r = py(src, &[(SQL, 1, 1), (TIMEOUT, 1, 1)]);
    assert_eq!(
        r.findings(),
        vec![(SQL, 1, None), (TIMEOUT, 1, unreasoned())]
    );
}

#[test]
fn trailing_comment_matches_findings_whose_range_includes_its_line() {
    let src = "\
resp = requests.get(
    url,
)  # corbel: ignore[missing-timeout]
requests.get(url,  # corbel: ignore[missing-timeout]
    headers=h)
";
    let r = py(src, &[(TIMEOUT, 1, 3), (TIMEOUT, 4, 5)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 1, unreasoned()), (TIMEOUT, 4, unreasoned())]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn own_line_comment_applies_to_next_code_line_with_several_ids() {
    let src = "\
# corbel: ignore[string-built-sql, unbounded-query] -- admin-only report

# an ordinary comment in between
cursor.execute(f\"SELECT * FROM {table}\")
cursor.execute(f\"SELECT * FROM {table}\")
";
    let r = py(src, &[(SQL, 4, 4), (UNBOUNDED, 4, 4), (SQL, 5, 5)]);
    assert_eq!(
        r.findings(),
        vec![
            (SQL, 4, line("admin-only report")),
            (UNBOUNDED, 4, line("admin-only report")),
            (SQL, 5, None),
        ]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn own_line_comment_covers_the_whole_multi_line_statement() {
    let src = "\
# corbel: ignore[missing-timeout]
result = client.post(
    url,
    json=requests.get(other),
)
requests.get(url)
";
    let r = py(src, &[(TIMEOUT, 4, 4), (TIMEOUT, 6, 6)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 4, unreasoned()), (TIMEOUT, 6, None)]
    );
}

#[test]
fn own_line_comment_in_a_block_covers_one_statement_not_the_block() {
    let src = "\
def handler():
    # corbel: ignore[missing-timeout]
    a = requests.get(url)
    b = requests.get(url)
";
    let r = py(src, &[(TIMEOUT, 3, 3), (TIMEOUT, 4, 4)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 3, unreasoned()), (TIMEOUT, 4, None)]
    );
}

#[test]
fn own_line_comment_above_a_decorator_covers_the_decorated_function() {
    let src = "\
# corbel: ignore[missing-timeout] -- internal endpoint
@app.get(\"/\")
def handler():
    return requests.get(url)

requests.get(url)
";
    let r = py(src, &[(TIMEOUT, 4, 4), (TIMEOUT, 6, 6)]);
    assert_eq!(r.suppressed(4), line("internal endpoint"));
    assert_eq!(r.suppressed(6), None);
}

#[test]
fn own_line_comment_inside_an_expression_covers_its_next_line_only() {
    let src = "\
x = call(
    a,
    # corbel: ignore[missing-timeout]
    requests.get(url),
    requests.get(url),
)
";
    let r = py(src, &[(TIMEOUT, 4, 4), (TIMEOUT, 5, 5)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 4, unreasoned()), (TIMEOUT, 5, None)]
    );
}

#[test]
fn stacked_own_line_comments_all_apply_to_the_statement() {
    let src = "\
# corbel: ignore[missing-timeout] -- first
# plain comment
# corbel: ignore[string-built-sql] -- second
cursor.execute(requests.get(url).text)
";
    let r = py(src, &[(TIMEOUT, 4, 4), (SQL, 4, 4)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 4, line("first")), (SQL, 4, line("second"))]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn whitespace_tolerant_syntax_and_reasons() {
    let src = "\
a()  #corbel:ignore[ missing-timeout ,string-built-sql ]--  needs   a deadline  
b()  # corbel: ignore [missing-timeout]
c()  # corbel: ignore[missing-timeout] --   
d()  # corbel: ignore[missing-timeout,] -- trailing comma -- and dashes
";
    let r = py(
        src,
        &[
            (TIMEOUT, 1, 1),
            (SQL, 1, 1),
            (TIMEOUT, 2, 2),
            (TIMEOUT, 3, 3),
            (TIMEOUT, 4, 4),
        ],
    );
    assert_eq!(
        r.findings(),
        vec![
            (TIMEOUT, 1, line("needs a deadline")),
            (SQL, 1, line("needs a deadline")),
            (TIMEOUT, 2, unreasoned()),
            (TIMEOUT, 3, unreasoned()),
            (TIMEOUT, 4, line("trailing comma -- and dashes")),
        ]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn marker_after_another_pragma_is_honoured_but_prose_is_not() {
    let src = "\
a()  # type: ignore[attr]  # corbel: ignore[missing-timeout]
b()  # see the corbel: ignore docs
c()  # corbel: ignored by design
";
    let r = py(src, &[(TIMEOUT, 1, 1), (TIMEOUT, 2, 2), (TIMEOUT, 3, 3)]);
    assert_eq!(
        r.findings(),
        vec![
            (TIMEOUT, 1, unreasoned()),
            (TIMEOUT, 2, None),
            (TIMEOUT, 3, None)
        ]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn ignore_file_in_python_leading_comments_after_shebang_and_docstring() {
    let src = "\
#!/usr/bin/env python
\"\"\"A module docstring.\"\"\"
# Copyright notice
# corbel: ignore-file[missing-timeout] -- scripts run under a supervisor
import requests

requests.get(url)
def f():
    requests.get(url)
";
    let r = py(src, &[(TIMEOUT, 7, 7), (TIMEOUT, 9, 9), (SQL, 9, 9)]);
    let reason = Some("scripts run under a supervisor");
    assert_eq!(
        r.findings(),
        vec![
            (TIMEOUT, 7, file(reason)),
            (TIMEOUT, 9, file(reason)),
            (SQL, 9, None)
        ]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn ignore_file_in_js_leading_comments_after_use_strict() {
    let src = "\
#!/usr/bin/env node
'use strict';
\"use client\"
/* corbel: ignore-file[missing-timeout] */
// corbel: ignore-file[string-built-sql] -- generated
await fetch(url);
";
    let r = run(Grammar::Tsx, src, &[(TIMEOUT, 6, 6), (SQL, 6, 6)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 6, file(None)), (SQL, 6, file(Some("generated")))]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn ignore_file_after_the_first_statement_is_not_honoured() {
    let src = "\
import requests
# corbel: ignore-file[missing-timeout]
requests.get(url)
";
    let r = py(src, &[(TIMEOUT, 3, 3)]);
    assert_eq!(r.findings(), vec![(TIMEOUT, 3, None)]);
    let notices = r.notices();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].0, UNUSED_SUPPRESSION);
    assert_eq!(notices[0].1, 2);
    assert!(
        notices[0].2.contains("leading comments"),
        "{}",
        notices[0].2
    );
}

#[test]
fn second_python_string_ends_the_leading_comments() {
    let src = "\"\"\"doc\"\"\"\n\"not a docstring\"\n# corbel: ignore-file[missing-timeout]\nf()\n";
    let r = py(src, &[(TIMEOUT, 4, 4)]);
    assert_eq!(r.findings(), vec![(TIMEOUT, 4, None)]);
    assert_eq!(r.notices().len(), 1);
}

#[test]
fn blanket_suppressions_suppress_nothing_and_are_reported() {
    let src = "\
# corbel: ignore-file
a()  # corbel: ignore
b()  # corbel: ignore[]
c()  # corbel: ignore[ , ] -- why
d()  # corbel: ignore[missing-timeout
";
    let r = py(
        src,
        &[
            (TIMEOUT, 2, 2),
            (TIMEOUT, 3, 3),
            (TIMEOUT, 4, 4),
            (TIMEOUT, 5, 5),
        ],
    );
    assert!(r.findings().iter().all(|(_, _, s)| s.is_none()));
    let notices = r.notices();
    assert_eq!(
        notices.iter().map(|n| (n.0, n.1)).collect::<Vec<_>>(),
        vec![
            (BLANKET_SUPPRESSION, 1),
            (BLANKET_SUPPRESSION, 2),
            (BLANKET_SUPPRESSION, 3),
            (BLANKET_SUPPRESSION, 4),
            (BLANKET_SUPPRESSION, 5),
        ]
    );
    assert_eq!(
        notices[0].2,
        "`corbel: ignore-file` without rule ids suppresses nothing"
    );
    assert_eq!(
        notices[1].2,
        "`corbel: ignore` without rule ids suppresses nothing"
    );
    assert_eq!(
        r.outcome.notices[1].help.as_deref(),
        Some("name the rules: `corbel: ignore[rule-id] -- reason`")
    );
    assert!(notices[4].2.contains("closing `]`"));
    assert_eq!(r.notice_text(1), "# corbel: ignore");
}

#[test]
fn unused_ids_are_reported_once_per_comment() {
    let src = "\
a()  # corbel: ignore[missing-timeout, string-built-sql, unbounded-query]
b()  # corbel: ignore[missing-timeout]
";
    let r = py(src, &[(TIMEOUT, 1, 1)]);
    assert_eq!(r.suppressed(1), unreasoned());
    let notices = r.notices();
    assert_eq!(notices.len(), 2);
    assert_eq!(
        notices[0],
        (
            UNUSED_SUPPRESSION,
            1,
            "suppression of `string-built-sql`, `unbounded-query` matched no finding here"
                .to_string()
        )
    );
    assert_eq!(
        r.outcome.notices[0].help.as_deref(),
        Some("remove `string-built-sql`, `unbounded-query` from the comment")
    );
    assert_eq!(
        r.notice_text(0),
        "# corbel: ignore[missing-timeout, string-built-sql, unbounded-query]"
    );
    assert_eq!(notices[1].1, 2);
    assert_eq!(
        r.outcome.notices[1].help.as_deref(),
        Some("remove the comment")
    );
}

#[test]
fn unused_file_level_and_own_line_at_eof() {
    let src = "\
# corbel: ignore-file[string-built-sql]
a()
# corbel: ignore[missing-timeout]
";
    let r = py(src, &[]);
    let notices = r.notices();
    assert_eq!(notices.len(), 2);
    assert!(notices[0].2.contains("matched no finding in this file"));
    assert_eq!((notices[1].0, notices[1].1), (UNUSED_SUPPRESSION, 3));
}

#[test]
fn unknown_ids_are_reported_with_a_suggestion() {
    let src = "\
a()  # corbel: ignore[missing_timeout, misisng-timeout, MissingTimeout, frobnicate]
";
    let r = py(src, &[(TIMEOUT, 1, 1)]);
    assert_eq!(r.suppressed(1), None);
    let notices = &r.outcome.notices;
    let summary: Vec<(String, Option<String>, &str)> = notices
        .iter()
        .map(|n| {
            (
                n.message.clone(),
                n.help.clone(),
                &src[n.span.start..n.span.end],
            )
        })
        .collect();
    let mean = |s: &str| Some(format!("did you mean `{s}`?"));
    assert_eq!(
        summary,
        vec![
            (
                "unknown rule id `missing_timeout`".into(),
                mean(TIMEOUT),
                "missing_timeout"
            ),
            (
                "unknown rule id `misisng-timeout`".into(),
                mean(TIMEOUT),
                "misisng-timeout"
            ),
            (
                "unknown rule id `MissingTimeout`".into(),
                mean(TIMEOUT),
                "MissingTimeout"
            ),
            (
                "unknown rule id `frobnicate`".into(),
                Some("`corbel rules` lists the rule ids".into()),
                "frobnicate"
            ),
        ]
    );
    assert!(notices.iter().all(|n| n.rule == UNUSED_SUPPRESSION));
}

#[test]
fn disabled_rules_are_not_reported_as_unused() {
    let src = "a()  # corbel: ignore[jwt-no-verify, missing-timeout]\n";
    let r = py(src, &[(TIMEOUT, 1, 1)]);
    assert_eq!(r.suppressed(1), unreasoned());
    assert!(r.notices().is_empty());
}

#[test]
fn notices_follow_their_own_enablement() {
    let src = "a()  # corbel: ignore\nb()  # corbel: ignore[missing-timeout]\n";
    let quiet = settings_with(&[TIMEOUT]);
    assert!(run_with(Grammar::Python, src, &[], &quiet)
        .notices()
        .is_empty());
    let only_blanket = settings_with(&[TIMEOUT, BLANKET_SUPPRESSION]);
    let r = run_with(Grammar::Python, src, &[], &only_blanket);
    assert_eq!(
        r.notices().iter().map(|n| n.0).collect::<Vec<_>>(),
        vec![BLANKET_SUPPRESSION]
    );
}

#[test]
fn marker_in_string_literals_is_not_a_suppression() {
    let src = "\
x = requests.get(\"# corbel: ignore[missing-timeout]\")
y = \"\"\"
# corbel: ignore[missing-timeout]
\"\"\"
z = requests.get(url)
";
    let r = py(src, &[(TIMEOUT, 1, 1), (TIMEOUT, 5, 5)]);
    assert_eq!(r.findings(), vec![(TIMEOUT, 1, None), (TIMEOUT, 5, None)]);
    assert!(r.notices().is_empty());

    let src = "\
const a = fetch('// corbel: ignore[missing-timeout]');
const b = `
// corbel: ignore
`;
fetch(b);
";
    let r = ts(src, &[(TIMEOUT, 1, 1), (TIMEOUT, 5, 5)]);
    assert_eq!(r.findings(), vec![(TIMEOUT, 1, None), (TIMEOUT, 5, None)]);
    assert!(r.notices().is_empty());
}

#[test]
fn typescript_line_comments() {
    let src = "\
await fetch(url); // corbel: ignore[missing-timeout] -- streamed download, no deadline
// corbel: ignore[missing-timeout]
export async function load() {
  return fetch(url);
}
fetch(url);
";
    let r = ts(src, &[(TIMEOUT, 1, 1), (TIMEOUT, 4, 4), (TIMEOUT, 6, 6)]);
    assert_eq!(
        r.findings(),
        vec![
            (TIMEOUT, 1, line("streamed download, no deadline")),
            (TIMEOUT, 4, unreasoned()),
            (TIMEOUT, 6, None),
        ]
    );
}

#[test]
fn typescript_block_comments() {
    let src = "\
fetch(a); /* corbel: ignore[missing-timeout] -- trailing block */
/* corbel: ignore[missing-timeout] -- own line */
fetch(b);
/* corbel: ignore[missing-timeout] -- leads its line */ fetch(c);
/**
 * corbel: ignore[missing-timeout] -- in a doc
 * comment
 */
fetch(d);
fetch(e);
";
    let r = ts(
        src,
        &[
            (TIMEOUT, 1, 1),
            (TIMEOUT, 3, 3),
            (TIMEOUT, 4, 4),
            (TIMEOUT, 9, 9),
            (TIMEOUT, 10, 10),
        ],
    );
    assert_eq!(
        r.findings(),
        vec![
            (TIMEOUT, 1, line("trailing block")),
            (TIMEOUT, 3, line("own line")),
            (TIMEOUT, 4, line("leads its line")),
            (TIMEOUT, 9, line("in a doc comment")),
            (TIMEOUT, 10, None),
        ]
    );
    assert!(r.notices().is_empty());
}

#[test]
fn jsx_comment_alone_on_its_line_applies_to_the_next_line() {
    let src = "\
const page = (
  <div>
    {/* corbel: ignore[missing-timeout] */}
    <Load src={fetch(url)} />
    <Load src={fetch(url)} />
  </div>
);
";
    let r = run(Grammar::Tsx, src, &[(TIMEOUT, 4, 4), (TIMEOUT, 5, 5)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 4, unreasoned()), (TIMEOUT, 5, None)]
    );
}

#[test]
fn crlf_line_endings() {
    let src = "import requests\r\nrequests.get(url)  # corbel: ignore[missing-timeout] -- crlf\r\n\r\n# corbel: ignore[missing-timeout]\r\nrequests.get(\r\n    url)\r\nrequests.get(url)\r\n";
    let r = py(src, &[(TIMEOUT, 2, 2), (TIMEOUT, 5, 6), (TIMEOUT, 7, 7)]);
    assert_eq!(
        r.findings(),
        vec![
            (TIMEOUT, 2, line("crlf")),
            (TIMEOUT, 5, unreasoned()),
            (TIMEOUT, 7, None)
        ]
    );
    assert!(r.notices().is_empty());

    let src = "'use strict';\r\n// corbel: ignore-file[missing-timeout] -- crlf\r\nfetch(a);\r\n";
    let r = ts(src, &[(TIMEOUT, 3, 3)]);
    assert_eq!(r.findings(), vec![(TIMEOUT, 3, file(Some("crlf")))]);
}

#[test]
fn the_narrowest_matching_suppression_gets_the_credit() {
    let src = "\
# corbel: ignore-file[missing-timeout]
# corbel: ignore[missing-timeout] -- own line
requests.get(url)  # corbel: ignore[missing-timeout] -- trailing
";
    let r = py(src, &[(TIMEOUT, 3, 3)]);
    assert_eq!(r.suppressed(3), line("trailing"));
    assert_eq!(
        r.notices().iter().map(|n| n.1).collect::<Vec<_>>(),
        vec![1, 2]
    );
}

#[test]
fn duplicate_ids_count_once() {
    let src = "a()  # corbel: ignore[missing-timeout, missing-timeout]\n";
    let r = py(src, &[(TIMEOUT, 1, 1)]);
    assert_eq!(r.suppressed(1), unreasoned());
    assert!(r.notices().is_empty());
}

#[test]
fn notices_can_only_be_silenced_file_wide() {
    let src = "\
# corbel: ignore-file[unused-suppression] -- kept for the strict profile
a()  # corbel: ignore[missing-timeout]
b()  # corbel: ignore
";
    let r = py(src, &[]);
    assert_eq!(
        r.notices().iter().map(|n| n.0).collect::<Vec<_>>(),
        vec![BLANKET_SUPPRESSION]
    );
    // The silenced notice is kept as a suppressed finding for `--include-suppressed`.
    assert_eq!(
        r.findings(),
        vec![(
            UNUSED_SUPPRESSION,
            2,
            file(Some("kept for the strict profile"))
        )]
    );

    let src = "a()  # corbel: ignore[unused-suppression, missing-timeout]\n";
    let r = py(src, &[]);
    let messages: Vec<String> = r.notices().into_iter().map(|n| n.2).collect();
    assert_eq!(
        messages,
        vec![
            "`unused-suppression` can only be suppressed file-wide".to_string(),
            "suppression of `missing-timeout` matched no finding here".to_string(),
        ]
    );
}

#[test]
fn parse_errors_can_be_suppressed_like_findings() {
    let src = "# corbel: ignore-file[parse-error] -- new syntax the grammar lacks\nx = (\n";
    let r = py(src, &[(PARSE_ERROR, 2, 2)]);
    assert_eq!(
        r.findings(),
        vec![(PARSE_ERROR, 2, file(Some("new syntax the grammar lacks")))]
    );
}

#[test]
fn odd_inputs_do_not_panic() {
    let cases: &[(Grammar, &str)] = &[
        (Grammar::Python, ""),
        (Grammar::Python, "# corbel: ignore[missing-timeout]"),
        (Grammar::Python, "# corbel: ignore-file[missing-timeout]"),
        (Grammar::Python, "# corbel:"),
        (Grammar::Python, "# corbel: ignore["),
        (
            Grammar::Python,
            "x = 1 # corbel: ignore[é, 💥] -- ünïcödé ✓",
        ),
        (
            Grammar::Python,
            "def (:\n  # corbel: ignore[missing-timeout]\n  )))\n",
        ),
        (
            Grammar::Python,
            ")))  # corbel: ignore[missing-timeout]\n\n\n",
        ),
        (Grammar::Python, "\r\n# corbel: ignore[missing-timeout]\r\n"),
        (Grammar::TypeScript, "/* corbel: ignore[missing-timeout]"),
        (Grammar::TypeScript, "// corbel: ignore[missing-timeout]\r"),
        (Grammar::TypeScript, "function ( { // corbel: ignore[x]\n"),
        (Grammar::Tsx, "<div>{/* corbel: ignore */}"),
        (Grammar::Tsx, "corbel: ignore[missing-timeout]"),
    ];
    for &(grammar, src) in cases {
        let lines = src.split('\n').count();
        let r = run(
            grammar,
            src,
            &[(TIMEOUT, 1, lines), (TIMEOUT, lines, lines)],
        );
        assert_eq!(r.outcome.diagnostics.len(), 2, "{src:?}");
    }
}

#[test]
fn comment_in_an_error_node_still_applies() {
    let src = "foo(a b c  # corbel: ignore[missing-timeout]\n  d)\nfoo(a b c\n  # corbel: ignore[missing-timeout]\n  requests.get(d))\n";
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&Grammar::Python.ts_language()).unwrap();
    let tree = parser.parse(src, None).unwrap();
    let at = src.find("# corbel").unwrap();
    let comment = tree
        .root_node()
        .descendant_for_byte_range(at, at + 1)
        .unwrap();
    assert!(
        comment.parent().unwrap().is_error(),
        "{}",
        tree.root_node().to_sexp()
    );
    let r = py(src, &[(TIMEOUT, 1, 2), (TIMEOUT, 5, 5)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 1, unreasoned()), (TIMEOUT, 5, unreasoned())]
    );
}

#[test]
fn unicode_reason_and_spans() {
    let src = "héllo = requests.get(ürl)  # corbel: ignore[missing-timeout] -- café ☕ upstream\nb()  # corbel: ignore[bogüs]\n";
    let r = py(src, &[(TIMEOUT, 1, 1)]);
    assert_eq!(r.suppressed(1), line("café ☕ upstream"));
    assert_eq!(r.notice_text(0), "bogüs");
}

#[test]
fn deeply_nested_code_does_not_overflow() {
    let depth = 5000;
    let src = format!(
        "# corbel: ignore[missing-timeout]\nx = {}requests.get(url){}  # corbel: ignore[missing-timeout]\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let r = py(&src, &[(TIMEOUT, 2, 2)]);
    assert_eq!(r.suppressed(2), unreasoned());
    // The own-line comment covers the same line; the trailing one is narrower.
    assert_eq!(r.notices().iter().map(|n| n.1).collect::<Vec<_>>(), vec![1]);

    // Every ancestor of the first token starts where it does.
    let src = format!(
        "# corbel: ignore[missing-timeout]\nclient{}.get(url)\nrequests.get(url)\n",
        ".session".repeat(depth)
    );
    let r = py(&src, &[(TIMEOUT, 2, 2), (TIMEOUT, 3, 3)]);
    assert_eq!(
        r.findings(),
        vec![(TIMEOUT, 2, unreasoned()), (TIMEOUT, 3, None)]
    );
}
