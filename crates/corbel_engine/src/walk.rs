//! Finds the files to lint: a parallel, `.gitignore`-aware walk plus corbel's skip list.

use crate::language::Grammar;
use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories never walked into: dependencies, virtualenvs, build output, caches.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "site-packages",
    "dist",
    "build",
    "__pycache__",
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

/// Generated, minified bundles: not code anyone maintains by hand.
/// Type declarations hold no code that runs, so no rule can fire in them.
const SKIPPED_SUFFIXES: &[&str] = &[
    ".min.js", ".min.mjs", ".min.cjs", ".d.ts", ".d.mts", ".d.cts",
];

/// Where excludes are matched from.
pub struct WalkOptions<'a> {
    /// Ignore files are honoured for explicit paths up to this directory (the git work
    /// tree, else the current directory).
    pub ignore_root: &'a Path,
    /// Config `exclude` globs, matched against paths relative to `exclude_root` and
    /// against bare file and directory names.
    pub exclude: Option<&'a GlobSet>,
    pub exclude_root: &'a Path,
    pub threads: usize,
}

#[derive(Debug, Default)]
pub struct WalkOutcome {
    /// Files to lint, sorted and deduplicated.
    pub files: Vec<PathBuf>,
    /// Paths given on the command line that do not exist or cannot be read (exit 2).
    pub fatal: Vec<String>,
    /// Problems met while walking (unreadable directories, symlink loops), for stderr.
    pub warnings: Vec<String>,
}

fn is_skipped_name(name: &OsStr, is_dir: bool) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    if is_dir {
        SKIPPED_DIRS.contains(&name)
    } else {
        SKIPPED_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
    }
}

/// Whether config `exclude` leaves `path` out.
pub fn is_excluded(path: &Path, options: &WalkOptions<'_>) -> bool {
    let Some(exclude) = options.exclude else {
        return false;
    };
    let absolute = absolutize(path);
    let relative = absolute
        .strip_prefix(options.exclude_root)
        .unwrap_or(&absolute);
    exclude.is_match(relative) || path.file_name().is_some_and(|name| exclude.is_match(name))
}

/// `path` made absolute against the current directory, without resolving symlinks.
pub fn absolutize(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cwd) => cwd.join(path),
        Err(_) => path.to_path_buf(),
    }
}

fn builder(root: &Path, options: &WalkOptions<'_>) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(true)
        .require_git(false)
        .follow_links(false)
        .threads(options.threads);
    builder
}

/// Walks `paths` (files or directories) and returns the files corbel lints.
pub fn collect_files(paths: &[PathBuf], options: &WalkOptions<'_>) -> WalkOutcome {
    let mut outcome = WalkOutcome::default();
    let found: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    let warnings: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut explicit_files: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();

    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) => {
                outcome
                    .fatal
                    .push(format!("{}: {}", path.display(), describe_io_error(&error)));
                continue;
            }
        };
        if metadata.is_file() {
            if Grammar::from_path(path).is_some() && !is_excluded(path, options) {
                let parent = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                explicit_files
                    .entry(parent)
                    .or_default()
                    .insert(path.clone());
            }
            continue;
        }
        if is_excluded(path, options) && path.parent().is_some() && path != Path::new(".") {
            continue;
        }
        if !Visibility::new(options).is_visible(path) {
            continue;
        }
        walk_directory(path, options, &found, &warnings);
    }

    let mut visibility = Visibility::new(options);
    for file in explicit_files.into_values().flatten() {
        let in_skipped_dir = file.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|s| SKIPPED_DIRS.contains(&s))
        });
        if !in_skipped_dir
            && !is_skipped_name(file.as_os_str(), false)
            && visibility.is_visible(&file)
        {
            if let Ok(mut found) = found.lock() {
                found.insert(file);
            }
        }
    }

    outcome.files = found.into_inner().unwrap_or_default().into_iter().collect();
    outcome.warnings = warnings.into_inner().unwrap_or_default();
    outcome.warnings.sort();
    outcome
}

fn walk_directory(
    root: &Path,
    options: &WalkOptions<'_>,
    found: &Mutex<BTreeSet<PathBuf>>,
    warnings: &Mutex<Vec<String>>,
) {
    let mut builder = builder(root, options);
    let exclude_root = options.exclude_root.to_path_buf();
    let exclude = options.exclude.cloned();
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_skipped_name(entry.file_name(), is_dir) {
            return false;
        }
        let excluded = exclude.as_ref().is_some_and(|exclude| {
            let absolute = absolutize(entry.path());
            let relative = absolute.strip_prefix(&exclude_root).unwrap_or(&absolute);
            exclude.is_match(relative) || exclude.is_match(entry.file_name())
        });
        !excluded
    });
    builder.build_parallel().run(|| {
        Box::new(|result| {
            match result {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    // A directory named `x.py` has a source extension but is not a file.
                    if is_file && Grammar::from_path(entry.path()).is_some() {
                        if let Ok(mut found) = found.lock() {
                            found.insert(entry.into_path());
                        }
                    }
                }
                Err(error) => {
                    if let Ok(mut warnings) = warnings.lock() {
                        warnings.push(describe_walk_error(&error));
                    }
                }
            }
            WalkState::Continue
        })
    });
}

fn describe_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

fn describe_walk_error(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { path, err } => {
            format!("skipped {}: {}", path.display(), describe_walk_error(err))
        }
        ignore::Error::WithDepth { err, .. } => describe_walk_error(err),
        ignore::Error::Loop { child, .. } => {
            format!("skipped {}: symbolic link loop", child.display())
        }
        ignore::Error::Io(error) => describe_io_error(error),
        other => other.to_string(),
    }
}

/// Whether explicitly given paths would be seen by a walk from the ignore root: each of
/// the path and its ancestors below that root must survive `.gitignore`, `.ignore` and
/// git excludes when its parent directory is listed. Pre-commit passes every staged file
/// by name, so ignored files must stay ignored.
struct Visibility<'a> {
    options: &'a WalkOptions<'a>,
    ignore_root: PathBuf,
    /// Directory → the entries a one-level walk of it yields.
    listings: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

impl<'a> Visibility<'a> {
    fn new(options: &'a WalkOptions<'a>) -> Visibility<'a> {
        Visibility {
            options,
            ignore_root: normalize(&absolutize(options.ignore_root)),
            listings: BTreeMap::new(),
        }
    }

    fn is_visible(&mut self, path: &Path) -> bool {
        let mut current = normalize(&absolutize(path));
        loop {
            if current == self.ignore_root {
                return true;
            }
            let Some(parent) = current.parent().map(Path::to_path_buf) else {
                return true;
            };
            if !self.listing(&parent).contains(&current) {
                return false;
            }
            if !parent.starts_with(&self.ignore_root) {
                // Outside the work tree only the path's own directory's rules apply.
                return true;
            }
            current = parent;
        }
    }

    fn listing(&mut self, directory: &Path) -> &BTreeSet<PathBuf> {
        let options = self.options;
        self.listings
            .entry(directory.to_path_buf())
            .or_insert_with(|| {
                let mut builder = builder(directory, options);
                builder.max_depth(Some(1)).hidden(false);
                builder
                    .build()
                    .flatten()
                    .filter(|entry| entry.depth() == 1)
                    .map(|entry| normalize(entry.path()))
                    .collect()
            })
    }
}

/// Drops `.` components so paths compare equal however they were spelled.
fn normalize(path: &Path) -> PathBuf {
    path.components().collect()
}
