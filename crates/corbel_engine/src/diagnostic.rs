//! What a rule reports, and where.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Security,
    Reliability,
    Performance,
    Maintainability,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Security,
        Category::Reliability,
        Category::Performance,
        Category::Maintainability,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Reliability => "reliability",
            Category::Performance => "performance",
            Category::Maintainability => "maintainability",
        }
    }

    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// A half-open byte range in a file's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn of(node: &tree_sitter::Node<'_>) -> Span {
        Span::new(node.start_byte(), node.end_byte())
    }
}

/// A resolved position: 1-based lines; columns count Unicode scalar values (`column`)
/// and UTF-16 code units (`column_utf16`), both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub column_utf16: usize,
}

/// A located range in a file, relative to the report root.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Location {
    /// Path relative to the report root, `/`-separated.
    pub path: String,
    pub span: Span,
    pub start: Position,
    pub end: Position,
}

/// A secondary location attached to a finding (another site of a cross-file pattern).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// An inline suppression that matched a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Suppression {
    /// The text after `--`, when given.
    pub reason: Option<String>,
    /// Whether the suppression came from `ignore-file`.
    pub file_level: bool,
}

/// One finding, ready for reporting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub location: Location,
    pub related: Vec<Related>,
    /// A line-number-independent identity of the finding.
    pub fingerprint: String,
    /// Set when an inline suppression matched (only reported with `--include-suppressed`).
    pub suppression: Option<Suppression>,
}

impl Diagnostic {
    /// The deterministic report order: path, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (
            &self.location.path,
            self.location.start.line,
            self.location.start.column,
            self.rule,
            &self.message,
        )
    }
}
