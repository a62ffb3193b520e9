//! Flags and config → the engine's [`Settings`]. Precedence: command-line flags, then
//! the config file, then each rule's defaults. `--select` replaces the config's
//! `select`; `--ignore` adds to the config's `ignore`; `--fail-on` replaces `fail-on`.

use crate::args::CheckArgs;
use crate::config::{Config, Level};
use crate::error::CliError;
use crate::globs;
use crate::select::{self, Selector};
use corbel_engine::{RuleMeta, Settings, Severity};
use globset::{GlobMatcher, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Everything a `check` run needs besides its input.
pub struct Resolved {
    pub settings: Settings,
    pub fail_on: Severity,
    /// Every enabled rule and notice, sorted by id.
    pub enabled: Vec<&'static RuleMeta>,
}

pub fn resolve(args: &CheckArgs, config: &Config, cwd: &Path) -> Result<Resolved, CliError> {
    let cli_select = args
        .select
        .as_deref()
        .map(|words| parse_flag("--select", words))
        .transpose()?;
    let cli_ignore = parse_flag("--ignore", &args.ignore)?;

    let severities = severities(
        cli_select.as_deref().or(config.select.as_deref()),
        &[config.ignore.as_slice(), cli_ignore.as_slice()].concat(),
        &config.levels,
    );
    let rules = corbel_rules::all_rules()
        .iter()
        .copied()
        .filter(|rule| severities.contains_key(rule.meta().id))
        .collect();
    let project_rules = corbel_rules::all_project_rules()
        .iter()
        .copied()
        .filter(|rule| severities.contains_key(rule.meta().id))
        .collect();
    let enabled = corbel_rules::all_metas()
        .into_iter()
        .filter(|meta| severities.contains_key(meta.id))
        .collect();

    let project_root = config.root().unwrap_or(cwd).to_path_buf();
    let report_root = git_work_tree(cwd).unwrap_or_else(|| cwd.to_path_buf());
    let cache_dir = match (&args.cache_dir, args.no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(cwd.join(dir)),
        (None, false) => Some(project_root.join(".corbel_cache")),
    };
    let settings = Settings {
        rules,
        project_rules,
        severities,
        known_ids: corbel_rules::all_metas()
            .iter()
            .map(|meta| meta.id)
            .collect(),
        exclude: exclude(&config.exclude)?,
        per_file_ignores: per_file_ignores(config)?,
        project_root,
        report_root,
        threads: args
            .threads
            .map(usize::from)
            .unwrap_or_else(default_threads),
        include_suppressed: args.include_suppressed,
        cache_dir,
        rule_options: config.rule_options.clone(),
    };
    Ok(Resolved {
        settings,
        fail_on: args
            .fail_on
            .map(Severity::from)
            .or(config.fail_on)
            .unwrap_or(Severity::Warning),
        enabled,
    })
}

/// The words of `--select` or `--ignore`; empty words (`a,,b`, a trailing comma) are
/// skipped.
fn parse_flag(flag: &str, words: &[String]) -> Result<Vec<Selector>, CliError> {
    words
        .iter()
        .map(|word| word.trim())
        .filter(|word| !word.is_empty())
        .map(|word| {
            Selector::parse(word).map_err(|unknown| {
                CliError::new(format!("unknown rule or category `{word}` in {flag}"))
                    .with_help(unknown.help())
            })
        })
        .collect()
}

/// The severity of every enabled rule and notice.
///
/// `select` chooses among rules (default: all). The engine's notices (`parse-error`,
/// `blanket-suppression`, `unused-suppression`) stay on whatever `select` says, because
/// they tell whether the other findings can be trusted; `ignore` or `severity = "off"`
/// turn them off like any rule.
fn severities(
    select: Option<&[Selector]>,
    ignore: &[Selector],
    levels: &BTreeMap<&'static str, Level>,
) -> BTreeMap<&'static str, Severity> {
    let selected = select.map(select::expand);
    // Preview rules run only when named by id, never through a category or `all`.
    let named: BTreeSet<&str> = select
        .unwrap_or_default()
        .iter()
        .filter_map(|selector| match selector {
            Selector::Rule(meta) => Some(meta.id),
            _ => None,
        })
        .collect();
    let ignored = select::expand(ignore);
    let notices: BTreeSet<&str> = corbel_rules::notices().iter().map(|meta| meta.id).collect();
    corbel_rules::all_metas()
        .into_iter()
        .filter(|meta| {
            let chosen = notices.contains(meta.id)
                || (selected
                    .as_ref()
                    .is_none_or(|selected| selected.contains(meta.id))
                    && (!corbel_rules::is_preview(meta.id) || named.contains(meta.id)));
            chosen && !ignored.contains(meta.id)
        })
        .filter_map(|meta| match levels.get(meta.id) {
            Some(Level::Off) => None,
            Some(Level::On(severity)) => Some((meta.id, *severity)),
            None => Some((meta.id, meta.default_severity)),
        })
        .collect()
}

/// Config `exclude`, matched by the engine against paths relative to the config file's
/// directory (and against bare names, which the expansion already covers).
fn exclude(patterns: &[String]) -> Result<Option<GlobSet>, CliError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        for glob in globs::expand(pattern, "") {
            builder.add(compile(pattern, &glob)?);
        }
    }
    builder
        .build()
        .map(Some)
        .map_err(|error| CliError::new(format!("invalid exclude globs: {error}")))
}

/// `[per-file-ignores]`, matched by the engine against paths relative to the config
/// file's directory.
fn per_file_ignores(config: &Config) -> Result<Vec<(GlobMatcher, BTreeSet<String>)>, CliError> {
    // The engine matches these against paths relative to the config file's directory.
    let anchor = "";
    let mut matchers = Vec::new();
    for (pattern, selectors) in &config.per_file_ignores {
        let ids: BTreeSet<String> = select::expand(selectors)
            .into_iter()
            .map(str::to_string)
            .collect();
        for glob in globs::expand(pattern, anchor) {
            matchers.push((compile(pattern, &glob)?.compile_matcher(), ids.clone()));
        }
    }
    Ok(matchers)
}

fn compile(pattern: &str, glob: &str) -> Result<globset::Glob, CliError> {
    globs::compile(glob)
        .map_err(|error| CliError::new(format!("invalid glob `{pattern}`: {}", error.kind())))
}

/// The enclosing git work tree: the nearest ancestor holding `.git` (a directory, or a
/// file in worktrees and submodules).
fn git_work_tree(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
}
