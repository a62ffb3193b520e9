//! The result cache: what linting a file produced (findings and project facts), keyed by
//! the file's content hash, so an unchanged file is never parsed twice.
//!
//! Layout: `<dir>/<corbel version>/<settings key>/<path hash>.json`. The settings key
//! covers everything that changes results (enabled rules, severities and options,
//! per-file ignores, `--include-suppressed`, the report root, and the executable's size
//! and timestamp, so a rebuild with changed rules starts afresh), so a changed config or
//! a new corbel version starts an empty directory and the stale ones are removed. Each entry is
//! written to a temporary file and renamed into place; its first line is a checksum of
//! the rest, so a corrupt or half-written entry is detected and rebuilt, never trusted.

use crate::diagnostic::{Diagnostic, Location, Position, Related, Severity, Span, Suppression};
use crate::fact::Fact;
use crate::fingerprint::fnv1a;
use crate::settings::Settings;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped when the entry format changes, or what is stored in it (such as the
/// fingerprint recipe).
const FORMAT: u32 = 2;

pub struct Cache {
    dir: PathBuf,
}

/// A cached file outcome.
pub struct Hit {
    pub diagnostics: Vec<Diagnostic>,
    pub facts: Vec<Fact>,
}

impl Cache {
    /// Opens (creating) the cache directory for these settings under `root`, removing
    /// directories left by other versions or settings. `None` when it cannot be created:
    /// the run then simply goes without a cache.
    pub fn open(root: &Path, settings: &Settings) -> Option<Cache> {
        let version_dir = root.join(env!("CARGO_PKG_VERSION"));
        let dir = version_dir.join(settings_key(settings));
        std::fs::create_dir_all(&dir).ok()?;
        // Keep the cache out of version control, as ruff and pytest do.
        let ignore = root.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(&ignore, "# created by corbel\n*\n");
        }
        for stale in [root, version_dir.as_path()] {
            remove_other_dirs(stale, &dir);
        }
        Some(Cache { dir })
    }

    fn entry_path(&self, report_path: &str) -> PathBuf {
        self.dir
            .join(format!("{:016x}.json", fnv1a(&[report_path])))
    }

    /// The cached outcome for this file and content, if any and intact.
    pub fn load(&self, report_path: &str, content: &str, settings: &Settings) -> Option<Hit> {
        let text = std::fs::read_to_string(self.entry_path(report_path)).ok()?;
        let (checksum, payload) = text.split_once('\n')?;
        if checksum != format!("{:016x}", fnv1a(&[payload])) {
            return None;
        }
        let entry: Entry = serde_json::from_str(payload).ok()?;
        if entry.format != FORMAT || entry.path != report_path || entry.content != content {
            return None;
        }
        let intern = |id: &str| settings.known_ids.get(id).copied();
        let diagnostics = entry
            .diagnostics
            .into_iter()
            .map(|d| d.restore(report_path, &intern))
            .collect::<Option<Vec<_>>>()?;
        let facts = entry
            .facts
            .into_iter()
            .map(|f| f.restore(report_path, &intern))
            .collect::<Option<Vec<_>>>()?;
        Some(Hit { diagnostics, facts })
    }

    /// Records a file's outcome. Failures are ignored: the cache is an optimisation.
    pub fn store(
        &self,
        report_path: &str,
        content: &str,
        diagnostics: &[Diagnostic],
        facts: &[Fact],
    ) {
        let entry = Entry {
            format: FORMAT,
            path: report_path.to_string(),
            content: content.to_string(),
            diagnostics: diagnostics.iter().map(CachedDiagnostic::from).collect(),
            facts: facts.iter().map(CachedFact::from).collect(),
        };
        let Ok(payload) = serde_json::to_string(&entry) else {
            return;
        };
        let text = format!("{:016x}\n{payload}", fnv1a(&[&payload]));
        let path = self.entry_path(report_path);
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&temporary, text).is_ok() && std::fs::rename(&temporary, &path).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// Content hash: two independent 64-bit FNV-1a passes (the cache is not adversarial).
pub fn content_hash(bytes: &[u8]) -> String {
    let mut forward: u64 = 0xcbf2_9ce4_8422_2325;
    let mut seeded: u64 = 0x8422_2325_cbf2_9ce4;
    for &byte in bytes {
        forward = (forward ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        seeded = (seeded ^ u64::from(byte))
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(5);
    }
    format!("{forward:016x}{seeded:016x}{:x}", bytes.len())
}

/// The running executable's size and modification time: a rebuilt corbel with changed
/// rules but the same version number must not read the old build's results.
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|meta| {
            let modified = meta
                .modified()
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |age| age.as_nanos());
            format!("{}:{modified}", meta.len())
        })
        .unwrap_or_default()
}

/// Everything in the settings (and the build) that changes what a file produces.
fn settings_key(settings: &Settings) -> String {
    let severities: Vec<String> = settings
        .severities
        .iter()
        .map(|(id, severity)| format!("{id}={severity}"))
        .collect();
    let per_file_ignores: Vec<String> = settings
        .per_file_ignores
        .iter()
        .map(|(glob, ids)| format!("{}={ids:?}", glob.glob().glob()))
        .collect();
    let root = settings.report_root.to_string_lossy();
    let project = settings.project_root.to_string_lossy();
    let include = settings.include_suppressed.to_string();
    let options = format!("{:?}", settings.rule_options);
    let build = build_identity();
    format!(
        "{:016x}",
        fnv1a(&[
            &severities.join(","),
            &per_file_ignores.join(","),
            &root,
            &project,
            &include,
            &options,
            &build,
        ])
    )
}

fn remove_other_dirs(parent: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && !keep.starts_with(&path) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    path: String,
    content: String,
    diagnostics: Vec<CachedDiagnostic>,
    facts: Vec<CachedFact>,
}

#[derive(Serialize, Deserialize)]
struct CachedLocation {
    path: String,
    span: (usize, usize),
    /// (line, column, UTF-16 column) of start and end.
    start: (usize, usize, usize),
    end: (usize, usize, usize),
}

impl From<&Location> for CachedLocation {
    fn from(location: &Location) -> Self {
        let position = |p: &Position| (p.line, p.column, p.column_utf16);
        CachedLocation {
            path: location.path.clone(),
            span: (location.span.start, location.span.end),
            start: position(&location.start),
            end: position(&location.end),
        }
    }
}

impl CachedLocation {
    fn restore(self) -> Location {
        let position = |(line, column, column_utf16)| Position {
            line,
            column,
            column_utf16,
        };
        Location {
            path: self.path,
            span: Span::new(self.span.0, self.span.1),
            start: position(self.start),
            end: position(self.end),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct CachedSuppression {
    reason: Option<String>,
    file_level: bool,
}

impl CachedSuppression {
    fn of(suppression: &Option<Suppression>) -> Option<CachedSuppression> {
        suppression.as_ref().map(|s| CachedSuppression {
            reason: s.reason.clone(),
            file_level: s.file_level,
        })
    }

    fn restore(this: Option<CachedSuppression>) -> Option<Suppression> {
        this.map(|s| Suppression {
            reason: s.reason,
            file_level: s.file_level,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CachedDiagnostic {
    rule: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    location: CachedLocation,
    related: Vec<(CachedLocation, String)>,
    fingerprint: String,
    suppression: Option<CachedSuppression>,
}

impl From<&Diagnostic> for CachedDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        CachedDiagnostic {
            rule: d.rule.to_string(),
            severity: d.severity,
            message: d.message.clone(),
            help: d.help.clone(),
            location: CachedLocation::from(&d.location),
            related: d
                .related
                .iter()
                .map(|r| (CachedLocation::from(&r.location), r.message.clone()))
                .collect(),
            fingerprint: d.fingerprint.clone(),
            suppression: CachedSuppression::of(&d.suppression),
        }
    }
}

impl CachedDiagnostic {
    fn restore(
        self,
        path: &str,
        intern: &dyn Fn(&str) -> Option<&'static str>,
    ) -> Option<Diagnostic> {
        let location = self.location.restore();
        if location.path != path {
            return None;
        }
        Some(Diagnostic {
            rule: intern(&self.rule)?,
            severity: self.severity,
            message: self.message,
            help: self.help,
            location,
            related: self
                .related
                .into_iter()
                .map(|(location, message)| Related {
                    location: location.restore(),
                    message,
                })
                .collect(),
            fingerprint: self.fingerprint,
            suppression: CachedSuppression::restore(self.suppression),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CachedFact {
    rule: String,
    kind: String,
    location: CachedLocation,
    values: BTreeMap<String, String>,
    suppression: Option<CachedSuppression>,
    is_test_file: bool,
    occurrence: usize,
}

impl From<&Fact> for CachedFact {
    fn from(f: &Fact) -> Self {
        CachedFact {
            rule: f.rule.to_string(),
            kind: f.kind.clone(),
            location: CachedLocation::from(&f.location),
            values: f.values.clone(),
            suppression: CachedSuppression::of(&f.suppression),
            is_test_file: f.is_test_file,
            occurrence: f.occurrence,
        }
    }
}

impl CachedFact {
    fn restore(self, path: &str, intern: &dyn Fn(&str) -> Option<&'static str>) -> Option<Fact> {
        let location = self.location.restore();
        if location.path != path {
            return None;
        }
        Some(Fact {
            rule: intern(&self.rule)?,
            kind: self.kind,
            location,
            values: self.values,
            suppression: CachedSuppression::restore(self.suppression),
            is_test_file: self.is_test_file,
            occurrence: self.occurrence,
        })
    }
}
