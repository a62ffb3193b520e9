//! Baselines (`--baseline`, `--write-baseline`, `--prune-baseline`), changed-code modes
//! (`--diff-base`, `--staged`) and the SARIF options for code scanning, run as a user
//! would: in throwaway git repositories.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::{run, Outcome, Repo};

/// Two outbound calls without a deadline (lines 7 and 11).
const LEGACY_PY: &str = r#"import requests

LEDGER = "http://ledger:8080"


def fetch_invoice(invoice_id):
    return requests.get(f"{LEDGER}/invoices/{invoice_id}")


def fetch_customer(customer_id):
    return requests.get(f"{LEDGER}/customers/{customer_id}")
"#;

const CLEAN_PY: &str =
    "import requests\n\n\ndef ping():\n    return requests.get(\"http://x\", timeout=3)\n";

impl Repo {
    /// `corbel check --no-cache ARGS` from the repository root.
    fn check(&self, args: &[&str]) -> Outcome {
        self.check_in(self.root(), args)
    }

    fn check_in(&self, dir: &Path, args: &[&str]) -> Outcome {
        run(self.corbel_at(dir).args(["check", "--no-cache"]).args(args))
    }

    /// Concise findings, one `path:line` per finding.
    fn findings(&self, args: &[&str]) -> Vec<String> {
        let out = self.check(&[&["--format", "concise"], args].concat());
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        out.stdout
            .lines()
            .map(|line| line.splitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
            .collect()
    }

    fn sarif(&self, args: &[&str]) -> Value {
        let out = self.check(&[&["--format", "sarif"], args].concat());
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        serde_json::from_str(&out.stdout).unwrap()
    }
}

fn fingerprints(sarif: &Value) -> Vec<(String, String)> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            (
                result["ruleId"].as_str().unwrap().to_string(),
                result["partialFingerprints"]["corbelFingerprint/v2"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

// --- baselines ----------------------------------------------------------------------

#[test]
fn write_baseline_then_baseline_reports_nothing() {
    let repo = Repo::git_init();
    repo.write("billing/client.py", LEGACY_PY);
    let out = repo.check(&["--write-baseline", "corbel-baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("recorded 2 findings in corbel-baseline.json"),
        "{}",
        out.stderr
    );

    let baseline: Value = serde_json::from_str(&repo.read("corbel-baseline.json")).unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["fingerprints"], "corbelFingerprint/v2");
    let findings = baseline["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    for finding in findings {
        assert_eq!(finding["rule"], "missing-timeout");
        assert_eq!(finding["path"], "billing/client.py");
        assert!(finding["message"].as_str().unwrap().contains("no timeout"));
        assert_eq!(finding.as_object().unwrap().len(), 4, "{finding}");
    }

    // Deterministic: recording again gives the same bytes.
    let first = repo.read("corbel-baseline.json");
    repo.check(&["--write-baseline", "corbel-baseline.json"]);
    assert_eq!(first, repo.read("corbel-baseline.json"));

    let out = repo.check(&["--baseline", "corbel-baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("No findings"), "{}", out.stdout);
    assert!(!out.stderr.contains("no longer match"), "{}", out.stderr);
}

#[test]
fn baselined_findings_survive_lines_inserted_above() {
    let repo = Repo::git_init();
    repo.write("billing/client.py", LEGACY_PY);
    repo.check(&["--write-baseline", "baseline.json"]);
    let before = fingerprints(&repo.sarif(&[]));
    assert_eq!(before.len(), 2);

    let shifted = format!("\"\"\"Ledger client.\"\"\"\n\nimport logging\n\nlog = logging.getLogger(__name__)\n{LEGACY_PY}");
    repo.write("billing/client.py", &shifted);
    assert_eq!(
        repo.findings(&["--baseline", "baseline.json"]),
        Vec::<String>::new()
    );
    let after = repo.sarif(&[]);
    assert_eq!(fingerprints(&after), before);
    // Same identities, new lines.
    let line =
        &after["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"];
    assert_eq!(line, 12);
}

#[test]
fn only_the_new_finding_is_reported() {
    let repo = Repo::git_init();
    repo.write("billing/client.py", LEGACY_PY);
    repo.check(&["--write-baseline", "baseline.json"]);

    // A new call with no deadline, above the old ones in a function they share.
    let edited = LEGACY_PY.replace(
        "def fetch_invoice(invoice_id):\n",
        "def fetch_invoice(invoice_id):\n    requests.post(f\"{LEDGER}/audit\", json={\"id\": invoice_id})\n",
    );
    repo.write("billing/client.py", &edited);
    let out = repo.check(&["--format", "concise", "--baseline", "baseline.json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    assert!(
        lines[0].starts_with("billing/client.py:7:5: warning[missing-timeout] `requests.post()`"),
        "{}",
        out.stdout
    );
}

#[test]
fn stale_entries_are_counted_and_pruned() {
    let repo = Repo::git_init();
    repo.write("billing/client.py", LEGACY_PY);
    repo.write(
        "billing/other.py",
        "import requests\nrequests.delete(URL)\n",
    );
    repo.check(&["--write-baseline", "baseline.json"]);

    // Fix one finding: its entry no longer matches.
    repo.write(
        "billing/client.py",
        &LEGACY_PY.replace(
            "/customers/{customer_id}\")",
            "/customers/{customer_id}\", timeout=5)",
        ),
    );
    let out = repo.check(&["--baseline", "baseline.json", "--format", "concise"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "1 baseline entry no longer matches; `--prune-baseline` rewrites the file without them"
        ),
        "{}",
        out.stderr
    );

    // A run over part of the repository never calls other files' entries stale.
    let out = repo.check(&["billing/other.py", "--baseline", "baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("no longer match"), "{}", out.stderr);
    let out = repo.check(&["--baseline", "baseline.json", "--select", "parse-error"]);
    assert!(!out.stderr.contains("no longer match"), "{}", out.stderr);

    let out = repo.check(&["--baseline", "baseline.json", "--prune-baseline"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("removed 1 baseline entry that no longer matches from baseline.json"),
        "{}",
        out.stderr
    );
    let pruned: Value = serde_json::from_str(&repo.read("baseline.json")).unwrap();
    let paths: Vec<&str> = pruned["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["billing/client.py", "billing/other.py"]);

    let out = repo.check(&["--baseline", "baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("no longer match"), "{}", out.stderr);

    // A deleted file's entries are stale too.
    std::fs::remove_file(repo.path("billing/other.py")).unwrap();
    let out = repo.check(&["--baseline", "baseline.json"]);
    assert!(
        out.stderr.contains("1 baseline entry no longer matches"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_or_invalid_baseline_exits_2() {
    let repo = Repo::git_init();
    repo.write("app.py", LEGACY_PY);
    let out = repo.check(&["--baseline", "nope.json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("cannot read baseline nope.json: no such file"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--write-baseline nope.json"),
        "{}",
        out.stderr
    );

    for (contents, says) in [
        ("{", "is not a valid corbel baseline"),
        ("[]", "it has no `version`"),
        (r#"{"version": 7, "findings": []}"#, "format version 7"),
        (
            r#"{"version": 1, "fingerprints": "corbelFingerprint/v2", "findings": [{"rule": 1}]}"#,
            "is not a valid corbel baseline",
        ),
        (
            r#"{"version": 1, "fingerprints": "corbelFingerprint/v1", "findings": []}"#,
            "none of its entries can match",
        ),
    ] {
        repo.write("bad.json", contents);
        let out = repo.check(&["--baseline", "bad.json"]);
        assert_eq!(out.code, 2, "{contents}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{contents}: {}", out.stderr);
        assert_eq!(out.stdout, "", "nothing is linted with a bad baseline");
    }

    // A run that failed on a path records nothing.
    let out = repo.check(&["app.py", "missing.py", "--write-baseline", "new.json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("did not write new.json"),
        "{}",
        out.stderr
    );
    assert!(!repo.path("new.json").exists());

    let out = repo.check(&["--prune-baseline"]);
    assert_eq!(out.code, 2, "--prune-baseline needs --baseline");
    let out = repo.check(&["--write-baseline", "b.json", "--baseline", "b.json"]);
    assert_eq!(out.code, 2);
}

// --- changed-code modes -------------------------------------------------------------

#[test]
fn diff_base_reports_only_lines_changed_on_the_branch() {
    let repo = Repo::git_init();
    repo.write("billing/client.py", LEGACY_PY);
    repo.write("billing/legacy.py", "import requests\nrequests.get(OLD)\n");
    repo.commit_all("legacy code");
    repo.git(&["checkout", "-q", "-b", "feature"]);

    // One new bad line among the old ones, committed on the branch.
    let edited = LEGACY_PY.replace(
        "\n\ndef fetch_customer",
        "\n\ndef fetch_refund(refund_id):\n    return requests.get(f\"{LEDGER}/refunds/{refund_id}\")\n\n\ndef fetch_customer",
    );
    repo.write("billing/client.py", &edited);
    repo.commit_all("refunds");
    assert_eq!(
        repo.findings(&["--diff-base", "main"]),
        ["billing/client.py:11"]
    );
    // The full run still sees all four.
    assert_eq!(repo.findings(&[]).len(), 4);

    // Uncommitted edits and untracked files count too: the working tree is compared.
    repo.write("billing/new.py", "import requests\nrequests.get(NEW)\n");
    repo.write(
        "billing/legacy.py",
        "import requests\nrequests.get(OLD)\nrequests.post(OLD)\n",
    );
    assert_eq!(
        repo.findings(&["--diff-base", "main"]),
        [
            "billing/client.py:11",
            "billing/legacy.py:3",
            "billing/new.py:2"
        ]
    );

    // From a subdirectory, with a path: paths stay relative to the repository root.
    let out = repo.check_in(
        &repo.path("billing"),
        &["--diff-base", "main", "--format", "concise", "client.py"],
    );
    assert!(
        out.stdout.starts_with("billing/client.py:11:"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.lines().count(), 1);

    // The merge base, not main's tip: commits on main after the branch point do not
    // make the branch's old lines look new.
    repo.git(&["stash", "-u", "-q"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write(
        "billing/main_only.py",
        "import requests\nrequests.get(MAIN)\n",
    );
    repo.commit_all("main moves on");
    repo.git(&["checkout", "-q", "feature"]);
    assert_eq!(
        repo.findings(&["--diff-base", "main"]),
        ["billing/client.py:11"]
    );
}

#[test]
fn diff_base_errors_exit_2() {
    let repo = Repo::git_init();
    repo.write("app.py", LEGACY_PY);
    let out = repo.check(&["--diff-base", "main"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown git revision `main`") || out.stderr.contains("HEAD has none"),
        "{}",
        out.stderr
    );

    repo.commit_all("first");
    let out = repo.check(&["--diff-base", "origin/nope"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown git revision `origin/nope`"),
        "{}",
        out.stderr
    );
    let out = repo.check(&["--diff-base", "--staged"]);
    assert_eq!(out.code, 2);

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("app.py"), LEGACY_PY).unwrap();
    for flag in [&["--diff-base", "main"][..], &["--staged"]] {
        let out = repo.check_in(outside.path(), flag);
        assert_eq!(out.code, 2, "{flag:?}");
        assert!(
            out.stderr.contains("needs a git repository"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn staged_checks_the_index_not_the_working_tree() {
    let repo = Repo::git_init();
    repo.write("app/client.py", CLEAN_PY);
    repo.write("app/other.py", CLEAN_PY);
    repo.commit_all("clean");

    // Stage a bad line, then fix it in the working tree only: the commit would still
    // carry it.
    let bad = format!("{CLEAN_PY}\n\ndef charge():\n    return requests.post(\"http://pay\")\n");
    repo.write("app/client.py", &bad);
    repo.git(&["add", "app/client.py"]);
    repo.write(
        "app/client.py",
        &bad.replace("(\"http://pay\")", "(\"http://pay\", timeout=5)"),
    );
    // An unstaged bad line is not part of the commit.
    repo.write(
        "app/other.py",
        &format!("{CLEAN_PY}requests.get(\"http://x\")\n"),
    );

    assert_eq!(repo.findings(&["--staged"]), ["app/client.py:9"]);
    // Without --staged, the working tree: only the unstaged line.
    assert_eq!(repo.findings(&[]), ["app/other.py:6"]);

    // A staged file that is gone from the working tree is still checked.
    repo.write("app/new.py", "import requests\nrequests.get(NEW)\n");
    repo.git(&["add", "app/new.py"]);
    std::fs::remove_file(repo.path("app/new.py")).unwrap();
    assert_eq!(
        repo.findings(&["--staged"]),
        ["app/client.py:9", "app/new.py:2"]
    );
}

#[test]
fn staged_works_before_the_first_commit() {
    let repo = Repo::git_init();
    repo.write("app.py", "import requests\nrequests.get(URL)\n");
    repo.write("untracked.py", "import requests\nrequests.get(URL)\n");
    repo.git(&["add", "app.py"]);
    assert_eq!(repo.findings(&["--staged"]), ["app.py:2"]);
}

// --- SARIF for code scanning ----------------------------------------------------------

#[test]
fn sarif_category_sets_the_automation_id() {
    let repo = Repo::git_init();
    repo.write("app.py", LEGACY_PY);
    let sarif = repo.sarif(&["--sarif-category", "corbel-backend"]);
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "corbel-backend/"
    );
    assert!(repo.sarif(&[])["runs"][0]
        .get("automationDetails")
        .is_none());

    let out = repo.check(&["--sarif-category", "x"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--sarif-category only applies to --format sarif"),
        "{}",
        out.stderr
    );
}

#[test]
fn sarif_suppressions_are_in_source_with_the_reason() {
    let repo = Repo::git_init();
    repo.write(
        "app.py",
        "import requests\nrequests.get(URL)  # corbel: ignore[missing-timeout] -- the caller has a deadline\n",
    );
    let sarif = repo.sarif(&["--include-suppressed"]);
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"],
        serde_json::json!([{"kind": "inSource", "justification": "the caller has a deadline"}])
    );
}

#[test]
fn sarif_keeps_the_most_severe_results_under_the_limit() {
    let repo = Repo::git_init();
    repo.write(
        "corbel.toml",
        "[rules.blanket-suppression]\nseverity = \"error\"\n",
    );
    repo.write(
        "a_client.py",
        "import requests\nrequests.get(A)\nrequests.get(B)\n",
    );
    repo.write(
        "b_broken.py",
        "import requests\ndef f(:\n    requests.get(C, timeout=1)\n",
    );
    repo.write(
        "c_blanket.py",
        "import requests\nrequests.get(D, timeout=1)  # corbel: ignore\n",
    );

    let all = repo.sarif(&[]);
    let levels = |sarif: &Value| -> Vec<String> {
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}:{}",
                    r["ruleId"].as_str().unwrap(),
                    r["level"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        levels(&all),
        [
            "missing-timeout:warning",
            "missing-timeout:warning",
            "parse-error:note",
            "blanket-suppression:error"
        ]
    );

    let out = repo.check(&["--format", "sarif", "--sarif-max-results", "2"]);
    assert_eq!(out.code, 1, "the exit code still counts every finding");
    let kept: Value = serde_json::from_str(&out.stdout).unwrap();
    // The error, then the first warning in report order; kept results stay in report order.
    assert_eq!(
        levels(&kept),
        ["missing-timeout:warning", "blanket-suppression:error"]
    );
    assert!(
        out.stderr
            .contains("the SARIF report holds the 2 most severe findings and leaves out 2"),
        "{}",
        out.stderr
    );

    // Other formats are never cut.
    let out = repo.check(&["--format", "concise", "--sarif-max-results", "2"]);
    assert_eq!(out.stdout.lines().count(), 4);
    assert!(!out.stderr.contains("leaves out"));
}

// --- packaging ------------------------------------------------------------------------

/// The `corbel_cli` package lives at the repository root (so `cargo install --path .`
/// and pre-commit's Rust hooks work) with test discovery off: each test file here must
/// be listed in the root Cargo.toml, or it would silently never run.
#[test]
fn every_test_file_is_registered_in_the_root_manifest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let tests = root.join("crates/corbel_cli/tests");
    for entry in std::fs::read_dir(&tests).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".rs") {
            let path = format!("path = \"crates/corbel_cli/tests/{name}\"");
            assert!(
                manifest.contains(&path),
                "crates/corbel_cli/tests/{name} has no [[test]] entry in Cargo.toml"
            );
        }
    }
}
