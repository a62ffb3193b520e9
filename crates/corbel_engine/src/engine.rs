//! One lint run: walk, then per file on rayon: read, prefilter, parse, semantic model,
//! rules, suppressions; then sort. Files are independent, so output is deterministic.

use crate::cache::{content_hash, Cache};
use crate::diagnostic::{Diagnostic, Location, Severity, Span};
use crate::fact::Fact;
use crate::fingerprint::fingerprint;
use crate::generated::{has_content_hash, is_generated_javascript};
use crate::language::{Family, Grammar};
use crate::line_index::LineIndex;
use crate::prefilter::{Activation, Prefilter};
use crate::project::Project;
use crate::rule::{ProjectContext, RawDiagnostic, RuleContext};
use crate::semantic::{walk_preorder, Semantic};
use crate::settings::{Settings, PARSE_ERROR};
use crate::source_encoding::decode_source;
use crate::suppress::{apply_suppressions, SuppressionOutcome};
use crate::walk::{absolutize, collect_files, is_excluded, WalkOptions};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tree_sitter::{Node, Parser, Tree};

/// Files above this size are skipped with a warning: generated bundles, not hand-written code.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What to lint.
pub enum Input {
    Paths(Vec<PathBuf>),
    /// Source read from stdin, reported under `name`.
    Stdin {
        name: PathBuf,
        source: Vec<u8>,
    },
    /// Like `Paths`, but a file whose report path (relative to the report root,
    /// `/`-separated) is a key of `contents` is linted with that content instead of what
    /// is on disk (`--staged` lints what the git index holds). Such a file that is not on
    /// disk is linted too when it lies under one of `paths` and is not excluded.
    Overlay {
        paths: Vec<PathBuf>,
        contents: BTreeMap<String, Vec<u8>>,
    },
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct RunResult {
    /// Sorted by (path, line, column, rule).
    pub diagnostics: Vec<Diagnostic>,
    /// Source text of every file with a finding, for reporters that show snippets.
    pub sources: BTreeMap<String, Arc<str>>,
    pub files_walked: usize,
    pub files_parsed: usize,
    /// For each enabled rule, the linted files its triggers let through the prefilter.
    pub rule_files: BTreeMap<&'static str, usize>,
    /// Report paths of every file walked (linted or not), sorted.
    pub paths: Vec<String>,
    /// Paths and reasons for files corbel could not lint (for stderr).
    pub skipped: Vec<String>,
    /// Explicitly requested paths that could not be used: the run failed (exit 2).
    pub fatal: Vec<String>,
    /// Bundled or minified JavaScript that was not linted.
    pub generated: Vec<String>,
    /// Sites recorded for project rules, sorted by location.
    pub facts: Vec<Fact>,
    pub timings: Timings,
}

/// Where a run's time went. Walk and project pass are wall time; the per-file phases
/// are summed over worker threads, so they can add up to more than the wall time.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Timings {
    pub walk: Duration,
    pub read: Duration,
    pub prefilter: Duration,
    pub parse: Duration,
    /// Building the semantic model and running the rules.
    pub rules: Duration,
    /// Per-file ignores, inline suppressions, positions and fingerprints.
    pub suppressions: Duration,
    /// Hashing contents, loading and storing result cache entries.
    pub cache: Duration,
    pub project: Duration,
}

impl std::ops::AddAssign for Timings {
    fn add_assign(&mut self, other: Timings) {
        self.walk += other.walk;
        self.read += other.read;
        self.prefilter += other.prefilter;
        self.parse += other.parse;
        self.rules += other.rules;
        self.suppressions += other.suppressions;
        self.cache += other.cache;
        self.project += other.project;
    }
}

/// Runs `work`, adding its duration to `slot`.
fn timed<T>(slot: &mut Duration, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = work();
    *slot += start.elapsed();
    value
}

struct FileOutcome {
    path: String,
    diagnostics: Vec<Diagnostic>,
    source: Option<Arc<str>>,
    parsed: bool,
    skipped: Option<String>,
    generated: bool,
    facts: Vec<Fact>,
    timings: Timings,
    /// Indices of the rules the prefilter let through for this file.
    activated: Vec<usize>,
}

/// Per-run tables shared by all worker threads.
struct Run<'s> {
    settings: &'s Settings,
    cache: Option<Cache>,
    prefilters: [Prefilter; 2],
    /// For each grammar: node kind id → indices of enabled rules that visit it.
    dispatch: [Vec<Vec<usize>>; 3],
}

impl<'s> Run<'s> {
    fn new(settings: &'s Settings) -> Run<'s> {
        let prefilters = [
            Prefilter::new(&settings.rules, Family::Python),
            Prefilter::new(&settings.rules, Family::JavaScript),
        ];
        let dispatch = Grammar::ALL.map(|grammar| {
            let language = grammar.ts_language();
            let mut table: Vec<Vec<usize>> = vec![Vec::new(); language.node_kind_count()];
            for (index, rule) in settings.rules.iter().enumerate() {
                for kind in rule.node_kinds(grammar.family()) {
                    for id in kind_ids(&language, kind) {
                        if let Some(slot) = table.get_mut(usize::from(id)) {
                            slot.push(index);
                        }
                    }
                }
            }
            table
        });
        Run {
            settings,
            cache: settings
                .cache_dir
                .as_deref()
                .and_then(|dir| Cache::open(dir, settings)),
            prefilters,
            dispatch,
        }
    }
}

/// Every id a named node kind has in a grammar (some kinds have aliases with several ids).
fn kind_ids(language: &tree_sitter::Language, kind: &str) -> Vec<u16> {
    let count = u16::try_from(language.node_kind_count()).unwrap_or(u16::MAX);
    (0..count)
        .filter(|&id| {
            language.node_kind_is_named(id) && language.node_kind_for_id(id) == Some(kind)
        })
        .collect()
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 3]> = const { RefCell::new([None, None, None]) };
}

fn parse(grammar: Grammar, source: &str) -> Option<Tree> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let slot = &mut parsers[grammar.index()];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&grammar.ts_language()).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(source, None)
    })
}

/// Lints `input` with `settings`.
pub fn run(input: Input, settings: &Settings) -> RunResult {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build();
    match pool {
        Ok(pool) => pool.install(|| run_in_pool(input, settings)),
        Err(_) => run_in_pool(input, settings),
    }
}

fn run_in_pool(input: Input, settings: &Settings) -> RunResult {
    let run = Run::new(settings);
    let mut result = RunResult::default();
    let outcomes: Vec<FileOutcome> = match input {
        Input::Stdin { name, source } => {
            result.files_walked = 1;
            match Grammar::from_path(&name) {
                Some(grammar) => {
                    let mut timings = Timings::default();
                    let mut outcome = lint_bytes(&run, &name, grammar, source, &mut timings);
                    outcome.timings = timings;
                    vec![outcome]
                }
                None => {
                    result.fatal.push(format!(
                        "{}: cannot tell the language from this name; use a .py, .ts, .tsx, .js or .jsx name",
                        name.display()
                    ));
                    Vec::new()
                }
            }
        }
        Input::Paths(paths) => lint_paths(&run, &paths, BTreeMap::new(), &mut result),
        Input::Overlay { paths, contents } => lint_paths(&run, &paths, contents, &mut result),
    };
    for outcome in outcomes {
        result.paths.push(outcome.path.clone());
        result.timings += outcome.timings;
        result.files_parsed += usize::from(outcome.parsed);
        for &index in &outcome.activated {
            if let Some(rule) = settings.rules.get(index) {
                *result.rule_files.entry(rule.meta().id).or_default() += 1;
            }
        }
        if let Some(reason) = outcome.skipped {
            result.skipped.push(reason);
        }
        if outcome.generated {
            result.generated.push(outcome.path.clone());
        }
        if let Some(source) = outcome.source {
            result.sources.insert(outcome.path, source);
        }
        result.diagnostics.extend(outcome.diagnostics);
        result.facts.extend(outcome.facts);
    }
    result.paths.sort();
    result
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    if !settings.project_rules.is_empty() {
        let start = Instant::now();
        let project = Project::new(absolutize(&settings.report_root));
        for rule in &settings.project_rules {
            let mut ctx = ProjectContext {
                project: &project,
                facts: &result.facts,
                diagnostics: &mut result.diagnostics,
                settings,
                rule: rule.meta().id,
            };
            rule.check(&mut ctx);
        }
        result
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        result.timings.project = start.elapsed();
    }
    result
}

/// Walks `paths` and lints every file found, taking a file's content from `contents`
/// (by report path) when it is there.
fn lint_paths(
    run: &Run<'_>,
    paths: &[PathBuf],
    mut contents: BTreeMap<String, Vec<u8>>,
    result: &mut RunResult,
) -> Vec<FileOutcome> {
    let settings = run.settings;
    let options = WalkOptions {
        ignore_root: &settings.report_root,
        exclude: settings.exclude.as_ref(),
        exclude_root: &settings.project_root,
        threads: settings.threads,
    };
    let walk = timed(&mut result.timings.walk, || collect_files(paths, &options));
    result.fatal = walk.fatal;
    result.skipped = walk.warnings;
    let mut jobs: Vec<(PathBuf, Option<Vec<u8>>)> = walk
        .files
        .into_iter()
        .map(|path| {
            let content = if contents.is_empty() {
                None
            } else {
                contents.remove(&report_path(&path, settings))
            };
            (path, content)
        })
        .collect();
    // Overlay files the walk did not find because they are not on disk.
    let roots: Vec<PathBuf> = paths.iter().map(|path| absolutize(path)).collect();
    for (name, bytes) in contents {
        let path = absolutize(&settings.report_root).join(&name);
        let wanted = !path.exists()
            && Grammar::from_path(&path).is_some()
            && roots.iter().any(|root| path.starts_with(root))
            && !is_excluded(&path, &options);
        if wanted {
            jobs.push((path, Some(bytes)));
        }
    }
    result.files_walked = jobs.len();
    // One file per task: the walk's sorted order puts a package's heavy files side by
    // side, and coarser chunks left one thread parsing them while the other idled.
    jobs.into_par_iter()
        .with_max_len(1)
        .map(|(path, content)| lint_path(run, &path, content))
        .collect()
}

fn report_path(path: &Path, settings: &Settings) -> String {
    relative_slash_path(path, &settings.report_root)
}

/// `path` relative to `root` when inside it, `/`-separated.
fn relative_slash_path(path: &Path, root: &Path) -> String {
    let absolute = absolutize(path);
    let Ok(relative) = absolute.strip_prefix(root) else {
        // Outside the root: the absolute path as it is (joining its components would
        // double the leading `/`).
        let text = absolute.to_string_lossy();
        return if std::path::MAIN_SEPARATOR == '\\' {
            text.replace('\\', "/")
        } else {
            text.into_owned()
        };
    };
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

impl FileOutcome {
    /// A file that was not parsed, so it has no findings.
    fn unparsed(path: String) -> FileOutcome {
        FileOutcome {
            path,
            diagnostics: Vec::new(),
            source: None,
            parsed: false,
            skipped: None,
            generated: false,
            facts: Vec::new(),
            timings: Timings::default(),
            activated: Vec::new(),
        }
    }
}

fn skipped(path: String, reason: String) -> FileOutcome {
    FileOutcome {
        skipped: Some(format!("skipped {path}: {reason}")),
        ..FileOutcome::unparsed(path)
    }
}

/// Lints one file: `content` when given, else what is on disk.
fn lint_path(run: &Run<'_>, path: &Path, content: Option<Vec<u8>>) -> FileOutcome {
    let Some(grammar) = Grammar::from_path(path) else {
        return skipped(report_path(path, run.settings), "unknown language".into());
    };
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // A build's content-hashed output (`main.3f9a1c2b.js`) is skipped unread.
    if grammar.family() == Family::JavaScript && has_content_hash(file_name) {
        return FileOutcome {
            generated: true,
            ..FileOutcome::unparsed(report_path(path, run.settings))
        };
    }
    let mut timings = Timings::default();
    let read = timed(&mut timings.read, || match content {
        Some(bytes) => Ok(bytes),
        None => read_limited(path),
    });
    let mut outcome = match read {
        Ok(bytes) => lint_bytes(run, path, grammar, bytes, &mut timings),
        Err(error) => skipped(
            report_path(path, run.settings),
            format!("cannot read: {}", error.kind().to_string().to_lowercase()),
        ),
    };
    outcome.timings = timings;
    outcome
}

/// Reads a file, but at most one byte past the size limit: a multi-gigabyte generated
/// file is skipped without being loaded whole first.
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len() as usize);
    let mut bytes = Vec::with_capacity(size.min(MAX_FILE_BYTES) + 1);
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn lint_bytes(
    run: &Run<'_>,
    path: &Path,
    grammar: Grammar,
    bytes: Vec<u8>,
    timings: &mut Timings,
) -> FileOutcome {
    let prefilter_start = Instant::now();
    let settings = run.settings;
    let report_path = report_path(path, settings);
    if bytes.len() > MAX_FILE_BYTES {
        let reason = format!(
            "larger than the {} MB limit for source files",
            MAX_FILE_BYTES / (1024 * 1024)
        );
        return skipped(report_path, reason);
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return skipped(report_path, "binary file (contains NUL bytes)".into());
    }
    let activation = run.prefilters[grammar.family().index()].activate(&bytes);
    let generated = activation.any_rule
        && grammar.family() == Family::JavaScript
        && is_generated_javascript(&bytes);
    timings.prefilter += prefilter_start.elapsed();
    if generated {
        return FileOutcome {
            generated: true,
            ..FileOutcome::unparsed(report_path)
        };
    }
    if !activation.any_rule && !activation.has_suppression {
        return FileOutcome::unparsed(report_path);
    }
    let activated = (0..activation.rules.len())
        .filter(|&index| activation.rules[index])
        .collect();
    FileOutcome {
        activated,
        ..lint_activated(run, path, report_path, grammar, bytes, &activation, timings)
    }
}

/// Lints a file the prefilter let through: from the cache when it holds the file.
fn lint_activated(
    run: &Run<'_>,
    path: &Path,
    report_path: String,
    grammar: Grammar,
    bytes: Vec<u8>,
    activation: &Activation,
    timings: &mut Timings,
) -> FileOutcome {
    let settings = run.settings;
    let Some(cache) = &run.cache else {
        return lint_source(run, path, report_path, grammar, bytes, activation, timings);
    };
    let cache_start = Instant::now();
    let content = content_hash(&bytes);
    let hit = cache.load(&report_path, &content, settings);
    timings.cache += cache_start.elapsed();
    if let Some(hit) = hit {
        let keeps_source = !hit.diagnostics.is_empty() || !hit.facts.is_empty();
        return FileOutcome {
            source: keeps_source
                .then(|| decode_source(bytes, grammar).ok().map(Arc::from))
                .flatten(),
            diagnostics: hit.diagnostics,
            facts: hit.facts,
            ..FileOutcome::unparsed(report_path)
        };
    }
    let outcome = lint_source(run, path, report_path, grammar, bytes, activation, timings);
    if outcome.skipped.is_none() {
        timed(&mut timings.cache, || {
            cache.store(
                &outcome.path,
                &content,
                &outcome.diagnostics,
                &outcome.facts,
            )
        });
    }
    outcome
}

/// Parses a file that may hold findings and runs the rules on it.
fn lint_source(
    run: &Run<'_>,
    path: &Path,
    report_path: String,
    grammar: Grammar,
    bytes: Vec<u8>,
    activation: &Activation,
    timings: &mut Timings,
) -> FileOutcome {
    let settings = run.settings;
    let parse_start = Instant::now();
    let source = match decode_source(bytes, grammar) {
        Ok(source) => source,
        Err(reason) => return skipped(report_path, reason),
    };
    let Some(tree) = parse(grammar, &source) else {
        return skipped(report_path, "the parser gave up on this file".into());
    };
    timings.parse += parse_start.elapsed();
    let is_test_file = is_test_path(&report_path);
    let mut raw = Vec::new();
    timed(&mut timings.rules, || {
        check_tree(
            run,
            &tree,
            &source,
            grammar,
            &report_path,
            is_test_file,
            activation,
            &mut raw,
        )
    });
    let suppressions_start = Instant::now();
    if let Some(notice) = parse_error_notice(tree.root_node(), settings) {
        raw.push(notice);
    }
    if !settings.per_file_ignores.is_empty() {
        // Config globs are relative to the config file's directory.
        let project_path = relative_slash_path(path, &settings.project_root);
        raw.retain(|d| !is_ignored_for_path(settings, d.rule, &project_path));
    }
    let SuppressionOutcome {
        diagnostics,
        notices,
    } = apply_suppressions(&source, &tree, grammar, raw, settings);
    let index = LineIndex::new(&source);
    let mut occurrences: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut located: Vec<Diagnostic> = Vec::new();
    let mut facts: Vec<Fact> = Vec::new();
    let mut fact_occurrences: BTreeMap<String, usize> = BTreeMap::new();
    // Occurrence indices (of facts and of fingerprints) count in source order, so
    // findings keep their identity when code is inserted above them.
    let mut in_source_order: Vec<(RawDiagnostic, Option<crate::diagnostic::Suppression>)> =
        diagnostics
            .into_iter()
            .chain(notices.into_iter().map(|notice| (notice, None)))
            .collect();
    in_source_order
        .sort_by(|(a, _), (b, _)| (a.span, a.rule, &a.message).cmp(&(b.span, b.rule, &b.message)));
    // One finding reached twice (a helper with two statements that run its parameter)
    // is reported once.
    in_source_order.dedup_by(|(a, _), (b, _)| {
        a.fact.is_none()
            && b.fact.is_none()
            && (a.span, a.rule, &a.message) == (b.span, b.rule, &b.message)
    });
    for (raw, suppression) in in_source_order {
        if let Some(fact) = raw.fact {
            let key = format!("{}\u{0}{}\u{0}{:?}", raw.rule, fact.kind, fact.values);
            let occurrence = fact_occurrences.entry(key).or_insert(0);
            *occurrence += 1;
            facts.push(Fact {
                rule: raw.rule,
                kind: fact.kind.to_string(),
                location: locate(&index, &report_path, raw.span),
                values: fact
                    .values
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), value))
                    .collect(),
                suppression,
                is_test_file,
                occurrence: *occurrence,
            });
            continue;
        }
        let Some(severity) = settings.severity(raw.rule) else {
            continue;
        };
        // Counted for suppressed findings too, so `--include-suppressed` does not
        // change the identity of the others.
        let print = fingerprint(
            &tree,
            &source,
            &report_path,
            raw.rule,
            raw.span,
            &mut occurrences,
        );
        if suppression.is_some() && !settings.include_suppressed {
            continue;
        }
        let location = locate(&index, &report_path, raw.span);
        located.push(Diagnostic {
            rule: raw.rule,
            severity,
            message: raw.message,
            help: raw.help,
            location,
            related: Vec::new(),
            fingerprint: print,
            suppression,
        });
    }
    timings.suppressions += suppressions_start.elapsed();
    FileOutcome {
        path: report_path,
        // Project findings land on fact sites, so their files keep their source too.
        source: (!located.is_empty() || !facts.is_empty()).then(|| Arc::from(source.as_str())),
        diagnostics: located,
        parsed: true,
        skipped: None,
        generated: false,
        facts,
        timings: Timings::default(),
        activated: Vec::new(),
    }
}

pub fn locate(index: &LineIndex<'_>, path: &str, span: Span) -> Location {
    Location {
        path: path.to_string(),
        span,
        start: index.position(span.start),
        end: index.position(span.end),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_tree(
    run: &Run<'_>,
    tree: &Tree,
    source: &str,
    grammar: Grammar,
    path: &str,
    is_test_file: bool,
    activation: &Activation,
    out: &mut Vec<RawDiagnostic>,
) {
    if !activation.any_rule {
        return;
    }
    let table = &run.dispatch[grammar.index()];
    let rules = &run.settings.rules;
    // The nodes some active rule wants, gathered while the model is built: rules need
    // the whole model (a name may be bound further down), not a second walk.
    let mut nodes = Vec::new();
    let mut semantic = Semantic::build_visiting(tree, source, grammar, &mut |node| {
        if let Some(candidates) = table.get(usize::from(node.kind_id())) {
            if candidates.iter().any(|&index| activation.rules[index]) {
                nodes.push((node, candidates));
            }
        }
    });
    semantic.set_path(path);
    for (node, candidates) in nodes {
        for &index in candidates {
            if !activation.rules[index] {
                continue;
            }
            let rule = rules[index];
            if is_test_file && rule.meta().prod_only {
                continue;
            }
            let mut ctx = RuleContext {
                source,
                path,
                grammar,
                semantic: &semantic,
                is_test_file,
                rule: rule.meta().id,
                out,
                options: run.settings.rule_options.get(rule.meta().id),
            };
            rule.check(node, &mut ctx);
        }
    }
}

fn parse_error_notice(root: Node<'_>, settings: &Settings) -> Option<RawDiagnostic> {
    if !root.has_error() || !settings.is_enabled(PARSE_ERROR) {
        return None;
    }
    let mut first: Option<Node<'_>> = None;
    walk_preorder(root, |node| {
        if first.is_none() && (node.is_error() || node.is_missing()) {
            first = Some(node);
        }
    });
    let node = first.unwrap_or(root);
    let start = node.start_byte();
    // Point at the first line of the unparsed region, not the whole rest of the file.
    let end = if node.is_missing() {
        start
    } else {
        node.end_byte().min(start + 1)
    };
    Some(RawDiagnostic {
        rule: PARSE_ERROR,
        span: Span::new(start, end),
        message: "this file has a syntax error here; corbel checked the parts it could parse"
            .to_string(),
        help: Some("fix the syntax error so every line of the file is checked".to_string()),
        fact: None,
    })
}

fn is_ignored_for_path(settings: &Settings, rule: &str, path: &str) -> bool {
    settings
        .per_file_ignores
        .iter()
        .any(|(glob, ids)| ids.contains(rule) && glob.is_match(path))
}

/// Test code per RULES.md: `tests/`, `__tests__/`, `test_*.py`, `*_test.py`,
/// `conftest.py`, `*.spec.*`, `*.test.*`.
pub fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/');
    let file = parts.next_back().unwrap_or("");
    // `testing/`: test support packages (`sqlalchemy/testing`); `spec/`: Jasmine/RSpec
    // style suites; `tests.py`: a Django app's test module.
    let in_test_dir = path.split('/').rev().skip(1).any(|dir| {
        matches!(
            dir,
            "tests" | "test" | "testing" | "spec" | "__tests__" | "__mocks__"
        )
    });
    let stem = file.split('.').next().unwrap_or("");
    in_test_dir
        || file == "conftest.py"
        || file == "tests.py"
        || (file.ends_with(".py") && (stem.starts_with("test_") || stem.ends_with("_test")))
        || file.contains(".spec.")
        || file.contains(".test.")
}

/// The severity a finding is reported at, for `--fail-on` decisions.
pub fn fails(diagnostic: &Diagnostic, fail_on: Severity) -> bool {
    diagnostic.suppression.is_none() && diagnostic.severity >= fail_on
}

#[cfg(test)]
mod tests {
    use super::is_test_path;

    #[test]
    fn test_code_is_told_by_its_path() {
        for path in [
            "tests/test_api.py",
            "app/tests.py",
            "app/test_views.py",
            "app/views_test.py",
            "conftest.py",
            "lib/sqlalchemy/testing/fixtures.py",
            "spec/ParseUser.spec.js",
            "spec/helper.js",
            "src/__tests__/users.ts",
            "src/__mocks__/db.ts",
            "src/users.test.ts",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "app/views.py",
            "app/testimonials.py",
            "src/testing.ts",
            "src/routes/users.ts",
            "latest/api.py",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }
}
