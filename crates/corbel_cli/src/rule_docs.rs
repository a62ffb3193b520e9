//! `corbel rule <id>` and `corbel rules`: what the registry knows, for people and scripts.

use crate::args::ListFormat;
use crate::error::CliError;
use crate::suggest::did_you_mean;
use crate::ExitStatus;
use corbel_engine::{Family, RuleMeta};
use serde::Serialize;
use std::fmt::Write as _;

/// A rule's documentation: one header line, then the Markdown body.
pub fn rule(id: &str) -> Result<ExitStatus, CliError> {
    let Some(meta) = corbel_rules::find(id) else {
        let ids = corbel_rules::all_metas().into_iter().map(|meta| meta.id);
        let error = CliError::new(format!("unknown rule `{id}`"));
        return Err(match did_you_mean(id, ids) {
            Some(suggestion) => error.with_help(format!("did you mean `{suggestion}`?")),
            None => error.with_help("run `corbel rules` for the list"),
        });
    };
    let mut header = format!(
        "{} · {} · default severity: {} · languages: {}",
        meta.id,
        meta.category.as_str(),
        meta.default_severity,
        languages(meta).join(", ")
    );
    for cwe in meta.cwe {
        let _ = write!(header, " · CWE-{cwe}");
    }
    print(&format!("{header}\n\n{}\n", meta.doc_body().trim_end()))
}

pub fn rules(format: ListFormat) -> Result<ExitStatus, CliError> {
    let metas = corbel_rules::all_metas();
    let text = match format {
        ListFormat::Text => table(&metas),
        ListFormat::Json => json(&metas)?,
    };
    print(&text)
}

fn table(metas: &[&'static RuleMeta]) -> String {
    let rows: Vec<[String; 5]> = metas
        .iter()
        .map(|meta| {
            [
                meta.id.to_string(),
                short_languages(meta),
                meta.category.as_str().to_string(),
                meta.default_severity.to_string(),
                if corbel_rules::is_preview(meta.id) {
                    format!("(preview, off unless selected by id) {}", meta.summary)
                } else {
                    meta.summary.to_string()
                },
            ]
        })
        .collect();
    let header = ["ID", "LANGUAGES", "CATEGORY", "SEVERITY", "SUMMARY"].map(String::from);
    let mut widths = [0; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter().zip(row) {
            let _ = write!(out, "{cell:<width$}  ");
        }
        let _ = writeln!(out, "{}", row[4]);
    }
    let _ = writeln!(
        out,
        "\n{} rules. `corbel rule <RULE-ID>` prints a rule's documentation.",
        metas.len()
    );
    out
}

#[derive(Serialize)]
struct RuleEntry {
    id: &'static str,
    name: &'static str,
    category: &'static str,
    severity: &'static str,
    languages: Vec<&'static str>,
    summary: &'static str,
    cwe: &'static [u32],
}

fn json(metas: &[&'static RuleMeta]) -> Result<String, CliError> {
    let entries: Vec<RuleEntry> = metas
        .iter()
        .map(|meta| RuleEntry {
            id: meta.id,
            name: meta.name,
            category: meta.category.as_str(),
            severity: meta.default_severity.as_str(),
            languages: languages(meta),
            summary: meta.summary,
            cwe: meta.cwe,
        })
        .collect();
    serde_json::to_string_pretty(&entries)
        .map(|text| text + "\n")
        .map_err(|error| CliError::new(format!("cannot render the rule list: {error}")))
}

fn languages(meta: &RuleMeta) -> Vec<&'static str> {
    meta.families
        .iter()
        .flat_map(|family| match family {
            Family::Python => &["python"][..],
            Family::JavaScript => &["typescript", "javascript"][..],
        })
        .copied()
        .collect()
}

/// Languages in the width a table column affords.
fn short_languages(meta: &RuleMeta) -> String {
    meta.families
        .iter()
        .map(|family| match family {
            Family::Python => "python",
            Family::JavaScript => "ts/js",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn print(text: &str) -> Result<ExitStatus, CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::new(format!("cannot write to stdout: {error}")))
        }
        _ => Ok(ExitStatus::Success),
    }
}
