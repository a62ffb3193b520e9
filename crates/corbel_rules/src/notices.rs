//! The engine's own notices. They are reported by the engine, not dispatched on syntax,
//! but are documented and configured like any rule.

use corbel_engine::{Category, Family, Precision, RuleMeta, Severity};

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
    doc: include_str!("../../../rules/parse-error.md"),
};

pub static BLANKET_SUPPRESSION: RuleMeta = RuleMeta {
    id: "blanket-suppression",
    name: "BlanketSuppression",
    summary: "a `corbel: ignore` comment names no rule id",
    category: Category::Maintainability,
    default_severity: Severity::Warning,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[],
    prod_only: false,
    precision: Precision::VeryHigh,
    security_severity: None,
    doc: include_str!("../../../rules/blanket-suppression.md"),
};

pub static UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
    id: "unused-suppression",
    name: "UnusedSuppression",
    summary: "a `corbel: ignore[...]` comment suppresses nothing",
    category: Category::Maintainability,
    default_severity: Severity::Info,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[],
    prod_only: false,
    precision: Precision::VeryHigh,
    security_severity: None,
    doc: include_str!("../../../rules/unused-suppression.md"),
};
