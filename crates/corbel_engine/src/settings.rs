//! The resolved settings one run works with (the CLI builds them from flags and config).

use crate::diagnostic::Severity;
use crate::rule::{ProjectRule, Rule};
use globset::{GlobMatcher, GlobSet};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Notices the engine itself reports; their metadata and docs live with the rules.
pub const PARSE_ERROR: &str = "parse-error";
pub const BLANKET_SUPPRESSION: &str = "blanket-suppression";
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

pub struct Settings {
    /// Enabled syntax rules, in registry order.
    pub rules: Vec<&'static dyn Rule>,
    /// Enabled project rules, run once after every file.
    pub project_rules: Vec<&'static dyn ProjectRule>,
    /// Severity of every enabled id, rules and engine notices alike.
    pub severities: BTreeMap<&'static str, Severity>,
    /// Every rule id corbel knows, enabled or not (to tell unknown ids in suppressions).
    pub known_ids: BTreeSet<&'static str>,
    pub exclude: Option<GlobSet>,
    /// `[per-file-ignores]`: files matching the glob skip these rule ids.
    pub per_file_ignores: Vec<(GlobMatcher, BTreeSet<String>)>,
    /// Where config globs and report paths are relative to.
    pub project_root: PathBuf,
    /// Report paths relative to this directory (the git work tree, else the cwd).
    pub report_root: PathBuf,
    pub threads: usize,
    /// Keep suppressed findings in the result, marked as such.
    pub include_suppressed: bool,
    /// Where the result cache lives; `None` runs without one.
    pub cache_dir: Option<PathBuf>,
    /// Rule id → option → values, from `[rules.<id>]` tables.
    pub rule_options: BTreeMap<&'static str, BTreeMap<&'static str, Vec<String>>>,
}

impl Settings {
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.severities.get(id).copied()
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.severities.contains_key(id)
    }
}
