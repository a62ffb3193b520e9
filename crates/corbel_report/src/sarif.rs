//! `sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! One run. Every enabled rule is a `reportingDescriptor` whether or not it fired, so
//! viewers can explain a rule and `ruleIndex` is stable. Columns are UTF-16 code units
//! (what GitHub and VS Code count in); artifact URIs are relative to `%SRCROOT%`.
//! No timestamps and only ordered maps: identical input gives identical bytes.

use crate::Report;
use corbel_engine::{Diagnostic, Location, RuleMeta, Severity};
use serde::Serialize;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location as SarifLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Suppression, Tool,
    ToolComponent,
};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/corbel-lint/corbel";
const SRCROOT: &str = "%SRCROOT%";
/// Versioned so a future change of the fingerprint recipe cannot be mistaken for the
/// same identity.
const FINGERPRINT_KEY: &str = corbel_engine::fingerprint::RECIPE;

/// The log's top level, spelled out rather than `serde_sarif::sarif::Sarif` only to
/// put `$schema` and `version` first, where people and file sniffers look.
#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [run(report)],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn run(report: &Report<'_>) -> Run {
    let driver = ToolComponent::builder()
        .name("corbel")
        .semantic_version(report.version)
        .information_uri(INFORMATION_URI)
        .rules(
            report
                .rules
                .iter()
                .map(|meta| descriptor(meta))
                .collect::<Vec<_>>(),
        )
        .build();
    let results: Vec<SarifResult> = report
        .result
        .diagnostics
        .iter()
        .map(|d| result(report, d))
        .collect();
    let base_ids = BTreeMap::from([(
        SRCROOT.to_string(),
        ArtifactLocation::builder()
            .uri(root_uri(report.root))
            .build(),
    )]);
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .original_uri_base_ids(base_ids)
        .column_kind(json!("utf16CodeUnits"))
        .results(results)
        .build();
    if let Some(category) = report.sarif_category {
        run.automation_details = Some(
            RunAutomationDetails::builder()
                .id(automation_id(category))
                .build(),
        );
    }
    run
}

/// `runAutomationDetails.id` for a category: `category/` (a trailing `/` means "this
/// is the category, with no run id", as GitHub code scanning reads it).
fn automation_id(category: &str) -> String {
    let category = category.trim_end_matches('/');
    format!("{category}/")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let help = help_markdown(meta);
    let full_description =
        what_it_does(meta.doc_body()).unwrap_or_else(|| meta.summary.to_string());
    let mut tags = vec![meta.category.as_str().to_string()];
    tags.extend(meta.cwe.iter().map(|cwe| format!("external/cwe/cwe-{cwe}")));
    let mut properties = BTreeMap::from([
        ("precision".to_string(), json!(meta.precision.as_str())),
        // GitHub shows non-security alerts by this; `note` has no counterpart there.
        (
            "problem.severity".to_string(),
            json!(match meta.default_severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "recommendation",
            }),
        ),
    ]);
    if meta.category == corbel_engine::Category::Security {
        if let Some(score) = meta.security_severity {
            properties.insert("security-severity".to_string(), json!(score));
        }
    }
    ReportingDescriptor::builder()
        .id(meta.id)
        .name(meta.name)
        .short_description(
            MultiformatMessageString::builder()
                .text(meta.summary)
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(full_description)
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(help.clone())
                .markdown(help)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(meta.default_severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(properties)
                .build(),
        )
        .build()
}

/// The rule's documentation without front matter and without the `# id` title, which
/// viewers already show as the rule's name.
fn help_markdown(meta: &RuleMeta) -> String {
    let body = meta.doc_body();
    let body = match body.strip_prefix("# ") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, after)| after),
        None => body,
    };
    let body = body.trim();
    if body.is_empty() {
        meta.summary.to_string()
    } else {
        body.to_string()
    }
}

/// The first paragraph of the doc's "What it does" section, hard line breaks joined.
fn what_it_does(body: &str) -> Option<String> {
    let paragraph: Vec<&str> = body
        .lines()
        .skip_while(|line| line.trim() != "## What it does")
        .skip(1)
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::trim)
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

fn result(report: &Report<'_>, d: &Diagnostic) -> SarifResult {
    let mut text = d.message.clone();
    // GitHub shows related locations only as links embedded in the message.
    if !d.related.is_empty() {
        let links: Vec<String> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, related)| {
                let place = format!("{}:{}", related.location.path, related.location.start.line);
                format!("[{}]({})", escape_link_text(&place), i + 1)
            })
            .collect();
        text.push_str(&format!(" (see {})", links.join(", ")));
    }
    let location = SarifLocation::builder()
        .physical_location(physical_location(&d.location))
        .build();
    let mut result = SarifResult::builder()
        .rule_id(d.rule)
        .level(match d.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
            Severity::Info => ResultLevel::Note,
        })
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            d.fingerprint.clone(),
        )]))
        .build();
    result.rule_index = report
        .rules
        .iter()
        .position(|meta| meta.id == d.rule)
        .map(to_i64);
    if !d.related.is_empty() {
        let related = d
            .related
            .iter()
            .enumerate()
            .map(|(i, related)| {
                SarifLocation::builder()
                    .id(to_i64(i + 1))
                    .physical_location(physical_location(&related.location))
                    .message(Message::builder().text(related.message.as_str()).build())
                    .build()
            })
            .collect();
        result.related_locations = Some(related);
    }
    if let Some(suppression) = &d.suppression {
        let mut entry = Suppression::builder().kind(json!("inSource")).build();
        entry.justification = suppression.reason.clone();
        result.suppressions = Some(vec![entry]);
    }
    result
}

fn physical_location(location: &Location) -> PhysicalLocation {
    // SARIF lines and columns start at 1; never emit a 0 even if a position is unset.
    let region = Region::builder()
        .start_line(to_i64(location.start.line.max(1)))
        .start_column(to_i64(location.start.column_utf16.max(1)))
        .end_line(to_i64(location.end.line.max(1)))
        .end_column(to_i64(location.end.column_utf16.max(1)))
        .build();
    PhysicalLocation::builder()
        .artifact_location(artifact_location(&location.path))
        .region(region)
        .build()
}

/// Paths relative to the root get `%SRCROOT%`; a path outside it (the engine then
/// reports it absolute) becomes a `file://` URI of its own.
fn artifact_location(path: &str) -> ArtifactLocation {
    if is_absolute(path) {
        ArtifactLocation::builder().uri(file_uri(path)).build()
    } else {
        ArtifactLocation::builder()
            .uri(encode_path(path, false))
            .uri_base_id(SRCROOT)
            .build()
    }
}

fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

/// `file:///abs/root/`: absolute, `/`-terminated, as `originalUriBaseIds` requires.
fn root_uri(root: &Path) -> String {
    let mut uri = file_uri(&root.to_string_lossy());
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn file_uri(path: &str) -> String {
    // Windows: `\\?\C:\x` (from canonicalize) and `C:\x` both become `/C:/x`.
    let path = path
        .strip_prefix(r"\\?\")
        .unwrap_or(path)
        .replace('\\', "/");
    let mut uri = String::from("file://");
    if !path.starts_with('/') {
        uri.push('/');
    }
    uri.push_str(&encode_path(&path, true));
    uri
}

/// Percent-encodes everything but unreserved characters and `/` (and `:` in absolute
/// paths, for drive letters; in a relative reference it would read as a scheme).
fn encode_path(path: &str, keep_colon: bool) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && byte == b':');
        if keep {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Brackets in link text would end the `[text](id)` link early.
fn escape_link_text(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_support::{self, ROOT, RULES, VERSION};
    use serde_json::Value;
    use std::time::Duration;

    fn render_value() -> Value {
        let result = test_support::run_result();
        let report = Report {
            elapsed: Duration::from_millis(5),
            color: true,
            width: 80,
            ..test_support::report(&result)
        };
        let out = test_support::render_bytes(&report, render);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn run_header() {
        let sarif = render_value();
        assert_eq!(sarif["$schema"], SCHEMA);
        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///home/dev/shop/"
        );
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "corbel");
        assert_eq!(driver["semanticVersion"], "0.1.0");
        assert_eq!(driver["informationUri"], INFORMATION_URI);
        assert!(run.get("invocations").is_none());
    }

    #[test]
    fn every_rule_is_described() {
        let sarif = render_value();
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "missing-timeout",
                "parse-error",
                "shared-hs256-secret",
                "string-built-sql"
            ]
        );
        let timeout = &rules[0];
        assert_eq!(timeout["name"], "MissingTimeout");
        assert_eq!(
            timeout["fullDescription"]["text"],
            "Reports outbound calls made without a timeout, such as `requests.get(url)`."
        );
        assert_eq!(timeout["defaultConfiguration"]["level"], "warning");
        assert_eq!(
            timeout["properties"]["tags"],
            json!(["reliability", "external/cwe/cwe-1088"])
        );
        assert_eq!(timeout["properties"]["precision"], "high");
        assert!(timeout["properties"].get("security-severity").is_none());
        let help = timeout["help"]["markdown"].as_str().unwrap();
        assert!(help.starts_with("## What it does\n"), "{help}");
        assert_eq!(timeout["help"]["text"], timeout["help"]["markdown"]);

        // No "What it does" section: the summary stands in.
        assert_eq!(rules[1]["fullDescription"]["text"], RULES[1].summary);
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "note");

        let shared = &rules[2]["properties"];
        assert_eq!(shared["security-severity"], "7.5");
        assert_eq!(
            shared["tags"],
            json!(["security", "external/cwe/cwe-321", "external/cwe/cwe-798"])
        );
    }

    #[test]
    fn results_use_utf16_columns_and_relative_uris() {
        let sarif = render_value();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        let shared = &results[2];
        assert_eq!(shared["ruleId"], "shared-hs256-secret");
        assert_eq!(shared["ruleIndex"], 2);
        assert_eq!(shared["level"], "error");
        let location = &shared["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"],
            json!({"uri": "web/auth.ts", "uriBaseId": "%SRCROOT%"})
        );
        // The emoji is one character but two UTF-16 code units.
        assert_eq!(
            location["region"],
            json!({"startLine": 4, "startColumn": 77, "endLine": 4, "endColumn": 99})
        );
        let related = shared["relatedLocations"].as_array().unwrap();
        assert_eq!(related.len(), 2);
        assert_eq!(related[1]["id"], 2);
        assert_eq!(
            related[1]["message"]["text"],
            "the Python service holds the same secret"
        );
        assert_eq!(
            related[1]["physicalLocation"]["artifactLocation"]["uri"],
            "app/api.py"
        );
        assert!(shared["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with(" (see [web/auth.ts:8](1), [app/api.py:3](2))"));
        assert!(shared["partialFingerprints"]["corbelFingerprint/v2"].is_string());

        let info = &results[3];
        assert_eq!(info["level"], "note");
        let region = &info["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startColumn"], region["endColumn"]);
    }

    #[test]
    fn suppressions_carry_the_reason() {
        let sarif = render_value();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(
            results[1]["suppressions"],
            json!([{"kind": "inSource", "justification": "name is checked against an allow-list above"}])
        );
        assert!(results[0].get("suppressions").is_none());
    }

    #[test]
    fn category_becomes_the_automation_id() {
        let result = test_support::run_result();
        for (category, id) in [
            ("corbel", "corbel/"),
            ("corbel/backend/", "corbel/backend/"),
        ] {
            let report = Report {
                result: &result,
                rules: &RULES,
                root: Path::new(ROOT),
                elapsed: Duration::from_millis(5),
                color: false,
                width: 80,
                version: VERSION,
                sarif_category: Some(category),
            };
            let mut out = Vec::new();
            render(&report, &mut out).unwrap();
            let sarif: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(sarif["runs"][0]["automationDetails"], json!({"id": id}));
        }
        assert!(render_value()["runs"][0].get("automationDetails").is_none());
    }

    #[test]
    fn byte_identical_across_runs() {
        let first = serde_json::to_string(&render_value()).unwrap();
        let second = serde_json::to_string(&render_value()).unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            encode_path("src/my app/ä+b.py", false),
            "src/my%20app/%C3%A4%2Bb.py"
        );
        assert_eq!(encode_path("a:b.py", false), "a%3Ab.py");
        assert_eq!(
            root_uri(Path::new("/srv/my repo")),
            "file:///srv/my%20repo/"
        );
        assert_eq!(root_uri(Path::new("/srv/repo/")), "file:///srv/repo/");
        assert_eq!(file_uri(r"\\?\C:\work\repo"), "file:///C:/work/repo");
        assert_eq!(
            artifact_location("/tmp/outside.py"),
            ArtifactLocation::builder()
                .uri("file:///tmp/outside.py")
                .build()
        );
    }

    #[test]
    fn first_paragraph_of_what_it_does() {
        let body = "# x\n\n## What it does\n\nLine one\nline two.\n\nMore.\n## Why\n";
        assert_eq!(what_it_does(body).as_deref(), Some("Line one line two."));
        assert_eq!(what_it_does("# x\nnothing"), None);
    }
}
