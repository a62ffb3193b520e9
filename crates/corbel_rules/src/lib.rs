//! corbel's rules, one per file, and the registry that lists them.
//!
//! A rule's documentation lives in `rules/<id>.md` at the repository root and is embedded
//! here; `corbel rule <id>`, SARIF help and the README rules table all come from it.

pub mod common;
pub mod hs256_across_services;
pub mod in_memory_session_store;
pub mod missing_timeout;
pub mod notices;
pub mod string_built_sql;
pub mod unbounded_query;

use corbel_engine::{ProjectRule, Rule, RuleMeta, RuleOption};

/// Rules whose precision on real code is not yet at the bar (at least nine findings in
/// ten worth fixing): they run only when selected by id (`--select unbounded-query`).
pub const PREVIEW_RULES: &[&str] = &["unbounded-query"];

pub fn is_preview(id: &str) -> bool {
    PREVIEW_RULES.contains(&id)
}

/// Every syntax rule, in id order.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    static RULES: [&dyn Rule; 5] = [
        &hs256_across_services::Hs256AcrossServices,
        &in_memory_session_store::InMemorySessionStore,
        &missing_timeout::MissingTimeout,
        &string_built_sql::StringBuiltSql,
        &unbounded_query::UnboundedQuery,
    ];
    &RULES
}

/// Every project rule (run once after all files), in id order.
pub fn all_project_rules() -> &'static [&'static dyn ProjectRule] {
    static RULES: [&dyn ProjectRule; 3] = [
        &hs256_across_services::Hs256AcrossServicesProject,
        &in_memory_session_store::InMemorySessionStoreReplicas,
        &unbounded_query::UnboundedQueryDrfPagination,
    ];
    &RULES
}

/// Notices the engine reports itself (parse errors, suppression problems).
pub fn notices() -> &'static [&'static RuleMeta] {
    static NOTICES: [&RuleMeta; 3] = [
        &notices::BLANKET_SUPPRESSION,
        &notices::PARSE_ERROR,
        &notices::UNUSED_SUPPRESSION,
    ];
    &NOTICES
}

/// Metadata of every rule and notice, sorted by id.
pub fn all_metas() -> Vec<&'static RuleMeta> {
    let mut metas: Vec<&'static RuleMeta> = all_rules()
        .iter()
        .map(|rule| rule.meta())
        .chain(all_project_rules().iter().map(|rule| rule.meta()))
        .chain(notices().iter().copied())
        .collect();
    metas.sort_by_key(|meta| meta.id);
    // A rule with a per-file and a project part shares one meta.
    metas.dedup_by_key(|meta| meta.id);
    metas
}

/// The options a rule takes besides `severity` (none for notices and unknown ids).
pub fn options_of(id: &str) -> &'static [RuleOption] {
    all_rules()
        .iter()
        .find(|rule| rule.meta().id == id)
        .map_or(&[], |rule| rule.options())
}

pub fn find(id: &str) -> Option<&'static RuleMeta> {
    all_metas().into_iter().find(|meta| meta.id == id)
}

/// Settings with every rule and notice at its default severity, no config: what
/// `corbel check --no-config` uses, and what tests start from.
pub fn default_settings(root: std::path::PathBuf) -> corbel_engine::Settings {
    let metas = all_metas();
    corbel_engine::Settings {
        rules: all_rules().to_vec(),
        project_rules: all_project_rules().to_vec(),
        severities: metas.iter().map(|m| (m.id, m.default_severity)).collect(),
        known_ids: metas.iter().map(|m| m.id).collect(),
        exclude: None,
        per_file_ignores: Vec::new(),
        project_root: root.clone(),
        report_root: root,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        include_suppressed: false,
        cache_dir: None,
        rule_options: std::collections::BTreeMap::new(),
    }
}
