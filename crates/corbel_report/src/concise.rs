//! `concise`: `path:line:col: severity[rule-id] message`, one line per finding, for
//! editors' problem matchers and grep.

use crate::Report;
use std::io::{self, Write};

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.result.diagnostics {
        let start = d.location.start;
        write!(
            out,
            "{}:{}:{}: {}[{}] {}",
            d.location.path, start.line, start.column, d.severity, d.rule, d.message
        )?;
        if d.suppression.is_some() {
            write!(out, " (suppressed)")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_support::{self};

    use std::time::Duration;

    #[test]
    fn one_line_per_finding() {
        let result = test_support::run_result();
        let report = Report {
            elapsed: Duration::ZERO,
            color: true,
            width: 80,
            ..test_support::report(&result)
        };
        let out = test_support::render_bytes(&report, render);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "app/api.py:8:12: warning[missing-timeout] `requests.get` is called without a timeout",
                "app/api.py:13:20: error[string-built-sql] SQL built with an f-string is passed to `cursor.execute` (suppressed)",
                "web/auth.ts:4:76: error[shared-hs256-secret] `jwt.sign` uses HS256 with a secret that another service also holds",
                "web/auth.ts:8:51: info[parse-error] this file has a syntax error here; corbel checked the parts it could parse",
            ]
        );
    }
}
