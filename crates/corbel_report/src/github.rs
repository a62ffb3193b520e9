//! `github`: workflow commands that GitHub Actions turns into annotations on the
//! changed files, for a plain `run:` step.
//!
//! ```text
//! ::warning file=app/api.py,line=8,col=12,endLine=8,endColumn=29,title=corbel(missing-timeout)::message
//! ```
//!
//! Suppressed findings are left out: an annotation asks for action, and the user has
//! already decided about these.

use crate::Report;
use corbel_engine::Severity;
use std::io::{self, Write};

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.result.diagnostics {
        if d.suppression.is_some() {
            continue;
        }
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let (start, end) = (d.location.start, d.location.end);
        // The help goes on a second line of the annotation: it is what to do instead.
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&d.location.path),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("corbel({})", d.rule)),
            escape_data(&message),
        )?;
    }
    Ok(())
}

/// The message part of a workflow command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property: `:` and `,` would end the value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_support::{self};

    use std::time::Duration;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }

    #[test]
    fn one_command_per_unsuppressed_finding() {
        let result = test_support::run_result();
        let report = Report {
            elapsed: Duration::ZERO,
            width: 80,
            ..test_support::report(&result)
        };
        let out = test_support::render_bytes(&report, render);
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(
            lines[0],
            "::warning file=app/api.py,line=8,col=12,endLine=8,endColumn=29,\
             title=corbel(missing-timeout)::`requests.get` is called without a timeout%0A\
             help: pass `timeout=` (for example `timeout=(3.05, 27)`) so a stalled upstream \
             cannot hold this worker"
        );
        assert!(lines[1].starts_with("::error file=web/auth.ts,line=4,col=76,"));
        assert!(lines[2].starts_with("::notice file=web/auth.ts,line=8,"));
        assert!(lines[2].contains("title=corbel(parse-error)::"));
    }
}
