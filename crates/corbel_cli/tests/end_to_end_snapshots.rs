//! Snapshots of what users see end to end: the binary run on a small service with a
//! Python and a TypeScript file, rendered as text, SARIF and JSON. A change in a rule
//! message, a span or a reporter shows up here as a reviewable diff.
#![allow(clippy::unwrap_used)]

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

const CLIENT_PY: &str = r#"import requests
import requests as rq


class WarehouseClient:
    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()

    def stock_level(self, sku):
        return self.session.get(f"{self.base_url}/stock/{sku}").json()

    def reserve(self, sku):
        # corbel: ignore[missing-timeout] -- the reservation API streams, the worker has a deadline
        return rq.post(f"{self.base_url}/reservations", json={"sku": sku})


def ping(url):
    return requests.get(url, timeout=2).ok
"#;

const GATEWAY_TS: &str = r#"import axios from "axios";

const catalog = axios.create({ baseURL: "http://catalog:3000" });

export async function product(id: string) {
  return (await catalog.get(`/products/${id}`)).data;
}

export async function price(sku: string) {
  const res = await fetch(`http://pricing/prices/${sku}`, { signal: AbortSignal.timeout(2_000) });
  return res.json();
}
"#;

fn service() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir_all(dir.path().join("inventory")).unwrap();
    std::fs::write(dir.path().join("inventory/client.py"), CLIENT_PY).unwrap();
    std::fs::write(dir.path().join("inventory/gateway.ts"), GATEWAY_TS).unwrap();
    dir
}

fn run(dir: &TempDir, args: &[&str]) -> String {
    let output = cargo_bin_cmd!("corbel")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(["check", "--no-config"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let root = dir.path().to_string_lossy().into_owned();
    String::from_utf8(output.stdout)
        .unwrap()
        .replace(&root, "[ROOT]")
}

#[test]
fn text_output() {
    let dir = service();
    let text = run(&dir, &["--format", "text"]);
    // The elapsed time is the one varying part of the text report.
    let (body, summary) = text.trim_end().rsplit_once(", ").unwrap();
    assert!(summary.ends_with('s'), "{summary}");
    insta::assert_snapshot!(body);
}

#[test]
fn sarif_output() {
    let dir = service();
    insta::assert_snapshot!(run(&dir, &["--format", "sarif"]));
}

#[test]
fn json_output_with_suppressed_findings() {
    let dir = service();
    insta::assert_snapshot!(run(&dir, &["--format", "json", "--include-suppressed"]));
}

#[test]
fn output_is_identical_across_thread_counts() {
    let dir = service();
    let one = run(&dir, &["--format", "sarif", "--threads", "1"]);
    let two = run(&dir, &["--format", "sarif", "--threads", "2"]);
    assert_eq!(one, two);
}
