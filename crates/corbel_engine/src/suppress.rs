//! Inline suppressions: `corbel: ignore[rule-id] -- reason` comments.

use crate::diagnostic::Suppression;
use crate::language::Grammar;
use crate::rule::RawDiagnostic;
use crate::settings::Settings;
use tree_sitter::Tree;

pub struct SuppressionOutcome {
    /// Every finding, with the suppression that matched it, if any.
    pub diagnostics: Vec<(RawDiagnostic, Option<Suppression>)>,
    /// `blanket-suppression` and `unused-suppression` notices.
    pub notices: Vec<RawDiagnostic>,
}

pub fn apply_suppressions(
    _source: &str,
    _tree: &Tree,
    _grammar: Grammar,
    raw: Vec<RawDiagnostic>,
    _settings: &Settings,
) -> SuppressionOutcome {
    SuppressionOutcome {
        diagnostics: raw.into_iter().map(|d| (d, None)).collect(),
        notices: Vec::new(),
    }
}
