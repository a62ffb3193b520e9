//! corbel's reporters. Each format renders a finished [`Report`]; none of them sees a
//! syntax tree. Line/column positions were computed by the engine.
//!
//! Every format except `text` is byte-identical for identical input: no timestamps,
//! no elapsed time, no hash-map iteration order.

mod concise;
mod github;
mod json;
mod sarif;
mod statistics;
mod text;

#[cfg(test)]
mod test_support;

use corbel_engine::{Diagnostic, RuleMeta, RunResult, Severity};
use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Concise,
    Json,
    Sarif,
    Github,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
    ];

    /// The name used by `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown format `{text}`; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Everything a reporter needs.
pub struct Report<'a> {
    pub result: &'a RunResult,
    /// Every enabled rule and notice, sorted by id (SARIF lists them as descriptors).
    pub rules: &'a [&'static RuleMeta],
    /// Absolute directory that finding paths are relative to (SARIF `%SRCROOT%`).
    pub root: &'a Path,
    pub elapsed: Duration,
    /// Colour and unicode decorations in `text` output. The CLI sets it only when the
    /// report goes to a terminal (not `--output FILE`) and `NO_COLOR` is unset or
    /// empty; `false` gives plain ASCII without escape codes. Other formats ignore it.
    pub color: bool,
    /// Terminal columns for wrapping `text` output (at least 60 is used); 80 when the
    /// width is unknown. Other formats ignore it.
    pub width: usize,
    pub version: &'a str,
    /// `--sarif-category`: SARIF `runs[0].automationDetails.id` is `<category>/`, which
    /// GitHub code scanning reads as the analysis category. Other formats ignore it.
    pub sarif_category: Option<&'a str>,
}

pub fn render(format: Format, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, out),
        Format::Concise => concise::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}

/// Counts per rule, for `--statistics`.
pub fn render_statistics(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    statistics::render(report, out)
}

/// How many findings of each kind a run reported. Suppressed findings (present only
/// when the user asked for them) are counted apart: they never fail a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    pub suppressed: usize,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in diagnostics {
            let slot = match (&diagnostic.suppression, diagnostic.severity) {
                (Some(_), _) => &mut counts.suppressed,
                (None, Severity::Error) => &mut counts.errors,
                (None, Severity::Warning) => &mut counts.warnings,
                (None, Severity::Info) => &mut counts.info,
            };
            *slot += 1;
        }
        counts
    }

    /// Findings that count against `--fail-on`.
    pub fn active(&self) -> usize {
        self.errors + self.warnings + self.info
    }
}

/// `1 error`, `2 errors`.
pub(crate) fn plural(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("{count} {singular}")
    } else {
        format!("{count} {plural}")
    }
}

/// The metadata of a diagnostic's rule, when the rule is among the enabled ones.
pub(crate) fn rule_meta<'r>(rules: &'r [&'static RuleMeta], id: &str) -> Option<&'r RuleMeta> {
    rules.iter().copied().find(|meta| meta.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
        }
        let error = "xml".parse::<Format>().err().unwrap_or_default();
        assert!(
            error.contains("text, concise, json, sarif, github"),
            "{error}"
        );
    }

    #[test]
    fn counts_keep_suppressed_findings_apart() {
        let result = test_support::run_result();
        let counts = Counts::of(&result.diagnostics);
        assert_eq!(
            counts,
            Counts {
                errors: 1,
                warnings: 1,
                info: 1,
                suppressed: 1
            }
        );
        assert_eq!(counts.active(), 3);
    }

    #[test]
    fn pluralises() {
        assert_eq!(plural(1, "error", "errors"), "1 error");
        assert_eq!(plural(0, "error", "errors"), "0 errors");
        assert_eq!(plural(2, "file", "files"), "2 files");
    }
}
