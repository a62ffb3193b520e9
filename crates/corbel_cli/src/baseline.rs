//! Baselines: `--write-baseline FILE` records the current findings; `--baseline FILE`
//! reports only findings that are not in it, so a legacy codebase can adopt corbel and
//! still fail on every new finding.
//!
//! A finding matches an entry by (rule, path, fingerprint); the fingerprint does not
//! depend on line numbers (see `corbel_engine::fingerprint`). The message is stored
//! for people reading the file, not for matching. The file is JSON, sorted, so it is
//! byte-identical for identical findings and diffs well in review.

use crate::error::CliError;
use corbel_engine::fingerprint::RECIPE;
use corbel_engine::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The baseline file format.
const VERSION: u64 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u64,
    /// The fingerprint recipe the entries were computed with.
    fingerprints: String,
    findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
    pub message: String,
}

impl Entry {
    fn key(&self) -> (&str, &str, &str) {
        (&self.rule, &self.path, &self.fingerprint)
    }
}

/// A loaded baseline.
pub struct Baseline {
    path: PathBuf,
    entries: Vec<Entry>,
}

/// What applying a baseline did.
pub struct Applied {
    /// Entries that this run could have matched (their rule ran on their file) but did
    /// not: the finding was fixed, or its code changed.
    pub stale: usize,
    /// The entries `--prune-baseline` keeps: every entry but the stale ones.
    keep: Vec<Entry>,
}

fn key(d: &Diagnostic) -> (&str, &str, &str) {
    (d.rule, &d.location.path, &d.fingerprint)
}

/// Reads and checks a baseline file; a missing or invalid file is an error (exit 2).
pub fn load(path: &Path) -> Result<Baseline, CliError> {
    let help = format!(
        "record one with `corbel check --write-baseline {}`",
        path.display()
    );
    let text = std::fs::read_to_string(path).map_err(|error| {
        let reason = match error.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => error.to_string(),
        };
        CliError::new(format!("cannot read baseline {}: {reason}", path.display()))
            .with_help(help.clone())
    })?;
    let invalid = |reason: String| {
        CliError::new(format!(
            "{} is not a valid corbel baseline: {reason}",
            path.display()
        ))
        .with_help(help.clone())
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| invalid(error.to_string()))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(VERSION) => {}
        Some(other) => {
            return Err(invalid(format!(
                "it has format version {other}, and this corbel reads version {VERSION}"
            )))
        }
        None => return Err(invalid("it has no `version`".to_string())),
    }
    let file: File = serde_json::from_value(value).map_err(|error| invalid(error.to_string()))?;
    if file.fingerprints != RECIPE {
        return Err(CliError::new(format!(
            "baseline {} was written with finding identities `{}`, and this corbel computes `{RECIPE}`, so none of its entries can match",
            path.display(),
            file.fingerprints
        ))
        .with_help(format!(
            "record it again with `corbel check --write-baseline {}` (from a checkout where the findings in it are still accepted)",
            path.display()
        )));
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        entries: file.findings,
    })
}

/// Writes the unsuppressed findings of a run as a baseline; returns how many.
pub fn write(path: &Path, diagnostics: &[Diagnostic]) -> Result<usize, CliError> {
    let entries: BTreeSet<Entry> = diagnostics
        .iter()
        .filter(|d| d.suppression.is_none())
        .map(|d| Entry {
            rule: d.rule.to_string(),
            path: d.location.path.clone(),
            fingerprint: d.fingerprint.clone(),
            message: d.message.clone(),
        })
        .collect();
    let count = entries.len();
    save(path, entries.into_iter().collect())?;
    Ok(count)
}

/// Writes entries sorted (path, rule, fingerprint), via a temporary file and a rename, so
/// an interrupted write never leaves half a baseline.
fn save(path: &Path, mut entries: Vec<Entry>) -> Result<(), CliError> {
    entries.sort_by(|a, b| {
        (&a.path, &a.rule, &a.fingerprint, &a.message).cmp(&(
            &b.path,
            &b.rule,
            &b.fingerprint,
            &b.message,
        ))
    });
    entries.dedup();
    let file = File {
        version: VERSION,
        fingerprints: RECIPE.to_string(),
        findings: entries,
    };
    let mut text = serde_json::to_string_pretty(&file)
        .map_err(|error| CliError::new(format!("cannot render the baseline: {error}")))?;
    text.push('\n');
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "baseline".to_string());
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    let failed =
        |error: std::io::Error| CliError::new(format!("cannot write {}: {error}", path.display()));
    std::fs::write(&temporary, text).map_err(failed)?;
    std::fs::rename(&temporary, path).map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        failed(error)
    })
}

impl Baseline {
    /// Removes the findings the baseline has from `diagnostics`. `in_scope` tells
    /// whether this run could have reproduced an entry (its rule ran on its file), so
    /// entries of files or rules outside the run are never counted as stale.
    pub fn apply(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
        in_scope: impl Fn(&Entry) -> bool,
    ) -> Applied {
        let recorded: BTreeSet<(&str, &str, &str)> = self.entries.iter().map(Entry::key).collect();
        let found: BTreeSet<(&str, &str, &str)> = diagnostics.iter().map(key).collect();
        let (keep, stale): (Vec<&Entry>, Vec<&Entry>) = self
            .entries
            .iter()
            .partition(|entry| found.contains(&entry.key()) || !in_scope(entry));
        let keep = keep.into_iter().cloned().collect();
        diagnostics.retain(|d| d.suppression.is_some() || !recorded.contains(&key(d)));
        Applied {
            stale: stale.len(),
            keep,
        }
    }

    /// `--prune-baseline`: rewrites the file without its stale entries.
    pub fn prune(&self, applied: Applied) -> Result<(), CliError> {
        save(&self.path, applied.keep)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
