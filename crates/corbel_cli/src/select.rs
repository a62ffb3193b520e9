//! Rule selectors: the words `--select`, `--ignore`, `select`, `ignore` and
//! `[per-file-ignores]` accept — a rule id, a category, or `all`.

use crate::suggest::did_you_mean;
use corbel_engine::{Category, RuleMeta};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy)]
pub enum Selector {
    All,
    Category(Category),
    Rule(&'static RuleMeta),
}

/// A word that names no rule, category or `all`.
#[derive(Debug)]
pub struct UnknownSelector {
    pub suggestion: Option<&'static str>,
}

impl UnknownSelector {
    /// The hint shown under the error.
    pub fn help(&self) -> String {
        match self.suggestion {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => "run `corbel rules` for the rule ids; the categories are security, \
                     reliability, performance and maintainability"
                .to_string(),
        }
    }
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, UnknownSelector> {
        let text = text.trim();
        if text == "all" {
            return Ok(Selector::All);
        }
        if let Some(category) = Category::parse(text) {
            return Ok(Selector::Category(category));
        }
        if let Some(meta) = corbel_rules::find(text) {
            return Ok(Selector::Rule(meta));
        }
        Err(UnknownSelector {
            suggestion: did_you_mean(text, vocabulary()),
        })
    }

    pub fn matches(self, meta: &RuleMeta) -> bool {
        match self {
            Selector::All => true,
            Selector::Category(category) => meta.category == category,
            Selector::Rule(rule) => rule.id == meta.id,
        }
    }
}

/// Every word a selector may be.
fn vocabulary() -> impl Iterator<Item = &'static str> {
    corbel_rules::all_metas()
        .into_iter()
        .map(|meta| meta.id)
        .chain(Category::ALL.iter().map(|category| category.as_str()))
        .chain(["all"])
}

/// The ids of every rule and notice that one of `selectors` names.
pub fn expand(selectors: &[Selector]) -> BTreeSet<&'static str> {
    corbel_rules::all_metas()
        .into_iter()
        .filter(|meta| selectors.iter().any(|selector| selector.matches(meta)))
        .map(|meta| meta.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_categories_and_all() {
        assert!(matches!(Selector::parse("all"), Ok(Selector::All)));
        assert!(matches!(
            Selector::parse("security"),
            Ok(Selector::Category(Category::Security))
        ));
        assert!(
            matches!(Selector::parse("missing-timeout"), Ok(Selector::Rule(m)) if m.id == "missing-timeout")
        );
    }

    #[test]
    fn suggests_for_typos() {
        let unknown = Selector::parse("missing-timout").err();
        assert_eq!(unknown.and_then(|u| u.suggestion), Some("missing-timeout"));
        let unknown = Selector::parse("securty").err();
        assert_eq!(unknown.and_then(|u| u.suggestion), Some("security"));
    }

    #[test]
    fn expands_categories_to_ids() {
        let ids = expand(&[Selector::Category(Category::Reliability)]);
        assert!(ids.contains("missing-timeout"));
        assert!(!ids.contains("parse-error"));
        assert_eq!(
            expand(&[Selector::All]).len(),
            corbel_rules::all_metas().len()
        );
    }
}
