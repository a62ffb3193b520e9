//! The `corbel` binary as users and CI scripts see it: exit codes, flags, config
//! discovery and errors, stdin, output targets, and the rule docs commands.
#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::cargo::cargo_bin_cmd;

use support::{run, Outcome, Repo};

/// A payments client with one outbound call and no deadline (line 7, column 16).
const CLIENT_PY: &str = r#"import requests

PAYMENTS_URL = "http://payments:8080"


def fetch_invoice(invoice_id):
    response = requests.get(f"{PAYMENTS_URL}/invoices/{invoice_id}")
    response.raise_for_status()
    return response.json()
"#;

const FINDING: &str = "app/client.py:7:16: warning[missing-timeout]";

/// The same client with a deadline: nothing to report.
const CLEAN_PY: &str = r#"import requests

PAYMENTS_URL = "http://payments:8080"


def fetch_invoice(invoice_id):
    response = requests.get(f"{PAYMENTS_URL}/invoices/{invoice_id}", timeout=5)
    response.raise_for_status()
    return response.json()
"#;

/// A view with a syntax error: only a `parse-error` notice (severity info).
const BROKEN_PY: &str = r#"import requests


def handler(request:
    return requests.get(request.url, timeout=10)
"#;

const USERS_TS: &str = r#"const USERS_URL = process.env.USERS_URL ?? "http://users:8080";

export async function getUser(id: string) {
  const res = await fetch(`${USERS_URL}/users/${id}`);
  return res.json();
}
"#;

impl Repo {
    /// A repository holding `app/client.py` with one finding.
    fn with_finding() -> Repo {
        let repo = Repo::new();
        repo.write("app/client.py", CLIENT_PY);
        repo
    }
}

/// `corbel check ARGS`, concise output, config discovery on.
fn check(repo: &Repo, args: &[&str]) -> Outcome {
    run(repo
        .corbel()
        .arg("check")
        .args(["--format", "concise"])
        .args(args))
}

// --- exit codes --------------------------------------------------------------------

#[test]
fn clean_code_exits_0_with_no_findings() {
    let repo = Repo::new();
    repo.write("app/client.py", CLEAN_PY);
    let out = check(&repo, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn a_finding_exits_1_and_is_reported_relative_to_the_root() {
    let repo = Repo::with_finding();
    let out = check(&repo, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.starts_with(FINDING), "{}", out.stdout);
    assert_eq!(out.stdout.lines().count(), 1);
}

#[test]
fn typescript_findings_count_too() {
    let repo = Repo::new();
    repo.write("src/users.ts", USERS_TS);
    let out = check(&repo, &["src"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .starts_with("src/users.ts:4:21: warning[missing-timeout]"),
        "{}",
        out.stdout
    );
}

/// A helper that runs the statement it is handed twice: its caller's SQL reaches two sinks.
const TWICE_PY: &str = r#"import sqlite3

from flask import Flask

app = Flask(__name__)
cache = sqlite3.connect("cache.db")


def run_logged(statement):
    cache.execute(statement)
    return cache.execute(statement).fetchall()


@app.route("/entries/<slug>/touch")
def touch_entry(slug):
    return str(run_logged("UPDATE entries SET seen = 1 WHERE slug = '" + slug + "'"))
"#;

#[test]
fn a_finding_reached_twice_is_reported_once() {
    let repo = Repo::new();
    repo.write("app/views.py", TWICE_PY);
    let out = check(&repo, &["--select", "string-built-sql"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
}

#[test]
fn bad_flags_exit_2() {
    let repo = Repo::with_finding();
    for args in [
        &["check", "--bogus"][..],
        &["check", "--format", "xml"],
        &["check", "--fail-on", "critical"],
        &["check", "-j", "0"],
        &["check", "--config", "corbel.toml", "--no-config"],
        &["lint"],
        &[],
    ] {
        let out = run(repo.corbel().args(args));
        assert_eq!(out.code, 2, "corbel {args:?}: {}", out.stderr);
        assert!(!out.stderr.is_empty(), "corbel {args:?} says nothing");
    }
}

#[test]
fn help_exits_0() {
    let out = run(cargo_bin_cmd!("corbel").args(["check", "--help"]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--stdin-filename"));
}

#[test]
fn unknown_rule_in_select_or_ignore_exits_2_with_a_suggestion() {
    let repo = Repo::with_finding();
    let out = check(&repo, &["--select", "missing-timout"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("unknown rule or category `missing-timout` in --select"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `missing-timeout`?"),
        "{}",
        out.stderr
    );

    let out = check(&repo, &["--ignore", "securty"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `security`?"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "", "nothing is linted when the flags are wrong");
}

#[test]
fn a_missing_path_exits_2_after_reporting_the_rest() {
    let repo = Repo::with_finding();
    let out = check(&repo, &["app", "services/missing.py"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.starts_with(FINDING), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("corbel: error: services/missing.py: no such file or directory"),
        "{}",
        out.stderr
    );
}

#[test]
fn fail_on_sets_the_lowest_failing_severity() {
    let repo = Repo::new();
    repo.write("app/views.py", BROKEN_PY);
    let out = check(&repo, &[]);
    assert_eq!(out.code, 0, "a parse-error notice is info: {}", out.stdout);
    assert!(out.stdout.contains("info[parse-error]"));
    assert_eq!(check(&repo, &["--fail-on", "info"]).code, 1);

    let repo = Repo::with_finding();
    assert_eq!(check(&repo, &["--fail-on", "error"]).code, 0);
    assert_eq!(check(&repo, &["--fail-on", "warning"]).code, 1);
}

#[test]
fn exit_zero_only_hides_findings_not_failures() {
    let repo = Repo::with_finding();
    let out = check(&repo, &["--exit-zero"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with(FINDING));
    assert_eq!(check(&repo, &["--exit-zero", "missing.py"]).code, 2);
    assert_eq!(check(&repo, &["--exit-zero", "--select", "nope"]).code, 2);
}

#[test]
fn suppressed_findings_never_fail_and_show_only_when_asked() {
    let repo = Repo::new();
    repo.write(
        "app/client.py",
        &CLIENT_PY.replace(
            "invoice_id}\")",
            "invoice_id}\")  # corbel: ignore[missing-timeout] -- gateway enforces a deadline",
        ),
    );
    let out = check(&repo, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.stdout, "");
    let out = check(&repo, &["--include-suppressed"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("missing-timeout"), "{}", out.stdout);
}

#[test]
fn unreadable_files_found_by_the_walker_are_warnings() {
    let repo = Repo::with_finding();
    let mut latin1 = b"import requests\n# caf".to_vec();
    latin1.extend([0xe9, b'\n']);
    std::fs::write(repo.path("app/legacy.py"), latin1).unwrap();
    let out = check(&repo, &[]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.starts_with(FINDING));
    assert!(
        out.stderr
            .contains("corbel: warning: skipped app/legacy.py: not valid UTF-8"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_python_file_declaring_latin1_is_linted_in_that_encoding() {
    let repo = Repo::with_finding();
    let mut legacy = b"# -*- coding: iso-8859-1 -*-\n".to_vec();
    legacy.extend(
        CLIENT_PY
            .replace("import requests\n", "import requests  # caf?\n")
            .bytes(),
    );
    let accent = legacy.iter().position(|&b| b == b'?').unwrap();
    legacy[accent] = 0xe9;
    std::fs::write(repo.path("app/client.py"), legacy).unwrap();
    let out = check(&repo, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("app/client.py:8:16: warning[missing-timeout]"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stderr, "");
}

// --- rule selection -----------------------------------------------------------------

#[test]
fn select_and_ignore_take_ids_and_categories() {
    let repo = Repo::with_finding();
    assert_eq!(check(&repo, &["--select", "missing-timeout"]).code, 1);
    assert_eq!(check(&repo, &["--select", "reliability"]).code, 1);
    assert_eq!(check(&repo, &["--select", "security,performance"]).code, 0);
    assert_eq!(check(&repo, &["--select", "all"]).code, 1);
    assert_eq!(check(&repo, &["--ignore", "missing-timeout"]).code, 0);
    assert_eq!(check(&repo, &["--ignore", "reliability"]).code, 0);
    assert_eq!(
        check(&repo, &["--select", "all", "--ignore", "all"]).code,
        0
    );
}

#[test]
fn select_keeps_parse_error_notices() {
    let repo = Repo::new();
    repo.write("app/views.py", BROKEN_PY);
    let out = check(&repo, &["--select", "missing-timeout"]);
    assert!(out.stdout.contains("info[parse-error]"), "{}", out.stdout);
    let out = check(&repo, &["--ignore", "parse-error"]);
    assert_eq!(out.stdout, "");
}

#[test]
fn cli_select_replaces_config_select_and_cli_ignore_adds() {
    let repo = Repo::with_finding();
    repo.write("corbel.toml", "select = [\"security\"]\n");
    assert_eq!(check(&repo, &[]).code, 0);
    assert_eq!(check(&repo, &["--select", "missing-timeout"]).code, 1);

    repo.write("corbel.toml", "ignore = [\"parse-error\"]\n");
    repo.write("app/views.py", BROKEN_PY);
    let out = check(&repo, &["--ignore", "missing-timeout", "--fail-on", "info"]);
    assert_eq!(out.code, 0, "both ignores apply: {}", out.stdout);
}

#[test]
fn severity_can_be_raised_or_turned_off() {
    let repo = Repo::with_finding();
    repo.write(
        "corbel.toml",
        "[rules.missing-timeout]\nseverity = \"error\"\n",
    );
    let out = check(&repo, &["--fail-on", "error"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("error[missing-timeout]"),
        "{}",
        out.stdout
    );

    repo.write(
        "corbel.toml",
        "[rules.missing-timeout]\nseverity = \"off\"\n",
    );
    let out = check(&repo, &[]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "");
}

#[test]
fn fail_on_from_config_and_flag_override() {
    let repo = Repo::with_finding();
    repo.write("corbel.toml", "fail-on = \"error\"\n");
    assert_eq!(check(&repo, &[]).code, 0);
    assert_eq!(check(&repo, &["--fail-on", "warning"]).code, 1);
}

// --- config discovery ---------------------------------------------------------------

const IGNORE_TIMEOUTS: &str = "ignore = [\"missing-timeout\"]\n";

#[test]
fn corbel_toml_is_found_from_a_subdirectory() {
    let repo = Repo::with_finding();
    repo.write("corbel.toml", IGNORE_TIMEOUTS);
    assert_eq!(run(repo.corbel_in("app").arg("check")).code, 0);
    assert_eq!(
        run(repo.corbel_in("app").args(["check", "--no-config"])).code,
        1
    );
}

#[test]
fn dot_corbel_toml_is_found() {
    let repo = Repo::with_finding();
    repo.write(".corbel.toml", IGNORE_TIMEOUTS);
    assert_eq!(check(&repo, &[]).code, 0);
}

#[test]
fn pyproject_tool_corbel_is_found() {
    let repo = Repo::with_finding();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"billing\"\n\n[tool.corbel]\nignore = [\"missing-timeout\"]\n",
    );
    assert_eq!(check(&repo, &[]).code, 0);
}

#[test]
fn pyproject_without_tool_corbel_is_skipped() {
    let repo = Repo::with_finding();
    repo.write("corbel.toml", IGNORE_TIMEOUTS);
    repo.write(
        "app/pyproject.toml",
        "[project]\nname = \"billing\"\n\n[tool.ruff]\nline-length = 100\n",
    );
    assert_eq!(run(repo.corbel_in("app").arg("check")).code, 0);
}

#[test]
fn corbel_toml_wins_over_pyproject_in_the_same_directory() {
    let repo = Repo::with_finding();
    repo.write("corbel.toml", "fail-on = \"warning\"\n");
    repo.write(
        "pyproject.toml",
        "[tool.corbel]\nignore = [\"missing-timeout\"]\n",
    );
    assert_eq!(check(&repo, &[]).code, 1);
}

#[test]
fn the_nearest_config_wins() {
    let repo = Repo::with_finding();
    repo.write("corbel.toml", IGNORE_TIMEOUTS);
    repo.write("app/corbel.toml", "fail-on = \"warning\"\n");
    assert_eq!(run(repo.corbel_in("app").arg("check")).code, 1);
}

#[test]
fn config_flag_names_the_file() {
    let repo = Repo::with_finding();
    repo.write("ci/corbel-strict.toml", "fail-on = \"info\"\n");
    repo.write("ci/lenient.toml", IGNORE_TIMEOUTS);
    assert_eq!(check(&repo, &["--config", "ci/lenient.toml"]).code, 0);
    let out = check(&repo, &["--config", "ci/missing.toml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("ci/missing.toml"), "{}", out.stderr);
}

// --- config errors ------------------------------------------------------------------

fn config_error(file: &str, contents: &str) -> String {
    let repo = Repo::with_finding();
    repo.write(file, contents);
    let out = check(&repo, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "", "nothing is linted with a broken config");
    out.stderr
}

#[test]
fn unknown_key_names_file_line_and_suggestion() {
    let stderr = config_error(
        "corbel.toml",
        "select = [\"reliability\"]\nfail_on = \"error\"\n",
    );
    assert!(
        stderr.contains("invalid configuration in corbel.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown key `fail_on`"), "{stderr}");
    assert!(stderr.contains("[corbel.toml:2:1]"), "{stderr}");
    assert!(stderr.contains("did you mean `fail-on`?"), "{stderr}");
}

const ROOMS_PY: &str = r#"from flask import Flask, jsonify

from .db import session
from .models import Booking, Room

app = Flask(__name__)


@app.get("/rooms")
def list_rooms():
    return jsonify([r.to_dict() for r in session.query(Room).all()])


@app.get("/bookings")
def list_bookings():
    return jsonify([b.to_dict() for b in session.query(Booking).all()])
"#;

#[test]
fn rule_options_come_from_the_rule_table() {
    let repo = Repo::new();
    repo.write("app/views.py", ROOMS_PY);
    // Bookings come from use; rooms are set up by hand, and only the team knows how many.
    let before = check(&repo, &["--select", "unbounded-query"]);
    assert_eq!(before.stdout.lines().count(), 1, "{}", before.stdout);
    assert!(before.stdout.contains("`Booking`"), "{}", before.stdout);
    repo.write(
        "corbel.toml",
        "[rules.unbounded-query]\nsmall-tables = [\"booking\"]\nlarge-tables = [\"ROOM\"]\n",
    );
    let after = check(&repo, &["--select", "unbounded-query"]);
    assert_eq!(after.code, 1, "{}", after.stderr);
    assert!(after.stdout.contains("`Room`"), "{}", after.stdout);
    assert!(!after.stdout.contains("`Booking`"), "{}", after.stdout);
}

#[test]
fn rule_options_are_checked_against_the_rule() {
    let stderr = config_error(
        "corbel.toml",
        "[rules.unbounded-query]\nsmall-table = [\"Room\"]\n",
    );
    assert!(stderr.contains("did you mean `small-tables`?"), "{stderr}");
    let stderr = config_error(
        "corbel.toml",
        "[rules.unbounded-query]\nsmall-tables = \"Room\"\n",
    );
    assert!(stderr.contains("must be an array of strings"), "{stderr}");
    let stderr = config_error(
        "corbel.toml",
        "[rules.missing-timeout]\nsmall-tables = [\"Room\"]\n",
    );
    assert!(
        stderr.contains("unknown key `small-tables` in `[rules.missing-timeout]`"),
        "{stderr}"
    );
}

#[test]
fn unknown_rule_ids_and_categories_are_errors() {
    let stderr = config_error(
        "corbel.toml",
        "select = [\"securty\"]\n\n[per-file-ignores]\n\"tests/**\" = [\"missing-timeot\"]\n\n[rules.missing-timout]\nseverity = \"error\"\n",
    );
    assert!(stderr.contains("[corbel.toml:1:11]"), "{stderr}");
    assert!(stderr.contains("did you mean `security`?"), "{stderr}");
    assert!(stderr.contains("[corbel.toml:4:15]"), "{stderr}");
    assert!(stderr.contains("[corbel.toml:6:8]"), "{stderr}");
    assert_eq!(
        stderr.matches("did you mean `missing-timeout`?").count(),
        2,
        "{stderr}"
    );
}

#[test]
fn bad_values_are_errors() {
    let stderr = config_error(
        "corbel.toml",
        "fail-on = \"warn\"\nexclude = \"migrations\"\n\n[rules.missing-timeout]\nseverity = \"critical\"\ntimeout = 3\n",
    );
    assert!(stderr.contains("invalid value for `fail-on`"), "{stderr}");
    assert!(stderr.contains("did you mean \"warning\"?"), "{stderr}");
    assert!(
        stderr.contains("`exclude` must be an array of strings"),
        "{stderr}"
    );
    assert!(
        stderr.contains("invalid value for `rules.missing-timeout.severity`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown key `timeout` in `[rules.missing-timeout]`"),
        "{stderr}"
    );
    assert!(stderr.contains("[corbel.toml:6:1]"), "{stderr}");
}

#[test]
fn invalid_globs_are_errors() {
    let stderr = config_error("corbel.toml", "exclude = [\"migrations/[0-9\"]\n");
    assert!(
        stderr.contains("invalid glob `migrations/[0-9`"),
        "{stderr}"
    );
    assert!(stderr.contains("[corbel.toml:1:12]"), "{stderr}");
}

#[test]
fn toml_syntax_errors_are_errors() {
    let stderr = config_error("corbel.toml", "select = [\"security\"\nignore = []\n");
    assert!(stderr.contains("invalid TOML"), "{stderr}");
    assert!(stderr.contains("corbel.toml:"), "{stderr}");
}

#[test]
fn pyproject_errors_point_into_the_pyproject() {
    let stderr = config_error(
        "pyproject.toml",
        "[project]\nname = \"billing\"\n\n[tool.corbel]\nselct = [\"security\"]\n",
    );
    assert!(
        stderr.contains("unknown key `tool.corbel.selct`"),
        "{stderr}"
    );
    assert!(stderr.contains("[pyproject.toml:5:1]"), "{stderr}");
    assert!(stderr.contains("did you mean `select`?"), "{stderr}");
}

// --- paths: exclude, per-file-ignores, .gitignore -------------------------------------

#[test]
fn per_file_ignores_apply_to_matching_files() {
    let repo = Repo::with_finding();
    repo.write("tests/test_client.py", CLIENT_PY);
    repo.write("app/conftest.py", CLIENT_PY);
    repo.write(
        "corbel.toml",
        "[per-file-ignores]\n\"tests/**\" = [\"missing-timeout\"]\n\"conftest.py\" = [\"reliability\"]\n",
    );
    let out = check(&repo, &[]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(out.stdout.starts_with(FINDING), "{}", out.stdout);
}

#[test]
fn per_file_ignores_are_relative_to_the_config_inside_a_monorepo() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path(".git")).unwrap();
    repo.write("services/api/app/client.py", CLIENT_PY);
    repo.write("services/api/tests/test_client.py", CLIENT_PY);
    repo.write(
        "services/api/corbel.toml",
        "[per-file-ignores]\n\"tests/**\" = [\"missing-timeout\"]\n",
    );
    let out = run(repo
        .corbel_in("services/api")
        .args(["check", "-f", "concise"]));
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout.starts_with("services/api/app/client.py:7:16"),
        "paths are relative to the git work tree: {}",
        out.stdout
    );
}

#[test]
fn exclude_applies_to_walked_and_explicit_files() {
    let repo = Repo::with_finding();
    repo.write("app/migrations/0002_backfill.py", CLIENT_PY);
    repo.write("scripts/seed.py", CLIENT_PY);
    repo.write("scripts/ops/rotate.py", CLIENT_PY);
    repo.write(
        "corbel.toml",
        "exclude = [\"migrations\", \"scripts/*.py\"]\n",
    );
    let out = check(&repo, &[]);
    let files: Vec<&str> = out
        .stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        files,
        ["app/client.py", "scripts/ops/rotate.py"],
        "{}",
        out.stdout
    );

    // pre-commit passes every staged file by name; excluded ones stay excluded.
    let out = check(
        &repo,
        &["app/migrations/0002_backfill.py", "scripts/seed.py"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(out.stdout, "");
}

#[test]
fn gitignored_files_stay_ignored_when_passed_explicitly() {
    let repo = Repo::with_finding();
    repo.write(".gitignore", "*_pb2.py\n");
    repo.write("app/billing_pb2.py", CLIENT_PY);
    let out = check(&repo, &["app/billing_pb2.py"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(check(&repo, &["app"]).stdout.lines().count(), 1);
}

#[test]
fn files_in_gitignored_directories_stay_ignored_when_passed_explicitly() {
    let repo = Repo::with_finding();
    repo.write(".gitignore", "generated/\n");
    repo.write("generated/client.py", CLIENT_PY);
    let out = check(&repo, &["generated/client.py"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(check(&repo, &["."]).stdout.lines().count(), 1);
}

// --- stdin --------------------------------------------------------------------------

#[test]
fn stdin_is_linted_under_its_filename() {
    let repo = Repo::new();
    let out = run(repo
        .corbel()
        .args([
            "check",
            "-f",
            "concise",
            "-",
            "--stdin-filename",
            "app/client.py",
        ])
        .write_stdin(CLIENT_PY));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.starts_with(FINDING), "{}", out.stdout);
}

#[test]
fn stdin_needs_a_filename() {
    let repo = Repo::new();
    let out = run(repo.corbel().args(["check", "-"]).write_stdin(CLIENT_PY));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--stdin-filename"), "{}", out.stderr);

    let out = run(repo
        .corbel()
        .args(["check", "-", "--stdin-filename", "notes.txt"])
        .write_stdin(CLIENT_PY));
    assert_eq!(out.code, 2, "an unknown language cannot be linted");
    let out = run(repo
        .corbel()
        .args(["check", "-", "app", "--stdin-filename", "a.py"])
        .write_stdin(CLIENT_PY));
    assert_eq!(out.code, 2);
}

#[test]
fn stdin_honours_per_file_ignores_and_exclude() {
    let repo = Repo::new();
    repo.write(
        "corbel.toml",
        "exclude = [\"migrations\"]\n\n[per-file-ignores]\n\"tests/**\" = [\"missing-timeout\"]\n",
    );
    for name in ["tests/test_client.py", "app/migrations/0003_sync.py"] {
        let out = run(repo
            .corbel()
            .args(["check", "-f", "concise", "-", "--stdin-filename", name])
            .write_stdin(CLIENT_PY));
        assert_eq!(out.code, 0, "{name}: {}", out.stdout);
        assert_eq!(out.stdout, "");
    }
}

// --- output -------------------------------------------------------------------------

#[test]
fn every_format_reports_the_finding() {
    let repo = Repo::with_finding();
    for format in ["text", "concise", "json", "sarif", "github"] {
        let out = run(repo.corbel().args(["check", "--format", format]));
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            out.stdout.contains("missing-timeout"),
            "{format}: {}",
            out.stdout
        );
    }
}

#[test]
fn json_paths_are_relative_and_slash_separated() {
    let repo = Repo::with_finding();
    let out = run(repo.corbel().args(["check", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["rule"], "missing-timeout");
    assert_eq!(json["findings"][0]["path"], "app/client.py");
    assert_eq!(json["findings"][0]["line"], 7);
}

#[test]
fn sarif_root_is_the_git_work_tree() {
    let repo = Repo::with_finding();
    std::fs::create_dir_all(repo.path(".git")).unwrap();
    let out = run(repo
        .corbel_in("app")
        .args(["check", "--format", "sarif", "."]));
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let location = &run["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "app/client.py");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(root.starts_with("file://") && root.ends_with('/'), "{root}");
}

#[test]
fn github_annotations_name_the_file() {
    let repo = Repo::with_finding();
    let out = run(repo.corbel().args(["check", "--format", "github"]));
    assert!(
        out.stdout
            .starts_with("::warning file=app/client.py,line=7,"),
        "{}",
        out.stdout
    );
}

#[test]
fn statistics_replace_the_findings() {
    let repo = Repo::with_finding();
    let out = run(repo.corbel().args(["check", "--statistics"]));
    assert_eq!(out.code, 1, "statistics do not change the exit code");
    assert!(out.stdout.contains("missing-timeout"), "{}", out.stdout);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let repo = Repo::with_finding();
    let out = check(&repo, &["--output", "corbel-report.txt"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    let written = std::fs::read_to_string(repo.path("corbel-report.txt")).unwrap();
    assert!(written.starts_with(FINDING), "{written}");
}

#[test]
fn an_unwritable_output_exits_2() {
    let repo = Repo::with_finding();
    let out = check(&repo, &["-o", "reports/missing-dir/corbel.sarif"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("cannot write reports/missing-dir/corbel.sarif"),
        "{}",
        out.stderr
    );
}

#[test]
fn thread_count_does_not_change_the_output() {
    let repo = Repo::with_finding();
    for i in 0..6 {
        repo.write(&format!("app/service_{i}.py"), CLIENT_PY);
    }
    let one = check(&repo, &["-j", "1"]);
    let four = check(&repo, &["--threads", "4"]);
    assert_eq!(one.stdout, four.stdout);
    assert_eq!(one.stdout.lines().count(), 7);
}

// --- rule docs ----------------------------------------------------------------------

#[test]
fn rule_prints_the_doc_without_front_matter() {
    let out = run(cargo_bin_cmd!("corbel").args(["rule", "missing-timeout"]));
    assert_eq!(out.code, 0);
    let first = out.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("missing-timeout · reliability · default severity: warning · languages: python, typescript, javascript"),
        "{first}"
    );
    assert!(out.stdout.contains("# missing-timeout"));
    assert!(!out.stdout.contains("\n---\n"), "{}", out.stdout);
}

#[test]
fn unknown_rule_exits_2_with_a_suggestion() {
    let out = run(cargo_bin_cmd!("corbel").args(["rule", "missing-timeouts"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unknown rule `missing-timeouts`"));
    assert!(
        out.stderr.contains("did you mean `missing-timeout`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn rules_lists_every_rule() {
    let out = run(cargo_bin_cmd!("corbel").arg("rules"));
    assert_eq!(out.code, 0);
    for id in [
        "missing-timeout",
        "parse-error",
        "blanket-suppression",
        "unused-suppression",
    ] {
        assert!(out.stdout.contains(id), "{id}: {}", out.stdout);
    }
    let out = run(cargo_bin_cmd!("corbel").args(["rules", "--format", "json"]));
    let rules: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let timeout = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["id"] == "missing-timeout")
        .unwrap();
    assert_eq!(timeout["category"], "reliability");
    assert_eq!(timeout["severity"], "warning");
}

#[test]
fn version_is_printed() {
    let out = run(cargo_bin_cmd!("corbel").arg("--version"));
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout.trim(),
        format!("corbel {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn timings_go_to_stderr_and_leave_the_report_alone() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT_PY);
    let plain = check(&repo, &[]);
    let timed = check(&repo, &["--timings", "--no-cache"]);
    assert_eq!(plain.stdout, timed.stdout);
    for phase in [
        "walk",
        "read",
        "prefilter",
        "parse",
        "rules",
        "suppressions",
        "project pass",
        "report",
        "total (wall)",
    ] {
        assert!(
            timed.stderr.contains(phase),
            "{phase} missing in:\n{}",
            timed.stderr
        );
    }
    assert!(
        timed.stderr.contains("1 files parsed (100.0%)"),
        "{}",
        timed.stderr
    );
    // `requests` lets missing-timeout through; no other rule's triggers hold.
    let through: Vec<&str> = timed
        .stderr
        .lines()
        .skip_while(|line| !line.starts_with("files each rule"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect();
    assert_eq!(through.len(), 1, "{}", timed.stderr);
    assert!(through[0].contains("missing-timeout"), "{}", timed.stderr);
}

/// Runs `corbel check` with the cache in `cache` and returns (stdout, stderr).
fn cached_run(repo: &Repo, cache: &std::path::Path, extra: &[&str]) -> (String, String) {
    let cache = cache.to_string_lossy().into_owned();
    let mut args = vec!["--timings", "--cache-dir", cache.as_str()];
    args.extend_from_slice(extra);
    let outcome = check(repo, &args);
    (outcome.stdout, outcome.stderr)
}

#[test]
fn a_warm_cache_gives_the_same_report_without_parsing() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT_PY);
    repo.write("app/clean.py", CLEAN_PY);
    let cache = tempfile::tempdir().unwrap();
    let (cold, cold_timings) = cached_run(&repo, cache.path(), &[]);
    let (warm, warm_timings) = cached_run(&repo, cache.path(), &[]);
    assert_eq!(cold, warm);
    assert!(cold_timings.contains("2 files parsed"), "{cold_timings}");
    assert!(warm_timings.contains("0 files parsed"), "{warm_timings}");
    assert!(cache.path().join(".gitignore").is_file());

    // A changed file is linted again; the unchanged one still comes from the cache.
    repo.write("app/clean.py", CLIENT_PY);
    let (changed, changed_timings) = cached_run(&repo, cache.path(), &[]);
    assert!(
        changed_timings.contains("1 files parsed"),
        "{changed_timings}"
    );
    assert_eq!(changed.matches("missing-timeout").count(), 2, "{changed}");
}

#[test]
fn a_corrupt_cache_is_rebuilt_not_trusted() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT_PY);
    let cache = tempfile::tempdir().unwrap();
    let (cold, _) = cached_run(&repo, cache.path(), &[]);
    let mut entries = Vec::new();
    let mut pending = vec![cache.path().to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                entries.push(path);
            }
        }
    }
    assert_eq!(entries.len(), 1);
    // Truncated half way, then a flipped payload with the old checksum.
    let text = std::fs::read_to_string(&entries[0]).unwrap();
    std::fs::write(&entries[0], &text[..text.len() / 2]).unwrap();
    let (after_truncation, timings) = cached_run(&repo, cache.path(), &[]);
    assert_eq!(cold, after_truncation);
    assert!(timings.contains("1 files parsed"), "{timings}");
    let text = std::fs::read_to_string(&entries[0]).unwrap();
    std::fs::write(
        &entries[0],
        text.replace("missing-timeout", "missing-timeoux"),
    )
    .unwrap();
    let (after_tampering, timings) = cached_run(&repo, cache.path(), &[]);
    assert_eq!(cold, after_tampering);
    assert!(timings.contains("1 files parsed"), "{timings}");
}

#[test]
fn a_changed_config_invalidates_the_cache() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT_PY);
    let cache = tempfile::tempdir().unwrap();
    let (warning, _) = cached_run(&repo, cache.path(), &[]);
    assert!(warning.contains("warning[missing-timeout]"), "{warning}");
    repo.write(
        "corbel.toml",
        "[rules.missing-timeout]\nseverity = \"error\"\n",
    );
    let (error, timings) = cached_run(&repo, cache.path(), &[]);
    assert!(error.contains("error[missing-timeout]"), "{error}");
    assert!(timings.contains("1 files parsed"), "{timings}");
}

#[test]
fn no_cache_writes_nothing() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT_PY);
    check(&repo, &["--no-cache"]);
    assert!(!repo.path(".corbel_cache").exists());
    check(&repo, &[]);
    assert!(repo.path(".corbel_cache").is_dir());
}

const UNBOUNDED_VIEW_PY: &str = r#"from django.http import JsonResponse

from .models import Order


def export_orders(request):
    orders = list(Order.objects.filter(status="open"))
    return JsonResponse({"orders": [o.id for o in orders]})
"#;

#[test]
fn preview_rules_run_only_when_selected_by_id() {
    let repo = Repo::new();
    repo.write("shop/views.py", UNBOUNDED_VIEW_PY);
    let default = check(&repo, &[]);
    assert!(
        !default.stdout.contains("unbounded-query"),
        "{}",
        default.stdout
    );
    let by_category = check(&repo, &["--select", "performance"]);
    assert!(
        !by_category.stdout.contains("unbounded-query"),
        "{}",
        by_category.stdout
    );
    let by_id = check(&repo, &["--select", "unbounded-query"]);
    assert!(by_id.stdout.contains("unbounded-query"), "{}", by_id.stdout);
}
