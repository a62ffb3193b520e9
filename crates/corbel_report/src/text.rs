//! `text`: one miette block per finding (message, source snippet, help), then a summary.
//!
//! ```text
//!   ! warning[missing-timeout]: `requests.get` is called without a timeout
//!    ,-[app/api.py:8:12]
//!  7 |     url = f"https://profiles.internal/users/{user_id}"
//!  8 |     return requests.get(url)
//!    :            ^^^^^^^^^^^^^^^^^
//!  9 |
//!    `----
//!   help: pass `timeout=` ...
//! ```

use crate::{plural, Counts, Report};
use corbel_engine::{Diagnostic, Location, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents, ThemeCharacters, ThemeStyles,
};
use std::fmt;
use std::io::{self, Write};

/// A label spanning more lines than this is cut to its first line: the header already
/// says where the finding starts, and a 40-line call expression drowns the message.
const MAX_LABEL_LINES: usize = 4;

/// Below this, wrapping makes messages harder to read than overlong lines.
const MIN_WIDTH: usize = 60;

const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let width = report.width.max(MIN_WIDTH);
    for diagnostic in &report.result.diagnostics {
        let block = render_one(report, diagnostic, width)?;
        out.write_all(block.as_bytes())?;
        writeln!(out)?;
    }
    let summary = summary(report);
    if report.color {
        writeln!(out, "{BOLD}{summary}{RESET}")
    } else {
        writeln!(out, "{summary}")
    }
}

fn render_one(report: &Report<'_>, diagnostic: &Diagnostic, width: usize) -> io::Result<String> {
    let path = diagnostic.location.path.as_str();
    let source = report
        .result
        .sources
        .get(path)
        .map(|text| FileSource { name: path, text });
    let labels = match &source {
        Some(source) => labels(diagnostic, source.text),
        None => Vec::new(),
    };
    // The rule id goes in the title, not miette's `code()`: miette prints a code on a
    // line of its own plus a blank line, and `warning[rule-id]: message` keeps each
    // finding's first line complete and greppable (as rustc and oxlint do).
    let finding = Finding {
        diagnostic,
        title: format!(
            "{}[{}]: {}",
            diagnostic.severity, diagnostic.rule, diagnostic.message
        ),
        source,
        labels,
    };
    let handler = GraphicalReportHandler::new_themed(theme(report.color, &finding))
        .with_width(width)
        .with_links(false)
        .without_syntax_highlighting()
        .with_context_lines(1)
        .tab_width(4);
    let mut block = String::new();
    handler
        .render_report(&mut block, &finding)
        .map_err(|_| io::Error::other(format!("cannot render the finding at {path}")))?;

    // Lines miette has no place for: the location when the source is missing, related
    // sites in other files, and the suppression that matched.
    let note = |name: &str| {
        if report.color {
            format!("  {CYAN}{name}:{RESET} ")
        } else {
            format!("  {name}: ")
        }
    };
    if finding.source.is_none() {
        block.push_str(&format!(
            "{}{}\n",
            note("at"),
            position(&diagnostic.location)
        ));
    }
    for related in &diagnostic.related {
        if finding.source.is_none() || related.location.path != path {
            block.push_str(&format!(
                "{}{}: {}\n",
                note("related"),
                position(&related.location),
                related.message
            ));
        }
    }
    if let Some(suppression) = &diagnostic.suppression {
        let reason = suppression.reason.as_deref().unwrap_or("no reason given");
        let kind = if suppression.file_level {
            " (ignore-file)"
        } else {
            ""
        };
        block.push_str(&format!("{}{reason}{kind}\n", note("suppressed")));
    }
    Ok(block)
}

/// `path:line:col`, the form terminals and editors turn into links.
fn position(location: &Location) -> String {
    format!(
        "{}:{}:{}",
        location.path, location.start.line, location.start.column
    )
}

/// The finding's own span, then related sites in the same file with their message.
fn labels(diagnostic: &Diagnostic, text: &str) -> Vec<LabeledSpan> {
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        None,
        clamp(
            text,
            diagnostic.location.span.start,
            diagnostic.location.span.end,
        ),
    )];
    for related in &diagnostic.related {
        if related.location.path == diagnostic.location.path {
            labels.push(LabeledSpan::new_with_span(
                Some(related.message.clone()),
                clamp(text, related.location.span.start, related.location.span.end),
            ));
        }
    }
    labels
}

/// A span miette can read: inside the text, on char boundaries, at most
/// `MAX_LABEL_LINES` lines long.
fn clamp(text: &str, start: usize, end: usize) -> SourceSpan {
    let floor = |mut offset: usize| {
        offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = floor(start);
    let mut end = floor(end).max(start);
    let covered = text.get(start..end).unwrap_or("");
    if covered.matches('\n').count() >= MAX_LABEL_LINES {
        let first_line = covered.split('\n').next().unwrap_or("");
        end = start + first_line.trim_end_matches('\r').len();
    }
    SourceSpan::new(start.into(), end - start)
}

/// Plain ASCII without escapes unless colour is on; in colour, the finding's own label
/// takes its severity's colour and related labels a quieter one.
fn theme(color: bool, finding: &Finding<'_>) -> GraphicalTheme {
    if !color {
        return GraphicalTheme::none();
    }
    let ansi = ThemeStyles::ansi();
    let primary = match finding.diagnostic.severity {
        Severity::Error => ansi.error,
        Severity::Warning => ansi.warning,
        Severity::Info => ansi.advice,
    };
    // miette pairs highlight styles with labels in offset order.
    let mut labels: Vec<&LabeledSpan> = finding.labels.iter().collect();
    labels.sort_by_key(|label| label.offset());
    let highlights = labels
        .iter()
        .map(|label| {
            if label.primary() {
                primary
            } else {
                ansi.advice
            }
        })
        .collect();
    GraphicalTheme {
        characters: ThemeCharacters::unicode(),
        styles: ThemeStyles {
            highlights,
            ..ThemeStyles::ansi()
        },
    }
}

/// `3 findings (1 error, 1 warning, 1 info) in 12 files, 0.42s`.
pub(crate) fn summary(report: &Report<'_>) -> String {
    let counts = Counts::of(&report.result.diagnostics);
    let files = plural(report.result.files_walked, "file", "files");
    let elapsed = format!("{:.2}s", report.elapsed.as_secs_f64());
    let suppressed = plural(
        counts.suppressed,
        "suppressed finding",
        "suppressed findings",
    );
    if counts.active() == 0 {
        if counts.suppressed == 0 {
            return format!("No findings in {files}, {elapsed}");
        }
        return format!("No findings ({suppressed} shown) in {files}, {elapsed}");
    }
    let mut text = format!(
        "{} ({}, {}, {} info)",
        plural(counts.active(), "finding", "findings"),
        plural(counts.errors, "error", "errors"),
        plural(counts.warnings, "warning", "warnings"),
        counts.info,
    );
    if counts.suppressed > 0 {
        text.push_str(&format!(" and {suppressed}"));
    }
    text.push_str(&format!(" in {files}, {elapsed}"));
    text
}

/// A file's text under its report path.
struct FileSource<'s> {
    name: &'s str,
    text: &'s str,
}

impl SourceCode for FileSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents =
            self.text
                .as_bytes()
                .read_span(span, context_lines_before, context_lines_after)?;
        // miette counts columns in bytes; corbel's columns count characters, and the
        // `[path:line:col]` header must agree with every other format.
        let column = if contents.column() == 0 {
            0
        } else {
            let offset = contents.span().offset();
            let before = self.text.get(..offset).unwrap_or("");
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            before.get(line_start..).unwrap_or("").chars().count()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

/// One finding as miette sees it.
struct Finding<'a> {
    diagnostic: &'a Diagnostic,
    title: String,
    source: Option<FileSource<'a>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)
    }
}

impl std::error::Error for Finding<'_> {}

impl miette::Diagnostic for Finding<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.diagnostic.help.as_ref()?;
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        let source = self.source.as_ref()?;
        Some(source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_support::{self};
    use corbel_engine::RunResult;

    use std::time::Duration;

    fn render_text(result: &RunResult, color: bool) -> String {
        let report = Report {
            elapsed: Duration::from_millis(420),
            color,
            width: 100,
            ..test_support::report(result)
        };
        let out = test_support::render_bytes(&report, render);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plain_output_has_no_escapes_and_no_unicode_decorations() {
        let text = render_text(&test_support::run_result(), false);
        assert!(!text.contains('\x1b'), "{text}");
        for decoration in ['╭', '│', '─', '⚠', '×'] {
            assert!(!text.contains(decoration), "{decoration} in\n{text}");
        }
    }

    #[test]
    fn colour_output_uses_escapes() {
        let text = render_text(&test_support::run_result(), true);
        assert!(text.contains('\x1b'));
        assert!(text.contains('╭'));
    }

    #[test]
    fn header_column_counts_characters_not_bytes() {
        let text = render_text(&test_support::run_result(), false);
        // `{ algorithm: "HS256" }` starts at character 76 of its line; the emoji before
        // it is 4 bytes, so a byte count would say 79.
        assert!(text.contains("[web/auth.ts:4:76]"), "{text}");
    }

    #[test]
    fn shows_rule_message_help_and_summary() {
        let text = render_text(&test_support::run_result(), false);
        assert!(
            text.contains("warning[missing-timeout]: `requests.get` is called without a timeout")
        );
        assert!(text.contains("  help: pass `timeout=`"));
        assert!(text.ends_with(
            "3 findings (1 error, 1 warning, 1 info) and 1 suppressed finding in 12 files, 0.42s\n"
        ));
    }

    #[test]
    fn related_sites_in_other_files_become_notes_same_file_ones_labels() {
        let text = render_text(&test_support::run_result(), false);
        assert!(
            text.contains("  related: app/api.py:3:1: the Python service holds the same secret\n")
        );
        assert!(text.contains("tokens are verified with the same secret here"));
        assert!(!text.contains("related: web/auth.ts"), "{text}");
    }

    #[test]
    fn suppressed_findings_say_why() {
        let text = render_text(&test_support::run_result(), false);
        assert!(text.contains("  suppressed: name is checked against an allow-list above\n"));
    }

    #[test]
    fn empty_run_says_so() {
        let result = RunResult {
            files_walked: 1,
            ..RunResult::default()
        };
        assert_eq!(
            render_text(&result, false),
            "No findings in 1 file, 0.42s\n"
        );
    }

    #[test]
    fn missing_source_still_names_the_location() {
        let mut result = test_support::run_result();
        result.sources.clear();
        let text = render_text(&result, false);
        assert!(text.contains("  at: app/api.py:8:12\n"), "{text}");
        assert!(
            text.contains("  related: web/auth.ts:8:28: tokens are verified"),
            "{text}"
        );
    }

    #[test]
    fn crlf_sources_render_without_carriage_returns() {
        let source = "import requests\r\n\r\nrequests.get(url)\r\nprint(1)\r\n";
        let mut result = test_support::run_result();
        result.diagnostics.truncate(1);
        let d = &mut result.diagnostics[0];
        d.location = corbel_engine::engine::locate(
            &corbel_engine::line_index::LineIndex::new(source),
            "app/api.py",
            test_support::span_of(source, "requests.get(url)"),
        );
        result.sources.insert("app/api.py".into(), source.into());
        let text = render_text(&result, false);
        assert!(!text.contains('\r'), "{text:?}");
        assert!(text.contains("[app/api.py:3:1]"), "{text}");
        assert!(text.contains(" 3 | requests.get(url)\n"), "{text}");
    }

    #[test]
    fn long_spans_are_cut_to_their_first_line() {
        let text = "call(\n a,\n b,\n c,\n d,\n)\n";
        let span = clamp(text, 0, text.len() - 1);
        assert_eq!((span.offset(), span.len()), (0, 5));
        let short = clamp(text, 0, 10);
        assert_eq!(short.len(), 10);
        // Out of range and mid-character offsets are pulled back, never panic.
        assert_eq!(clamp("é", 1, 99).len(), 2);
    }
}
