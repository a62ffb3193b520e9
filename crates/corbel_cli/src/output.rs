//! Renders the report and writes it to stdout or `--output`.

use crate::error::CliError;
use crate::term;
use corbel_report::{Format, Report};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Colour only when a person reads the output: stdout is a terminal, the report is not
/// going to a file, and `NO_COLOR` is not set.
pub fn use_color(output: Option<&Path>) -> bool {
    output.is_none() && std::io::stdout().is_terminal() && !term::no_color()
}

pub fn write(
    format: Format,
    statistics: bool,
    report: &Report<'_>,
    output: Option<&Path>,
) -> Result<(), CliError> {
    // Render fully before writing, so a failure never leaves half a report in a file.
    let mut buffer = Vec::new();
    let rendered = if statistics {
        corbel_report::render_statistics(report, &mut buffer)
    } else {
        corbel_report::render(format, report, &mut buffer)
    };
    rendered.map_err(|error| CliError::new(format!("cannot render the report: {error}")))?;
    match output {
        Some(path) => std::fs::write(path, &buffer)
            .map_err(|error| CliError::new(format!("cannot write {}: {error}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&buffer).and_then(|()| stdout.flush()) {
                // The reader went away (`corbel check | head`): nothing left to tell it.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(error) => Err(CliError::new(format!("cannot write the report: {error}"))),
                Ok(()) => Ok(()),
            }
        }
    }
}
