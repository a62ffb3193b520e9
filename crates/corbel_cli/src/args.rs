//! The command line, as clap sees it. Only parsing lives here; meaning lives in the
//! command modules.

use clap::{Args, Parser, Subcommand, ValueEnum};
use corbel_engine::Severity;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "corbel",
    version,
    about = "A linter for backend-architecture anti-patterns in Python and TypeScript/JavaScript",
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (default: the current directory)
    Check(Box<CheckArgs>),
    /// Print a rule's documentation: what it finds, why it matters, what to write instead
    Rule {
        /// A rule id, e.g. `missing-timeout`
        #[arg(value_name = "RULE-ID")]
        id: String,
    },
    /// List every rule: id, languages, category, default severity, summary
    Rules {
        #[arg(short = 'f', long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads one file from stdin (needs --stdin-filename)
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(short = 'f', long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the report to FILE instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Enable only these rules: ids, categories (security, reliability, performance,
    /// maintainability) or `all`; replaces the config's `select`
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub select: Option<Vec<String>>,

    /// Disable these rules (ids, categories or `all`), in addition to the config's `ignore`
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub ignore: Vec<String>,

    /// Lowest severity that makes the exit code 1 [default: the config's `fail-on`, else warning]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Exit 0 even when findings are reported (still 2 when corbel itself fails)
    #[arg(long)]
    pub exit_zero: bool,

    /// Use this config file instead of discovering one
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore all config files
    #[arg(long)]
    pub no_config: bool,

    /// With path `-`: the name stdin's source is linted and reported as
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Worker threads [default: all cores]
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Do not read or write the result cache
    #[arg(long)]
    pub no_cache: bool,

    /// Keep the result cache in DIR [default: .corbel_cache in the project root]
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Print counts per rule instead of findings
    #[arg(long)]
    pub statistics: bool,

    /// Print on stderr where the time went: walking, reading, prefiltering, parsing,
    /// rules, suppressions, the project pass and reporting, with files walked and parsed
    #[arg(long)]
    pub timings: bool,

    /// Also report findings silenced by `corbel: ignore[...]` comments, marked as
    /// suppressed (they never affect the exit code)
    #[arg(long)]
    pub include_suppressed: bool,

    /// Report only findings that are not recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in FILE (a baseline) instead of reporting them, and
    /// exit 0
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["baseline", "prune_baseline", "diff_base", "staged", "statistics", "output"]
    )]
    pub write_baseline: Option<PathBuf>,

    /// With --baseline: rewrite the baseline file without the entries that no longer
    /// match a finding
    #[arg(long, requires = "baseline")]
    pub prune_baseline: bool,

    /// Report only findings on lines added or changed since the merge base of REF and
    /// HEAD, in the working tree (untracked files count as added)
    #[arg(long, value_name = "REF", conflicts_with = "staged")]
    pub diff_base: Option<String>,

    /// Check what is staged in the git index and report only findings on staged lines
    #[arg(long)]
    pub staged: bool,

    /// SARIF: set `runs[0].automationDetails.id` to `NAME/`, the category GitHub code
    /// scanning files the results under (to keep several corbel runs apart)
    #[arg(long, value_name = "NAME")]
    pub sarif_category: Option<String>,

    /// SARIF: keep at most N results, the most severe first (GitHub's limit is 25000
    /// per run). Hidden: it exists so tests can use a small limit.
    #[arg(long, value_name = "N", default_value_t = 25_000, hide = true)]
    pub sarif_max_results: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Concise,
    Json,
    Sarif,
    Github,
}

impl From<OutputFormat> for corbel_report::Format {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Text => corbel_report::Format::Text,
            OutputFormat::Concise => corbel_report::Format::Concise,
            OutputFormat::Json => corbel_report::Format::Json,
            OutputFormat::Sarif => corbel_report::Format::Sarif,
            OutputFormat::Github => corbel_report::Format::Github,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(fail_on: FailOn) -> Self {
        match fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}
