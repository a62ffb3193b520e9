//! The `corbel` binary: parse the command line, run the command, map the outcome to an
//! exit code (0 clean, 1 findings at or above `--fail-on`, 2 corbel failed).

mod args;
mod baseline;
mod check;
mod config;
mod error;
mod git;
mod globs;
mod output;
mod resolve;
mod rule_docs;
mod select;
mod suggest;
mod term;

use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding at or above `--fail-on`.
    Success,
    /// At least one finding at or above `--fail-on`.
    Failure,
    /// corbel could not do its job.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "corbel: internal error: {info}\n\
             This is a bug in corbel {}; please report it at {}/issues with the command you ran.",
            env!("CARGO_PKG_VERSION"),
            env!("CARGO_PKG_REPOSITORY"),
        );
    }));
    // Panics on worker threads are re-raised here by rayon, after the hook has printed them.
    std::panic::catch_unwind(run)
        .unwrap_or(ExitStatus::Error)
        .into()
}

fn run() -> ExitStatus {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // Help and version go to stdout and succeed; every usage error is exit 2.
            return if error.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
        }
    };
    let outcome = match &cli.command {
        Command::Check(args) => check::check(args),
        Command::Rule { id } => rule_docs::rule(id),
        Command::Rules { format } => rule_docs::rules(*format),
    };
    outcome.unwrap_or_else(|error| {
        error.print();
        ExitStatus::Error
    })
}
