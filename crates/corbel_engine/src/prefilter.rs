//! The trigger-literal prefilter: one Aho–Corasick automaton over every enabled rule's
//! triggers decides which rules can fire in a file before anything is parsed.

use crate::language::Family;
use crate::rule::Rule;
use aho_corasick::AhoCorasick;

/// The marker of an inline suppression comment; a file holding one is always parsed so
/// unused and blanket suppressions are reported.
pub const SUPPRESSION_MARKER: &str = "corbel:";

pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each pattern, the indices (into the enabled rule list) it activates;
    /// `None` marks the suppression marker.
    pattern_rules: Vec<Option<Vec<usize>>>,
    /// Rules with no triggers: active in every file of the family.
    always: Vec<usize>,
    rule_count: usize,
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
        let mut pattern_rules: Vec<Option<Vec<usize>>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if !rule.meta().families.contains(&family) {
                continue;
            }
            let triggers = rule.triggers(family);
            if triggers.is_empty() {
                always.push(index);
            }
            for trigger in triggers {
                match patterns.iter().position(|p| p == trigger) {
                    Some(existing) => {
                        if let Some(list) = pattern_rules[existing].as_mut() {
                            list.push(index);
                        }
                    }
                    None => {
                        patterns.push(trigger);
                        pattern_rules.push(Some(vec![index]));
                    }
                }
            }
        }
        patterns.push(SUPPRESSION_MARKER);
        pattern_rules.push(None);
        Prefilter {
            automaton: AhoCorasick::new(&patterns).ok(),
            pattern_rules,
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
                for found in automaton.find_overlapping_iter(source) {
                    match &self.pattern_rules[found.pattern().as_usize()] {
                        Some(list) => list.iter().for_each(|&i| rules[i] = true),
                        None => has_suppression = true,
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
