//! The engine against hostile trees: binary, non-UTF-8, huge, deeply nested and broken
//! files, odd directory entries (directories named like sources, symlink loops, dangling
//! links, unreadable entries), and directories the walker must never enter. It must not
//! panic, hang or overflow its stack, must say why it skipped a file, and must give the
//! same answer with one thread as with two.

#![allow(clippy::unwrap_used)]

use corbel_engine::engine::MAX_FILE_BYTES;
use corbel_engine::{run, Input, RunResult, Settings, Severity};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Nesting depth of the deep-expression files: far beyond anything hand-written, deep
/// enough that any recursion over the syntax tree would show on a 2 MB thread stack.
const DEPTH: usize = 5_000;

fn settings(root: &Path, threads: usize) -> Settings {
    Settings {
        threads,
        ..corbel_rules::default_settings(root.to_path_buf())
    }
}

fn write(root: &Path, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, contents).unwrap();
    path
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Code that would show up as a `parse-error` finding if its file were ever linted,
/// and that mentions the trigger words so no prefilter can hide it.
const LEAK_PY: &str = "import requests\ndef leaked(:\n    requests.get(url)\n";
const LEAK_JS: &str = "import axios from 'axios';\nfunction leaked( {\n  axios.get(url);\n";

/// Files the walker must find, relative to the tree root.
const WALKED: &[&str] = &[
    "a/inside.py",
    "broken.py",
    "deep_calls.ts",
    "deep_parens.py",
    "deep_targets.py",
    "empty.py",
    "empty.ts",
    "huge.py",
    "large.py",
    "latin1.py",
    "locked.py",
    "public/app.js",
    "x.py",
];

/// Builds the hostile tree. Returns whether unreadable entries really are unreadable
/// (they are not for root, which ignores permission bits).
fn build_tree(root: &Path) -> bool {
    // A binary file with a source extension.
    let mut binary = b"requests\0\0\0\x7fELF\0".to_vec();
    binary.extend((0u8..=255).cycle().take(4096));
    write(root, "x.py", binary);

    // Latin-1, not UTF-8, and mentioning `requests` so a prefilter lets it through.
    write(
        root,
        "latin1.py",
        b"import requests\n# caf\xe9\nrequests.get(url)\n",
    );

    write(root, "empty.py", "");
    write(root, "empty.ts", "");

    // 5 MB of ordinary Python: mostly one-line constants (cheap to parse, so the test
    // stays fast in debug builds) with a function calling `requests` every 100 lines.
    let mut large = String::from("import requests\n\n");
    let mut n = 0;
    while large.len() < 5 * 1024 * 1024 {
        if n % 100 == 0 {
            writeln!(
                large,
                "def fetch_{n}(url):\n    return requests.get(url, timeout=5)\n"
            )
            .unwrap();
        }
        writeln!(
            large,
            "ENDPOINT_{n} = \"https://api.example.com/v1/resources/{n}/items?page=1&per_page=100\""
        )
        .unwrap();
        n += 1;
    }
    write(root, "large.py", large);

    // 5,000 nested parentheses and brackets around a call: `([([requests.get(url)])])`.
    let mut deep = String::from("import requests\nvalue = ");
    deep.push_str(&"([".repeat(DEPTH / 2));
    deep.push_str("requests.get(url)");
    deep.push_str(&"])".repeat(DEPTH / 2));
    deep.push('\n');
    write(root, "deep_parens.py", deep);

    // Deeply nested assignment and loop targets, and a deeply nested parameter annotation:
    // the semantic model binds the names inside them.
    let mut targets = String::from("import requests\n");
    let nested_target = format!("{}x{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    writeln!(targets, "{nested_target} = requests.get(url)").unwrap();
    writeln!(
        targets,
        "for {nested_target} in requests.get(url):\n    pass"
    )
    .unwrap();
    let nested_type = format!("{}int{}", "list[".repeat(DEPTH), "]".repeat(DEPTH));
    writeln!(
        targets,
        "def f(*args: {nested_type}):\n    return requests.get(url)"
    )
    .unwrap();
    // 5,000 nested scopes.
    writeln!(
        targets,
        "handler = {}requests.get(url)",
        "lambda: ".repeat(DEPTH)
    )
    .unwrap();
    write(root, "deep_targets.py", targets);

    // 5,000 nested calls in TypeScript around an `axios` call, then 1,000 nested `axios`
    // calls: a finding at every level, each needing its position and enclosing scope.
    // One level per line, as a formatter would write it (and long lines would make the
    // file look minified, which the engine does not lint).
    let mut calls = String::from("import axios from 'axios';\nconst value = ");
    calls.push_str(&"wrap(\n".repeat(DEPTH));
    calls.push_str("axios.get(url)");
    calls.push_str(&")\n".repeat(DEPTH));
    calls.push_str(";\n");
    let levels = DEPTH / 5;
    writeln!(
        calls,
        "const nested = {}url{};",
        "axios(\n".repeat(levels),
        ")\n".repeat(levels)
    )
    .unwrap();
    // ...and deeply nested destructuring and arrow functions (scopes).
    let pattern = format!("{}x{}", "{a:\n".repeat(DEPTH), "}\n".repeat(DEPTH));
    writeln!(calls, "const {pattern} = axios.get(url);").unwrap();
    writeln!(
        calls,
        "const handler = {}axios.get(url);",
        "() =>\n".repeat(DEPTH)
    )
    .unwrap();
    // A `this.x = ...` at every level of a deep nesting: each asks for its enclosing class.
    writeln!(
        calls,
        "const setup = {}axios.get(url){};",
        "() => (this.client = axios,\n".repeat(levels),
        ")\n".repeat(levels)
    )
    .unwrap();
    write(root, "deep_calls.ts", calls);

    // A syntax error on line 2.
    write(
        root,
        "broken.py",
        "import requests\ndef broken(:\n    requests.get(url)\n",
    );

    // A directory with a source extension: not a file, nothing to read.
    write(root, "dir/x.py/README.txt", "not python");

    // A named pipe with a source extension: opening it would block forever.
    #[cfg(unix)]
    {
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.py"))
            .status();
        assert!(made.is_ok_and(|status| status.success()), "mkfifo failed");
    }

    // A symlink loop and a dangling symlink with a source extension.
    write(
        root,
        "a/inside.py",
        "import requests\nrequests.get(url, timeout=5)\n",
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("..", root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink("missing.py", root.join("dangling.py")).unwrap();
    }

    // Over the size limit (mostly comment, so it would parse if it were read).
    let mut huge = String::from("import requests\n");
    huge.push_str(&"#".repeat(MAX_FILE_BYTES));
    huge.push('\n');
    write(root, "huge.py", huge);

    // Directories never walked, a minified bundle, and a gitignored file.
    write(root, "node_modules/pkg/index.js", LEAK_JS);
    write(root, "node_modules/pkg/index.py", LEAK_PY);
    write(root, "dist/bundle.js", LEAK_JS);
    write(root, "build/lib/app.py", LEAK_PY);
    write(root, ".venv/lib/site.py", LEAK_PY);
    write(root, "static/app.min.js", LEAK_JS);
    // A bundle (it ends with a source map comment): walked, but not linted.
    write(
        root,
        "public/app.js",
        format!("{LEAK_JS}//# sourceMappingURL=app.js.map\n"),
    );
    write(root, ".gitignore", "/ignored.py\n");
    write(root, "ignored.py", LEAK_PY);

    // An unreadable file and an unreadable directory.
    let locked = write(root, "locked.py", "import requests\nrequests.get(url)\n");
    let locked_dir = root.join("locked_dir");
    write(
        root,
        "locked_dir/secret.py",
        "import requests\nrequests.get(url)\n",
    );
    #[cfg(unix)]
    {
        set_mode(&locked, 0o000);
        set_mode(&locked_dir, 0o000);
    }
    // Root reads anything whatever the permission bits say: find out rather than guess.
    fs::read(&locked).is_err()
}

/// Gives the unreadable entries their permissions back when dropped, even when an
/// assertion fails, so the temporary directory can be deleted by a non-root user.
struct RestorePermissions<'a>(&'a Path);

impl Drop for RestorePermissions<'_> {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for (path, mode) in [("locked.py", 0o644), ("locked_dir", 0o755)] {
                let _ = fs::set_permissions(self.0.join(path), fs::Permissions::from_mode(mode));
            }
        }
    }
}

fn skip_reason<'r>(result: &'r RunResult, path: &str) -> Option<&'r str> {
    result
        .skipped
        .iter()
        .find(|s| s.contains(&format!("{path}:")))
        .map(String::as_str)
}

/// Lints `root` with one thread and with two, on another thread, and fails the test
/// instead of hanging it if that takes far longer than the few seconds it should (a
/// followed symlink loop, a blocking read of a pipe, work quadratic in nesting depth for
/// every finding).
fn run_twice_with_deadline(root: &Path) -> (RunResult, RunResult) {
    let (sender, receiver) = std::sync::mpsc::channel();
    let (one, two) = (settings(root, 1), settings(root, 2));
    let input = || Input::Paths(vec![root.to_path_buf()]);
    let (first, second) = (input(), input());
    std::thread::spawn(move || {
        let _ = sender.send((run(first, &one), run(second, &two)));
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the runs did not finish in 60 s (or panicked)")
}

#[test]
fn hostile_tree_is_linted_without_panic_and_deterministically() {
    let dir = tempfile::Builder::new()
        .prefix("corbel-robustness")
        .tempdir()
        .unwrap();
    let root = dir.path();
    let _restore = RestorePermissions(root);
    let permissions_apply = build_tree(root);

    let (one, two) = run_twice_with_deadline(root);

    // Determinism: the same answer with one thread and with two.
    assert_eq!(one.diagnostics, two.diagnostics);
    assert_eq!(one.skipped, two.skipped);
    assert_eq!(one.fatal, two.fatal);
    assert_eq!(
        (one.files_walked, one.files_parsed),
        (two.files_walked, two.files_parsed)
    );
    let result = one;
    assert!(result.fatal.is_empty(), "{:?}", result.fatal);

    // The walker found exactly the source files, and none in skipped directories,
    // in the gitignored file, behind a symlink or under the unreadable directory
    // (unless permissions do not apply, as for root).
    let expected_walked = WALKED.len() + usize::from(!permissions_apply);
    assert_eq!(
        result.files_walked, expected_walked,
        "skipped: {:#?}",
        result.skipped
    );

    // Every skipped file is named, with its reason.
    let reason = |path: &str| {
        skip_reason(&result, path)
            .unwrap_or_else(|| panic!("{path} not reported as skipped: {:#?}", result.skipped))
    };
    assert!(reason("x.py").contains("binary"));
    assert!(reason("latin1.py").contains("UTF-8"));
    assert!(reason("huge.py").contains("limit"));
    if permissions_apply {
        assert!(reason("locked.py").contains("permission denied"));
        assert!(reason("locked_dir").contains("permission denied"));
    } else {
        // Running as root: the files are read like any other.
        assert_eq!(skip_reason(&result, "locked.py"), None);
        assert_eq!(skip_reason(&result, "locked_dir"), None);
    }
    // The directory named `x.py`, the symlink loop, the dangling link and the pipe are
    // not files: nothing to skip, nothing to complain about.
    for path in ["dir/x.py", "a/loop", "dangling.py", "pipe.py"] {
        assert_eq!(skip_reason(&result, path), None, "{:#?}", result.skipped);
    }
    let skipped_files = 3 + usize::from(permissions_apply);
    let generated_files = 1;
    let skipped_dirs = usize::from(permissions_apply);
    assert_eq!(
        result.skipped.len(),
        skipped_files + skipped_dirs,
        "{:#?}",
        result.skipped
    );

    // The bundle is reported as generated; everything else was worth linting (so the
    // deep files were not mistaken for minified ones).
    assert_eq!(result.generated, ["public/app.js"]);

    // Parsed: at least every readable file with a trigger word, at most every walked file
    // that was not skipped (an empty file may or may not pass the prefilter).
    let with_triggers = [
        "a/inside.py",
        "broken.py",
        "deep_calls.ts",
        "deep_parens.py",
        "deep_targets.py",
        "large.py",
    ];
    // As root, `locked.py` and `locked_dir/secret.py` are read and parsed too.
    let min_parsed = with_triggers.len() + usize::from(!permissions_apply) * 2;
    assert!(
        (min_parsed..=result.files_walked - skipped_files - generated_files)
            .contains(&result.files_parsed),
        "parsed {} of {} walked",
        result.files_parsed,
        result.files_walked
    );

    // The broken file gets its parse-error notice, at info, where the error is.
    let parse_errors: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.rule == "parse-error")
        .collect();
    // The deep and large files are valid code: no notice for them.
    assert_eq!(parse_errors.len(), 1, "{parse_errors:#?}");
    let broken = parse_errors[0];
    assert_eq!(broken.location.path, "broken.py");
    assert_eq!(broken.severity, Severity::Info);
    assert_eq!(broken.location.start.line, 2);

    // Nothing from a skipped directory, the gitignored file or a bundle leaked in.
    for d in &result.diagnostics {
        let path = d.location.path.as_str();
        assert!(!path.starts_with('/'), "absolute report path {path}");
        for excluded in [
            "node_modules/",
            "dist/",
            "build/",
            ".venv/",
            "static/",
            "public/",
            "ignored.py",
        ] {
            assert!(
                !path.contains(excluded),
                "{path} should not have been linted"
            );
        }
    }
}

#[test]
fn odd_explicit_paths_are_fatal_or_skipped_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "x.py", b"requests\0\0");
    write(root, "dir/x.py/README.txt", "not python");
    #[cfg(unix)]
    std::os::unix::fs::symlink("missing.py", root.join("dangling.py")).unwrap();
    let paths = [
        "x.py",
        "dir/x.py",
        "dangling.py",
        "missing.py",
        "dir/x.py/README.txt",
    ];
    let result = run(
        Input::Paths(paths.iter().map(|p| root.join(p)).collect()),
        &settings(root, 2),
    );
    // Paths that do not exist were asked for by name: the run failed (exit 2).
    assert_eq!(
        result.fatal.len(),
        if cfg!(unix) { 2 } else { 1 },
        "{:?}",
        result.fatal
    );
    assert!(
        result.fatal.iter().all(|f| f.contains("no such file")),
        "{:?}",
        result.fatal
    );
    // The binary file is skipped with its reason; the directory named `x.py` is walked
    // as the directory it is; a README is not a source file.
    assert_eq!(result.files_walked, 1);
    assert_eq!(result.skipped.len(), 1, "{:?}", result.skipped);
    assert!(skip_reason(&result, "x.py").is_some_and(|r| r.contains("binary")));
}

#[test]
fn stdin_with_unknown_language_is_fatal_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(dir.path(), 2);
    // `.py` is a hidden file's name, not an extension; `-` is stdin's own spelling.
    for name in ["notes.txt", "", "-", "Makefile", ".py"] {
        let result = run(
            Input::Stdin {
                name: PathBuf::from(name),
                source: b"import requests\nrequests.get(url)\n".to_vec(),
            },
            &settings,
        );
        assert_eq!(result.fatal.len(), 1, "{name:?}: {:?}", result.fatal);
        assert!(
            result.fatal[0].contains("cannot tell the language"),
            "{:?}",
            result.fatal
        );
        assert_eq!(result.files_parsed, 0);
        assert!(result.diagnostics.is_empty());
    }
}

#[test]
fn stdin_with_bad_contents_is_skipped_or_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(dir.path(), 2);
    let lint = |name: &str, source: &[u8]| {
        run(
            Input::Stdin {
                name: PathBuf::from(name),
                source: source.to_vec(),
            },
            &settings,
        )
    };

    let binary = lint("upload.py", b"requests\0\0\0");
    assert!(
        binary.skipped.iter().any(|s| s.contains("binary")),
        "{:?}",
        binary.skipped
    );
    assert!(binary.fatal.is_empty());

    let latin1 = lint("upload.ts", b"import axios from 'axios'; // caf\xe9\n");
    assert!(
        latin1.skipped.iter().any(|s| s.contains("UTF-8")),
        "{:?}",
        latin1.skipped
    );

    let broken = lint("upload.py", b"import requests\ndef f(:\n");
    assert!(broken.skipped.is_empty(), "{:?}", broken.skipped);
    assert!(broken
        .diagnostics
        .iter()
        .any(|d| d.rule == "parse-error" && d.severity == Severity::Info));

    let empty = lint("upload.tsx", b"");
    assert!(empty.skipped.is_empty() && empty.fatal.is_empty() && empty.diagnostics.is_empty());
}
