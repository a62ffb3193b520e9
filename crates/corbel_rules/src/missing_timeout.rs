//! `missing-timeout`: outbound calls with no deadline.

use corbel_engine::{Category, Family, Precision, Rule, RuleContext, RuleMeta, Severity};
use tree_sitter::Node;

pub struct MissingTimeout;

pub static META: RuleMeta = RuleMeta {
    id: "missing-timeout",
    name: "MissingTimeout",
    summary: "outbound HTTP, SMTP or database call with no timeout",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[1088],
    prod_only: false,
    precision: Precision::High,
    security_severity: None,
    doc: include_str!("../../../rules/missing-timeout.md"),
};

impl Rule for MissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn triggers(&self, _family: Family) -> &'static [&'static str] {
        &[]
    }
    fn node_kinds(&self, _family: Family) -> &'static [&'static str] {
        &[]
    }
    fn check(&self, _node: Node<'_>, _ctx: &mut RuleContext<'_, '_>) {}
}
