//! `--statistics`: how many findings each rule reported, most frequent first.
//!
//! ```text
//!   12  missing-timeout   warning  outbound HTTP, SMTP or database call with no timeout
//!    3  string-built-sql  error    SQL text built with string formatting
//!   15  findings from 2 rules
//! ```

use crate::{plural, rule_meta, Counts, Report};
use corbel_engine::Severity;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Per rule: count and the most severe level it was reported at (severity is
    // configured per rule, so this is normally its only level).
    let mut rows: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for d in &report.result.diagnostics {
        if d.suppression.is_some() {
            continue;
        }
        let row = rows.entry(d.rule).or_insert((0, d.severity));
        row.0 += 1;
        row.1 = row.1.max(d.severity);
    }
    let mut rows: Vec<(&str, usize, Severity)> = rows
        .into_iter()
        .map(|(rule, (count, severity))| (rule, count, severity))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));

    let counts = Counts::of(&report.result.diagnostics);
    let count_width = counts.active().max(1).to_string().len().max(4);
    let rule_width = rows.iter().map(|row| row.0.len()).max().unwrap_or(0);
    for (rule, count, severity) in &rows {
        let summary = rule_meta(report.rules, rule).map_or("", |meta| meta.summary);
        let line = format!(
            "{count:>count_width$}  {rule:<rule_width$}  {:<7}  {summary}",
            severity.as_str()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let mut total = format!(
        "{:>count_width$}  {} from {}",
        counts.active(),
        if counts.active() == 1 {
            "finding"
        } else {
            "findings"
        },
        plural(rows.len(), "rule", "rules"),
    );
    if counts.suppressed > 0 {
        total.push_str(&format!(", {} suppressed", counts.suppressed));
    }
    writeln!(out, "{total}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_support::{self};
    use corbel_engine::RunResult;

    use std::time::Duration;

    fn render_statistics(result: &RunResult) -> String {
        let report = Report {
            elapsed: Duration::ZERO,
            width: 80,
            ..test_support::report(result)
        };
        let out = test_support::render_bytes(&report, render);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sorted_by_count_then_id() {
        let mut result = test_support::run_result();
        let mut extra = result.diagnostics[0].clone();
        extra.location.start.line += 1;
        result.diagnostics.push(extra);
        assert_eq!(
            render_statistics(&result),
            "   2  missing-timeout      warning  outbound HTTP, SMTP or database call with no timeout\n\
             \x20  1  parse-error          info     a file has a syntax error, so only the parts tree-sitter recovered were checked\n\
             \x20  1  shared-hs256-secret  error    an HS256 JWT secret is shared by several services\n\
             \x20  4  findings from 3 rules, 1 suppressed\n"
        );
    }

    #[test]
    fn empty_run() {
        assert_eq!(
            render_statistics(&RunResult::default()),
            "   0  findings from 0 rules\n"
        );
    }
}
