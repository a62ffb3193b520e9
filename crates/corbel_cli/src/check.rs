//! `corbel check`: config, settings, input, run, report, exit status.

use crate::args::{CheckArgs, OutputFormat};
use crate::baseline;
use crate::config::{self, Source};
use crate::error::CliError;
use crate::git::{Changes, Repository};
use crate::output;
use crate::resolve::{self, Resolved};
use crate::term;
use crate::ExitStatus;
use corbel_engine::engine::fails;
use corbel_engine::walk::absolutize;
use corbel_engine::{Grammar, Input, RunResult, Settings};
use corbel_report::Report;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn check(args: &CheckArgs) -> Result<ExitStatus, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|error| CliError::new(format!("cannot read the current directory: {error}")))?;
    if args.sarif_category.is_some() && args.format != OutputFormat::Sarif {
        return Err(
            CliError::new("--sarif-category only applies to --format sarif")
                .with_help("drop it, or add `--format sarif`"),
        );
    }
    let source = match (&args.config, args.no_config) {
        (_, true) => Source::Disabled,
        (Some(path), false) => Source::File(path),
        (None, false) => Source::Discover,
    };
    let config = config::load(source, &cwd)?;
    let Resolved {
        settings,
        fail_on,
        enabled,
    } = resolve::resolve(args, &config, &cwd)?;
    // A bad baseline stops the run before any linting.
    let baseline = args.baseline.as_deref().map(baseline::load).transpose()?;
    let mut input = input(args)?;
    let mut warnings = Vec::new();
    let changes = changed_lines(args, &cwd, &settings, &mut input, &mut warnings)?;

    let start = Instant::now();
    let mut result = match input {
        Input::Stdin { ref name, .. } if is_excluded(name, &settings) => RunResult::default(),
        input => corbel_engine::run(input, &settings),
    };
    let elapsed = start.elapsed();

    let mut notes = Vec::new();
    if let Some(baseline) = &baseline {
        apply_baseline(baseline, args, &settings, &enabled, &mut result, &mut notes)?;
    }
    if let Some(changes) = &changes {
        result.diagnostics.retain(|d| {
            let at = |location: &corbel_engine::Location| {
                changes.touches(&location.path, location.start.line, location.end.line)
            };
            at(&d.location) || d.related.iter().any(|related| at(&related.location))
        });
    }
    let status = if !result.fatal.is_empty() {
        ExitStatus::Error
    } else if args.exit_zero || !result.diagnostics.iter().any(|d| fails(d, fail_on)) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    };

    let written = if let Some(path) = &args.write_baseline {
        write_baseline(path, &result, &mut notes)
    } else {
        if args.format == OutputFormat::Sarif && !args.statistics {
            let dropped = keep_most_severe(&mut result.diagnostics, args.sarif_max_results);
            if dropped > 0 {
                notes.push(format!(
                    "the SARIF report holds the {} most severe findings and leaves out {dropped} (GitHub code scanning accepts at most {} results per run); the exit code still counts them all",
                    result.diagnostics.len(),
                    args.sarif_max_results
                ));
            }
        }
        let report = Report {
            result: &result,
            rules: &enabled,
            root: &settings.report_root,
            elapsed,
            color: output::use_color(args.output.as_deref()),
            width: term::width(),
            version: env!("CARGO_PKG_VERSION"),
            sarif_category: args.sarif_category.as_deref(),
        };
        let report_start = Instant::now();
        let written = output::write(
            args.format.into(),
            args.statistics,
            &report,
            args.output.as_deref(),
        );
        if args.timings {
            eprint!(
                "{}",
                timings_table(&result, report_start.elapsed(), elapsed, settings.threads)
            );
        }
        written
    };
    for warning in warnings.iter().chain(&result.skipped) {
        eprintln!("corbel: warning: {warning}");
    }
    if let Some(first) = result.generated.first() {
        // One line, not one per file: a build directory can hold hundreds of bundles.
        let count = result.generated.len();
        let files = if count == 1 { "file" } else { "files" };
        eprintln!(
            "corbel: note: skipped {count} bundled or minified JavaScript {files} (such as {first}); exclude build output in the config to silence this"
        );
    }
    for note in &notes {
        eprintln!("corbel: note: {note}");
    }
    for problem in &result.fatal {
        eprintln!("corbel: error: {problem}");
    }
    written?;
    Ok(match status {
        ExitStatus::Failure if args.write_baseline.is_some() => ExitStatus::Success,
        status => status,
    })
}

/// `--baseline`: hides recorded findings, and counts (or with `--prune-baseline`
/// removes) the entries this run could have matched but did not.
fn apply_baseline(
    baseline: &baseline::Baseline,
    args: &CheckArgs,
    settings: &Settings,
    enabled: &[&'static corbel_engine::RuleMeta],
    result: &mut RunResult,
    notes: &mut Vec<String>,
) -> Result<(), CliError> {
    let roots = requested_roots(args);
    let enabled_ids: BTreeSet<&str> = enabled.iter().map(|meta| meta.id).collect();
    let walked: BTreeSet<String> = result.paths.iter().cloned().collect();
    let applied = baseline.apply(&mut result.diagnostics, |entry| {
        enabled_ids.contains(entry.rule.as_str())
            && (walked.contains(&entry.path)
                || gone_from(&settings.report_root, &entry.path, &roots))
    });
    let stale = applied.stale;
    let entries = match stale {
        1 => "entry no longer matches",
        _ => "entries no longer match",
    };
    if args.prune_baseline && result.fatal.is_empty() {
        baseline.prune(applied)?;
        if stale > 0 {
            let entries = entries.replacen(" no", " that no", 1);
            let path = baseline.path().display();
            notes.push(format!("removed {stale} baseline {entries} from {path}"));
        }
    } else if stale > 0 {
        notes.push(format!(
            "{stale} baseline {entries}; `--prune-baseline` rewrites the file without them"
        ));
    }
    Ok(())
}

/// `--write-baseline`: records the run's findings, unless the run failed on a path
/// it was given (an incomplete run must not become the record of what is accepted).
fn write_baseline(
    path: &Path,
    result: &RunResult,
    notes: &mut Vec<String>,
) -> Result<(), CliError> {
    if !result.fatal.is_empty() {
        notes.push(format!("did not write {}", path.display()));
        return Ok(());
    }
    let count = baseline::write(path, &result.diagnostics)?;
    let findings = if count == 1 { "finding" } else { "findings" };
    let path = path.display();
    notes.push(format!(
        "recorded {count} {findings} in {path}; `--baseline {path}` reports only findings not in it"
    ));
    Ok(())
}

/// `--diff-base` and `--staged`: the lines that changed, by report path. With
/// `--staged`, `input` becomes the walk with the index's content of staged files.
fn changed_lines(
    args: &CheckArgs,
    cwd: &Path,
    settings: &Settings,
    input: &mut Input,
    warnings: &mut Vec<String>,
) -> Result<Option<Changes>, CliError> {
    let flag = match (&args.diff_base, args.staged) {
        (Some(_), _) => "--diff-base",
        (None, true) => "--staged",
        (None, false) => return Ok(None),
    };
    let paths = match input {
        Input::Paths(paths) => paths.clone(),
        _ => {
            return Err(CliError::new(format!(
                "{flag} checks files in a git repository, not stdin"
            )))
        }
    };
    let repository = Repository::open(cwd, &settings.report_root, flag)?;
    if let Some(reference) = &args.diff_base {
        return repository.changes_since(reference).map(Some);
    }
    let staged = repository.staged(|path| Grammar::from_path(Path::new(path)).is_some())?;
    warnings.extend(staged.warnings);
    *input = Input::Overlay {
        paths,
        contents: staged.contents,
    };
    Ok(Some(staged.changes))
}

/// The requested paths, absolute: what a run covers, for baseline bookkeeping.
fn requested_roots(args: &CheckArgs) -> Vec<PathBuf> {
    let dash = Path::new("-");
    match (args.paths.is_empty(), &args.stdin_filename) {
        (_, Some(name)) if args.paths.is_empty() || args.paths.iter().any(|p| p == dash) => {
            vec![absolutize(name)]
        }
        (true, _) => vec![absolutize(Path::new("."))],
        (false, _) => args.paths.iter().map(|path| absolutize(path)).collect(),
    }
}

/// Whether a baseline entry's file is gone from under one of the requested paths: its
/// entries are stale, as a fixed finding's would be.
fn gone_from(report_root: &Path, path: &str, roots: &[PathBuf]) -> bool {
    let file = absolutize(report_root).join(path);
    !file.exists() && roots.iter().any(|root| file.starts_with(root))
}

/// Keeps at most `limit` findings: errors, then warnings, then info, suppressed findings
/// last, each group in report order; the kept ones stay in report order. Returns how
/// many were dropped.
fn keep_most_severe(diagnostics: &mut Vec<corbel_engine::Diagnostic>, limit: usize) -> usize {
    if diagnostics.len() <= limit {
        return 0;
    }
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by_key(|&i| {
        let d = &diagnostics[i];
        (d.suppression.is_some(), std::cmp::Reverse(d.severity), i)
    });
    let kept: BTreeSet<usize> = order.into_iter().take(limit).collect();
    let before = diagnostics.len();
    let mut index = 0;
    diagnostics.retain(|_| {
        let keep = kept.contains(&index);
        index += 1;
        keep
    });
    before - diagnostics.len()
}

/// Paths to walk, or source from stdin with the name it is linted and reported as.
fn input(args: &CheckArgs) -> Result<Input, CliError> {
    let dash = Path::new("-");
    let wants_stdin = args.paths.iter().any(|path| path == dash)
        || (args.paths.is_empty() && args.stdin_filename.is_some());
    if !wants_stdin {
        if args.stdin_filename.is_some() {
            return Err(
                CliError::new("--stdin-filename only applies to the path `-`")
                    .with_help("lint stdin with `corbel check - --stdin-filename NAME`"),
            );
        }
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        return Ok(Input::Paths(paths));
    }
    if args.paths.len() > 1 {
        return Err(CliError::new(
            "`-` (stdin) cannot be combined with other paths",
        ));
    }
    let Some(name) = args.stdin_filename.clone() else {
        return Err(CliError::new("reading source from stdin (`-`) needs --stdin-filename NAME")
            .with_help("the name picks the language and is what the report shows, e.g. `--stdin-filename app/views.py`"));
    };
    let mut source = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut source)
        .map_err(|error| CliError::new(format!("cannot read stdin: {error}")))?;
    Ok(Input::Stdin { name, source })
}

/// Config `exclude` applies to a stdin filename as it would to the file on disk, so
/// editor integrations stay as quiet as `corbel check .` on excluded files.
fn is_excluded(name: &Path, settings: &Settings) -> bool {
    let Some(exclude) = &settings.exclude else {
        return false;
    };
    let absolute = absolutize(name);
    let relative = absolute
        .strip_prefix(&settings.project_root)
        .unwrap_or(&absolute);
    exclude.is_match(relative) || name.file_name().is_some_and(|file| exclude.is_match(file))
}

/// The `--timings` table.
fn timings_table(
    result: &RunResult,
    report: std::time::Duration,
    wall: std::time::Duration,
    threads: usize,
) -> String {
    let t = &result.timings;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let share = if result.files_walked == 0 {
        0.0
    } else {
        100.0 * result.files_parsed as f64 / result.files_walked as f64
    };
    let rows = [
        (
            "walk",
            t.walk,
            format!("{} files walked", result.files_walked),
        ),
        ("read", t.read, String::new()),
        ("prefilter", t.prefilter, String::new()),
        (
            "parse",
            t.parse,
            format!("{} files parsed ({share:.1}%)", result.files_parsed),
        ),
        ("rules", t.rules, "semantic model and rules".to_string()),
        ("suppressions", t.suppressions, String::new()),
        (
            "cache",
            t.cache,
            "hashing contents, loading and storing entries".to_string(),
        ),
        (
            "project pass",
            t.project,
            format!("{} facts", result.facts.len()),
        ),
        ("report", report, String::new()),
    ];
    let mut table =
        format!("corbel timings (read..suppressions are summed over {threads} threads)\n");
    for (name, duration, note) in rows {
        let line = format!("  {name:<13}{:>10.1} ms  {note}", ms(duration));
        table.push_str(line.trim_end());
        table.push('\n');
    }
    table.push_str(&format!(
        "  {:<13}{:>10.1} ms\n",
        "total (wall)",
        ms(wall + report)
    ));
    if !result.rule_files.is_empty() {
        table.push_str("files each rule's triggers let through the prefilter\n");
        let mut counts: Vec<(&str, usize)> =
            result.rule_files.iter().map(|(id, n)| (*id, *n)).collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (id, count) in counts {
            table.push_str(&format!("  {id:<26}{count:>7}\n"));
        }
    }
    table
}
