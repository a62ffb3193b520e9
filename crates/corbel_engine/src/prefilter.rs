//! The trigger prefilter: one Aho–Corasick automaton over every literal of every enabled
//! rule's triggers decides which rules can fire in a file before anything is parsed.

use crate::language::Family;
use crate::rule::Rule;
use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// The marker of an inline suppression comment; a file holding one is always parsed so
/// unused and blanket suppressions are reported.
pub const SUPPRESSION_MARKER: &str = "corbel:";

pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each pattern, the literal groups it satisfies (numbered across all triggers);
    /// `None` marks the suppression marker.
    pattern_groups: Vec<Option<Vec<usize>>>,
    group_count: usize,
    triggers: Vec<TriggerEntry>,
    /// Rules with no triggers: active in every file of the family.
    always: Vec<usize>,
    rule_count: usize,
}

/// One trigger of one rule: the range of its groups in the group list, and its check.
struct TriggerEntry {
    rule: usize,
    groups: std::ops::Range<usize>,
    check: Option<fn(&[u8]) -> bool>,
}

/// What the prefilter found in one file.
pub struct Activation {
    pub rules: Vec<bool>,
    pub any_rule: bool,
    pub has_suppression: bool,
}

impl Prefilter {
    pub fn new(rules: &[&'static dyn Rule], family: Family) -> Prefilter {
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut pattern_groups: Vec<Option<Vec<usize>>> = Vec::new();
        let mut triggers = Vec::new();
        let mut always = Vec::new();
        let mut group_count = 0;
        for (index, rule) in rules.iter().enumerate() {
            if !rule.meta().families.contains(&family) {
                continue;
            }
            let rule_triggers = rule.triggers(family);
            if rule_triggers.is_empty() {
                always.push(index);
            }
            for trigger in rule_triggers {
                let first_group = group_count;
                for group in trigger.groups() {
                    for &literal in group.iter() {
                        match patterns.iter().position(|p| *p == literal) {
                            Some(existing) => {
                                if let Some(list) = pattern_groups[existing].as_mut() {
                                    list.push(group_count);
                                }
                            }
                            None => {
                                patterns.push(literal);
                                pattern_groups.push(Some(vec![group_count]));
                            }
                        }
                    }
                    group_count += 1;
                }
                triggers.push(TriggerEntry {
                    rule: index,
                    groups: first_group..group_count,
                    check: trigger.check(),
                });
            }
        }
        patterns.push(SUPPRESSION_MARKER);
        pattern_groups.push(None);
        // A DFA: a few hundred literals at most, and the scan runs over every file.
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .ok();
        Prefilter {
            automaton,
            pattern_groups,
            group_count,
            triggers,
            always,
            rule_count: rules.len(),
        }
    }

    pub fn activate(&self, source: &[u8]) -> Activation {
        let mut rules = vec![false; self.rule_count];
        let mut has_suppression = false;
        for &index in &self.always {
            rules[index] = true;
        }
        match &self.automaton {
            Some(automaton) => {
                let mut satisfied = vec![false; self.group_count];
                let mut hit = |pattern: usize| match &self.pattern_groups[pattern] {
                    Some(groups) => groups.iter().for_each(|&g| satisfied[g] = true),
                    None => has_suppression = true,
                };
                // Overlapping: every literal counts, also one inside or across another
                // (`Token` in `JsonWebToken`).
                automaton
                    .find_overlapping_iter(source)
                    .for_each(|found| hit(found.pattern().as_usize()));
                for trigger in &self.triggers {
                    if !rules[trigger.rule]
                        && satisfied[trigger.groups.clone()].iter().all(|&s| s)
                        && trigger.check.is_none_or(|check| check(source))
                    {
                        rules[trigger.rule] = true;
                    }
                }
            }
            // Building the automaton cannot fail for these small literal sets; if it did,
            // parse everything rather than lose findings.
            None => {
                rules.iter_mut().for_each(|r| *r = true);
                has_suppression = true;
            }
        }
        Activation {
            any_rule: rules.iter().any(|&r| r),
            rules,
            has_suppression,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Category, Severity};
    use crate::rule::{Precision, RuleContext, RuleMeta, Trigger};
    use tree_sitter::Node;

    static META: RuleMeta = RuleMeta {
        id: "fake",
        name: "Fake",
        summary: "a rule that only has triggers",
        category: Category::Reliability,
        default_severity: Severity::Warning,
        families: &[Family::Python],
        cwe: &[],
        prod_only: false,
        precision: Precision::High,
        security_severity: None,
        doc: "",
    };

    struct Fake(&'static [Trigger]);

    impl Rule for Fake {
        fn meta(&self) -> &'static RuleMeta {
            &META
        }
        fn triggers(&self, _family: Family) -> &'static [Trigger] {
            self.0
        }
        fn node_kinds(&self, _family: Family) -> &'static [&'static str] {
            &[]
        }
        fn check(&self, _node: Node<'_>, _ctx: &mut RuleContext<'_, '_>) {}
    }

    static ANY: Fake = Fake(&[Trigger::Any(&["requests", "httpx"])]);
    static ALL: Fake = Fake(&[
        Trigger::Any(&["SESSION_ENGINE"]),
        Trigger::All(&[&["session", "token"], &["{}", "dict("]]),
    ]);
    static NONE: Fake = Fake(&[]);
    static CHECKED: Fake = Fake(&[Trigger::Checked {
        all: &[&["session"]],
        check: |source| source.starts_with(b"SESSIONS"),
    }]);

    fn active(source: &str) -> Vec<bool> {
        let rules: [&'static dyn Rule; 3] = [&ANY, &ALL, &NONE];
        Prefilter::new(&rules, Family::Python)
            .activate(source.as_bytes())
            .rules
    }

    #[test]
    fn any_trigger_needs_one_literal() {
        assert_eq!(active("import httpx"), [true, false, true]);
        assert_eq!(active("x = 1"), [false, false, true]);
    }

    #[test]
    fn all_trigger_needs_every_group() {
        assert!(!active("SESSIONS = {}")[1], "case-sensitive");
        assert!(!active("token_cache = 1")[1], "no mapping");
        assert!(active("tokens = {}")[1]);
        assert!(active("x = dict()\nsession = x")[1]);
        assert!(active("SESSION_ENGINE = 'x'")[1], "another trigger");
    }

    #[test]
    fn checked_trigger_runs_its_check_after_the_literals() {
        let rules: [&'static dyn Rule; 1] = [&CHECKED];
        let prefilter = Prefilter::new(&rules, Family::Python);
        assert!(prefilter.activate(b"SESSIONS = {}  # session").any_rule);
        assert!(!prefilter.activate(b"SESSIONS = {}").any_rule, "no literal");
        assert!(
            !prefilter.activate(b"x = 1  # session").any_rule,
            "check fails"
        );
    }

    #[test]
    fn overlapping_literals_each_count() {
        let rules: [&'static dyn Rule; 2] = [
            &Fake(&[Trigger::Any(&["JsonWebToken"])]),
            &Fake(&[Trigger::All(&[&["Token"], &["Web"]])]),
        ];
        let activation = Prefilter::new(&rules, Family::Python).activate(b"JsonWebToken");
        assert_eq!(activation.rules, [true, true]);
    }

    #[test]
    fn suppression_marker_is_seen() {
        let rules: [&'static dyn Rule; 1] = [&ANY];
        let activation = Prefilter::new(&rules, Family::Python).activate(b"# corbel: ignore");
        assert!(activation.has_suppression && !activation.any_rule);
    }
}
