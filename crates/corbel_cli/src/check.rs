//! `corbel check`: config, settings, input, run, report, exit status.

use crate::args::CheckArgs;
use crate::config::{self, Source};
use crate::error::CliError;
use crate::output;
use crate::resolve::{self, Resolved};
use crate::term;
use crate::ExitStatus;
use corbel_engine::engine::fails;
use corbel_engine::walk::absolutize;
use corbel_engine::{Input, RunResult, Settings};
use corbel_report::Report;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn check(args: &CheckArgs) -> Result<ExitStatus, CliError> {
    let cwd = std::env::current_dir()
        .map_err(|error| CliError::new(format!("cannot read the current directory: {error}")))?;
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
    let input = input(args)?;

    let start = Instant::now();
    let result = match input {
        Input::Stdin { name, .. } if is_excluded(&name, &settings) => RunResult::default(),
        input => corbel_engine::run(input, &settings),
    };
    let elapsed = start.elapsed();

    let report = Report {
        result: &result,
        rules: &enabled,
        root: &settings.report_root,
        elapsed,
        color: output::use_color(args.output.as_deref()),
        width: term::width(),
        version: env!("CARGO_PKG_VERSION"),
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
    for warning in &result.skipped {
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
    for problem in &result.fatal {
        eprintln!("corbel: error: {problem}");
    }
    written?;

    Ok(if !result.fatal.is_empty() {
        ExitStatus::Error
    } else if args.exit_zero || !result.diagnostics.iter().any(|d| fails(d, fail_on)) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
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
    table
}
