//! The rule trait, its metadata, and the context a rule reports through.

use crate::diagnostic::{Category, Diagnostic, Location, Related, Severity, Span};
use crate::fact::Fact;
use crate::language::{Family, Grammar};
use crate::project::Project;
use crate::semantic::Semantic;
use crate::settings::Settings;
use std::collections::BTreeMap;
use tree_sitter::Node;

/// How often a rule's findings are right, as SARIF `properties.precision` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    VeryHigh,
    High,
    Medium,
    Low,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::VeryHigh => "very-high",
            Precision::High => "high",
            Precision::Medium => "medium",
            Precision::Low => "low",
        }
    }
}

/// Everything that describes a rule to users: `corbel rules`, `corbel rule <id>`, SARIF.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case name of the bad pattern, e.g. `missing-timeout`.
    pub id: &'static str,
    /// PascalCase form of the id, SARIF `reportingDescriptor.name`.
    pub name: &'static str,
    /// One line, lowercase start, no trailing period.
    pub summary: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    pub families: &'static [Family],
    pub cwe: &'static [u32],
    /// Skipped in test code unless configured otherwise.
    pub prod_only: bool,
    pub precision: Precision,
    /// CVSS-like score for GitHub code scanning, security rules only.
    pub security_severity: Option<&'static str>,
    /// The Markdown documentation from `rules/<id>.md`.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc without its front matter.
    pub fn doc_body(&self) -> &'static str {
        let doc = self.doc;
        if let Some(rest) = doc.strip_prefix("---\n") {
            if let Some(end) = rest.find("\n---\n") {
                return rest[end + 5..].trim_start_matches('\n');
            }
        }
        doc
    }
}

/// A condition on a file's bytes that a rule needs before it can fire, checked by the
/// prefilter without parsing. Literals are matched case-sensitively, anywhere.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    /// Any one of these literals.
    Any(&'static [&'static str]),
    /// At least one literal from every group: `[SESSION_WORDS, EMPTY_MAPPINGS]` holds in a
    /// file that names a session and creates an empty mapping.
    All(&'static [&'static [&'static str]]),
    /// Every group holds, then `check` (a scan of the bytes, cheap next to parsing) agrees:
    /// for what literals cannot say, like "a module-level assignment of `{}`".
    Checked {
        all: &'static [&'static [&'static str]],
        check: fn(&[u8]) -> bool,
    },
}

impl Trigger {
    /// The groups of literals, each needing one hit.
    pub fn groups(&self) -> &[&'static [&'static str]] {
        match self {
            Trigger::Any(literals) => std::slice::from_ref(literals),
            Trigger::All(groups) | Trigger::Checked { all: groups, .. } => groups,
        }
    }

    pub fn check(&self) -> Option<fn(&[u8]) -> bool> {
        match self {
            Trigger::Checked { check, .. } => Some(*check),
            _ => None,
        }
    }
}

/// A setting of one rule, configured as a list of strings.
#[derive(Debug)]
pub struct RuleOption {
    /// Kebab-case key, e.g. `small-tables`.
    pub name: &'static str,
    /// What the strings are, for config error messages.
    pub takes: &'static str,
}

/// A lint rule. One implementation per file under `corbel_rules`.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// When the rule can fire in a file of this family: at least one trigger holds.
    /// A file in which no enabled rule's trigger holds is never parsed, so each trigger
    /// must be a necessary condition for a finding, never a guess.
    fn triggers(&self, family: Family) -> &'static [Trigger];

    /// The settings the rule takes in its config table (`[rules.<id>]`) besides
    /// `severity`; `RuleContext::option` reads them.
    fn options(&self) -> &'static [RuleOption] {
        &[]
    }

    /// The tree-sitter node kinds `check` wants to see, for this family.
    fn node_kinds(&self, family: Family) -> &'static [&'static str];

    fn check(&self, node: Node<'_>, ctx: &mut RuleContext<'_, '_>);
}

/// A finding as a rule reports it, before severity, position and suppressions are applied.
/// With `fact` set it is not a finding but a site recorded for the project pass; it goes
/// through per-file ignores and inline suppressions like a finding would.
#[derive(Debug, Clone)]
pub struct RawDiagnostic {
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub fact: Option<RawFact>,
}

/// What a fact says: a kind (`jwt-sign`) and named values (`algorithm` → `HS256`).
#[derive(Debug, Clone, Default)]
pub struct RawFact {
    pub kind: &'static str,
    pub values: BTreeMap<&'static str, String>,
}

impl RawDiagnostic {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a named value to a fact (no-op on a finding).
    pub fn value(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        if let Some(fact) = self.fact.as_mut() {
            fact.values.insert(name, value.into());
        }
        self
    }
}

/// What a rule sees while it checks one file.
pub struct RuleContext<'a, 't> {
    pub source: &'a str,
    /// Path relative to the report root, `/`-separated.
    pub path: &'a str,
    pub grammar: Grammar,
    pub semantic: &'a Semantic<'t>,
    pub is_test_file: bool,
    pub(crate) rule: &'static str,
    pub(crate) out: &'a mut Vec<RawDiagnostic>,
    /// This rule's configured options.
    pub(crate) options: Option<&'a BTreeMap<&'static str, Vec<String>>>,
}

impl<'a, 't> RuleContext<'a, 't> {
    pub fn text(&self, node: Node<'_>) -> &'a str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    pub fn family(&self) -> Family {
        self.grammar.family()
    }

    /// The configured values of one of the rule's `options()`; empty when not set.
    pub fn option(&self, name: &str) -> &'a [String] {
        self.options
            .and_then(|options| options.get(name))
            .map_or(&[], Vec::as_slice)
    }

    pub fn report(&mut self, node: Node<'_>, message: impl Into<String>) -> &mut RawDiagnostic {
        self.report_span(Span::of(&node), message)
    }

    pub fn report_span(&mut self, span: Span, message: impl Into<String>) -> &mut RawDiagnostic {
        self.push(span, message.into(), None)
    }

    /// Records a site for this rule's project pass: `ctx.fact(call, "jwt-sign").value(...)`.
    pub fn fact(&mut self, node: Node<'_>, kind: &'static str) -> &mut RawDiagnostic {
        let fact = RawFact {
            kind,
            values: BTreeMap::new(),
        };
        self.push(Span::of(&node), String::new(), Some(fact))
    }

    fn push(&mut self, span: Span, message: String, fact: Option<RawFact>) -> &mut RawDiagnostic {
        self.out.push(RawDiagnostic {
            rule: self.rule,
            span,
            message,
            help: None,
            fact,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}

/// A rule that runs once per run, after every file, over the facts files recorded and
/// what the project shows (services, deployments). It may add findings, and amend the
/// findings of its own id (raise their severity, attach related locations).
pub trait ProjectRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn check(&self, ctx: &mut ProjectContext<'_>);
}

/// What a project rule sees.
pub struct ProjectContext<'a> {
    pub project: &'a Project,
    /// Facts every rule recorded, sorted by location.
    pub facts: &'a [Fact],
    /// Every per-file finding, sorted; a project rule only changes its own.
    pub diagnostics: &'a mut Vec<Diagnostic>,
    pub settings: &'a Settings,
    pub(crate) rule: &'static str,
}

impl ProjectContext<'_> {
    /// The facts this rule recorded.
    pub fn own_facts(&self) -> impl Iterator<Item = &Fact> {
        let rule = self.rule;
        self.facts.iter().filter(move |fact| fact.rule == rule)
    }

    /// Reports a finding at a fact's location, unless an inline suppression covers the
    /// fact (then only with `--include-suppressed`, marked as suppressed).
    pub fn report(
        &mut self,
        fact: &Fact,
        message: impl Into<String>,
        help: impl Into<String>,
        related: Vec<Related>,
    ) {
        let Some(severity) = self.settings.severity(self.rule) else {
            return;
        };
        if fact.suppression.is_some() && !self.settings.include_suppressed {
            return;
        }
        let location: Location = fact.location.clone();
        let fingerprint = crate::fingerprint::fact_fingerprint(self.rule, fact);
        self.diagnostics.push(Diagnostic {
            rule: self.rule,
            severity,
            message: message.into(),
            help: Some(help.into()),
            location,
            related,
            fingerprint,
            suppression: fact.suppression.clone(),
        });
    }
}
