//! Why corbel could not do its job (exit 2), and how that is shown on stderr.

use crate::term;
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::fmt::Write as _;
use std::io::IsTerminal;

#[derive(Debug)]
pub enum CliError {
    /// A failure told in one line, with an optional hint.
    Plain {
        message: String,
        help: Option<String>,
    },
    /// Problems in a config file, each with the offending snippet.
    Config {
        heading: String,
        reports: Vec<miette::Report>,
    },
}

impl CliError {
    pub fn new(message: impl Into<String>) -> CliError {
        CliError::Plain {
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(self, hint: impl Into<String>) -> CliError {
        match self {
            CliError::Plain { message, .. } => CliError::Plain {
                message,
                help: Some(hint.into()),
            },
            config @ CliError::Config { .. } => config,
        }
    }

    /// Renders the error as it appears on stderr.
    pub fn render(&self, color: bool, width: usize) -> String {
        match self {
            CliError::Plain { message, help } => {
                let mut out = format!("corbel: error: {message}\n");
                if let Some(help) = help {
                    let _ = writeln!(out, "  help: {help}");
                }
                out
            }
            CliError::Config { heading, reports } => {
                let theme = if color {
                    GraphicalTheme::unicode()
                } else {
                    GraphicalTheme::unicode_nocolor()
                };
                let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
                let mut out = format!("corbel: error: {heading}\n\n");
                for report in reports {
                    if handler.render_report(&mut out, report.as_ref()).is_err() {
                        // Rendering into a String only fails on a broken Display impl;
                        // the plain message still tells the user what is wrong.
                        let _ = writeln!(out, "{report}");
                    }
                    out.push('\n');
                }
                out
            }
        }
    }

    pub fn print(&self) {
        let stderr = std::io::stderr();
        let color = stderr.is_terminal() && !term::no_color();
        eprint!("{}", self.render(color, term::width()));
    }
}
