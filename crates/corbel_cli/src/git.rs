//! The git plumbing behind `--diff-base` and `--staged`: which lines changed, and what the
//! index holds. Runs the `git` binary; its output is parsed defensively (no panics on
//! odd paths or unexpected lines), and every failure is a [`CliError`] (exit 2).

use crate::error::CliError;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Changed lines per file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lines {
    /// A new file (untracked, or added since the base): every line counts as changed.
    All,
    /// 1-based line numbers of added or changed lines in the new version.
    Some(BTreeSet<usize>),
}

impl Lines {
    pub fn contains(&self, line: usize) -> bool {
        match self {
            Lines::All => true,
            Lines::Some(lines) => lines.contains(&line),
        }
    }
}

/// What changed, by path relative to the report root (`/`-separated, as findings are).
#[derive(Debug, Default)]
pub struct Changes {
    pub files: BTreeMap<String, Lines>,
}

impl Changes {
    /// Whether any of the lines `first..=last` of `path` changed.
    pub fn touches(&self, path: &str, first: usize, last: usize) -> bool {
        self.files
            .get(path)
            .is_some_and(|lines| (first..=last.max(first)).any(|line| lines.contains(line)))
    }
}

/// The staged side of `--staged`: changed lines, and the index's content of every changed
/// file corbel lints, by report path.
pub struct Staged {
    pub changes: Changes,
    pub contents: BTreeMap<String, Vec<u8>>,
    /// Files whose staged content could not be read (for stderr).
    pub warnings: Vec<String>,
}

/// A git work tree, seen from the report root.
pub struct Repository {
    toplevel: PathBuf,
    /// The report root relative to the top level, `/`-separated and ending in `/` unless
    /// empty; a git path starting with it is in the report.
    prefix: String,
}

impl Repository {
    /// The repository around `cwd`; `report_root` is what finding paths are relative to.
    pub fn open(cwd: &Path, report_root: &Path, flag: &str) -> Result<Repository, CliError> {
        let output = git(cwd, &["rev-parse", "--show-toplevel"])?;
        if !output.status.success() {
            return Err(CliError::new(format!(
                "{flag} needs a git repository, and {} is not inside one",
                cwd.display()
            ))
            .with_help(stderr_line(&output.stderr)));
        }
        let toplevel = PathBuf::from(trim_newline(&String::from_utf8_lossy(&output.stdout)));
        let canonical_top = toplevel.canonicalize().unwrap_or_else(|_| toplevel.clone());
        let canonical_root = report_root
            .canonicalize()
            .unwrap_or_else(|_| report_root.to_path_buf());
        let prefix = match canonical_root.strip_prefix(&canonical_top) {
            Ok(relative) => {
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("{}/", parts.join("/"))
                }
            }
            Err(_) => {
                return Err(CliError::new(format!(
                    "{flag}: the git work tree {} does not contain {}",
                    toplevel.display(),
                    report_root.display()
                )))
            }
        };
        Ok(Repository { toplevel, prefix })
    }

    /// A git path (relative to the top level) as a report path, if it is in the report.
    fn report_path(&self, git_path: &str) -> Option<String> {
        git_path.strip_prefix(&self.prefix).map(str::to_string)
    }

    fn git(&self, args: &[&str]) -> Result<std::process::Output, CliError> {
        git(&self.toplevel, args)
    }

    /// `--diff-base REF`: lines added or changed in the working tree since the merge base
    /// of REF and HEAD (what a pull request from this branch would show), plus untracked
    /// files that are not ignored, counted whole.
    pub fn changes_since(&self, reference: &str) -> Result<Changes, CliError> {
        let commit = self.resolve_commit(reference)?;
        let head = self.resolve_commit("HEAD").map_err(|_| {
            CliError::new("--diff-base needs a commit to compare with, and HEAD has none yet")
                .with_help("commit once, or run `corbel check` without --diff-base")
        })?;
        let output = self.git(&["merge-base", &commit, &head])?;
        if !output.status.success() {
            return Err(CliError::new(format!(
                "`{reference}` and HEAD have no common ancestor, so there is no diff to check"
            ))
            .with_help(stderr_line(&output.stderr)));
        }
        let base = trim_newline(&String::from_utf8_lossy(&output.stdout)).to_string();
        let mut args = diff_args();
        args.extend([base.as_str(), "--"]);
        let diff = self.checked(&args, "git diff")?;
        let mut changes = self.parse(&diff);
        let untracked = self.checked(
            &[
                "ls-files",
                "--others",
                "--exclude-standard",
                "-z",
                "--full-name",
            ],
            "git ls-files",
        )?;
        for path in untracked.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            if let Some(path) = self.report_path(&String::from_utf8_lossy(path)) {
                changes.files.insert(path, Lines::All);
            }
        }
        Ok(changes)
    }

    /// `--staged`: lines added or changed in the index (against HEAD, or everything
    /// before the first commit), and the staged content of those files.
    pub fn staged(&self, wanted: impl Fn(&str) -> bool) -> Result<Staged, CliError> {
        let mut args = diff_args();
        args.extend(["--cached", "--"]);
        let diff = self.checked(&args, "git diff --cached")?;
        let changes = self.parse(&diff);
        let mut staged = Staged {
            changes,
            contents: BTreeMap::new(),
            warnings: Vec::new(),
        };
        let paths: Vec<String> = staged
            .changes
            .files
            .keys()
            .filter(|path| wanted(path))
            .cloned()
            .collect();
        if paths.is_empty() {
            return Ok(staged);
        }
        let names: Vec<String> = paths
            .iter()
            .map(|path| format!(":{}{path}", self.prefix))
            .collect();
        let blobs = self.cat_file(&names)?;
        for (path, blob) in paths.into_iter().zip(blobs) {
            match blob {
                Some(bytes) => {
                    staged.contents.insert(path, bytes);
                }
                None => staged.warnings.push(format!(
                    "cannot read the staged content of {path}; checked the working tree's instead"
                )),
            }
        }
        Ok(staged)
    }

    /// The full object id of a commit-ish, or an error naming it.
    fn resolve_commit(&self, reference: &str) -> Result<String, CliError> {
        let unknown = || {
            CliError::new(format!("unknown git revision `{reference}`")).with_help(
                "pass a branch, tag or commit, e.g. `--diff-base origin/main`; in CI, fetch enough history for it (actions/checkout: `fetch-depth: 0`)",
            )
        };
        if reference.starts_with('-') || reference.is_empty() {
            return Err(unknown());
        }
        let spec = format!("{reference}^{{commit}}");
        let output = self.git(&["rev-parse", "--verify", "--quiet", &spec])?;
        if !output.status.success() {
            return Err(unknown());
        }
        Ok(trim_newline(&String::from_utf8_lossy(&output.stdout)).to_string())
    }

    /// Runs git and returns its stdout, or an error with git's own message.
    fn checked(&self, args: &[&str], what: &str) -> Result<Vec<u8>, CliError> {
        let output = self.git(args)?;
        if !output.status.success() {
            return Err(
                CliError::new(format!("{what} failed")).with_help(stderr_line(&output.stderr))
            );
        }
        Ok(output.stdout)
    }

    fn parse(&self, diff: &[u8]) -> Changes {
        let mut changes = Changes::default();
        for (path, lines) in parse_diff(diff) {
            if let Some(path) = self.report_path(&path) {
                changes.files.insert(path, lines);
            }
        }
        changes
    }

    /// The content of each object name (`:path` for the index), `None` when git has no
    /// such blob. One `git cat-file --batch` for all of them.
    fn cat_file(&self, names: &[String]) -> Result<Vec<Option<Vec<u8>>>, CliError> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.toplevel)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(spawn_error)?;
        let mut input = Vec::new();
        for name in names {
            input.extend_from_slice(name.as_bytes());
            input.push(b'\n');
        }
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| CliError::new("cannot write to git cat-file"))?;
        // Write from another thread: git answers while we write, and a full stdout pipe
        // would otherwise stall both sides.
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let mut stdout = Vec::new();
        if let Some(mut out) = child.stdout.take() {
            out.read_to_end(&mut stdout)
                .map_err(|error| CliError::new(format!("cannot read git cat-file: {error}")))?;
        }
        let wrote = writer.join();
        let status = child.wait().map_err(spawn_error)?;
        if !status.success() || !matches!(wrote, Ok(Ok(()))) {
            return Err(CliError::new("git cat-file failed to read the index"));
        }
        Ok(parse_batch(&stdout, names.len()))
    }
}

/// `git diff` options that make its output independent of user config: no colour, no
/// external diff or textconv, paths relative to the top level without `a/` `b/`.
fn diff_args() -> Vec<&'static str> {
    vec![
        "-c",
        "core.quotePath=false",
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--find-renames",
        "--no-prefix",
        "--no-relative",
    ]
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, CliError> {
    // `-c` options must come before the subcommand.
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(spawn_error)
}

fn spawn_error(error: std::io::Error) -> CliError {
    if error.kind() == std::io::ErrorKind::NotFound {
        CliError::new("--diff-base and --staged need git, and it is not installed or not on PATH")
    } else {
        CliError::new(format!("cannot run git: {error}"))
    }
}

fn trim_newline(text: &str) -> &str {
    text.trim_end_matches(['\n', '\r'])
}

/// git's first line of complaint, for a help line.
fn stderr_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    format!("git says: {}", line.trim())
}

/// Added or changed lines per path (relative to the top level) from `git diff -U0
/// --no-prefix` output. A file that is new in the diff counts whole.
pub fn parse_diff(diff: &[u8]) -> BTreeMap<String, Lines> {
    let mut files: BTreeMap<String, Lines> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut new_file = false;
    for line in diff.split(|&b| b == b'\n') {
        if line.starts_with(b"diff ") {
            current = None;
            new_file = false;
        } else if line.starts_with(b"new file mode") {
            new_file = true;
        } else if let Some(name) = line.strip_prefix(b"+++ ") {
            current = header_path(name);
            if let Some(path) = &current {
                let lines = if new_file {
                    Lines::All
                } else {
                    Lines::Some(BTreeSet::new())
                };
                files.insert(path.clone(), lines);
            }
        } else if line.starts_with(b"@@ ") {
            let (Some(path), Some((start, count))) = (&current, hunk_new_range(line)) else {
                continue;
            };
            if let Some(Lines::Some(lines)) = files.get_mut(path) {
                lines.extend(start..start.saturating_add(count));
            }
        }
    }
    // A file whose diff added no line (only deletions, a mode change) has no changed
    // lines: drop it rather than keep an empty set.
    files.retain(|_, lines| !matches!(lines, Lines::Some(set) if set.is_empty()));
    files
}

/// The path in a `+++ path` header: `None` for `/dev/null` (a deleted file). git quotes
/// names with special characters C-style, and appends a tab to names with spaces.
fn header_path(name: &[u8]) -> Option<String> {
    let name = name.strip_suffix(b"\r").unwrap_or(name);
    let name = name.strip_suffix(b"\t").unwrap_or(name);
    if name == b"/dev/null" {
        return None;
    }
    let bytes = if name.first() == Some(&b'"') {
        unquote(name)?
    } else {
        name.to_vec()
    };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Undoes git's C-style quoting: `"a\tb\303\244"` → bytes.
fn unquote(quoted: &[u8]) -> Option<Vec<u8>> {
    let inner = quoted.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter().copied();
    while let Some(byte) = bytes.next() {
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let escaped = bytes.next()?;
        out.push(match escaped {
            b'a' => 0x07,
            b'b' => 0x08,
            b't' => b'\t',
            b'n' => b'\n',
            b'v' => 0x0b,
            b'f' => 0x0c,
            b'r' => b'\r',
            b'0'..=b'7' => {
                let mut value = u32::from(escaped - b'0');
                for _ in 0..2 {
                    let digit = bytes.next()?;
                    if !(b'0'..=b'7').contains(&digit) {
                        return None;
                    }
                    value = value * 8 + u32::from(digit - b'0');
                }
                u8::try_from(value).ok()?
            }
            other => other,
        });
    }
    Some(out)
}

/// `@@ -a,b +c,d @@` → `(c, d)`; `d` is 1 when left out.
fn hunk_new_range(line: &[u8]) -> Option<(usize, usize)> {
    let text = std::str::from_utf8(line).ok()?;
    let new = text.split(' ').find_map(|word| word.strip_prefix('+'))?;
    let (start, count) = match new.split_once(',') {
        Some((start, count)) => (start.parse().ok()?, count.parse().ok()?),
        None => (new.parse().ok()?, 1),
    };
    Some((start, count))
}

/// Splits `git cat-file --batch` output into one blob per requested name.
fn parse_batch(mut out: &[u8], count: usize) -> Vec<Option<Vec<u8>>> {
    let mut blobs = Vec::with_capacity(count);
    for _ in 0..count {
        let Some(end) = out.iter().position(|&b| b == b'\n') else {
            blobs.push(None);
            continue;
        };
        let header = String::from_utf8_lossy(&out[..end]).into_owned();
        out = &out[end + 1..];
        let mut words = header.rsplitn(3, ' ');
        let size = words.next().and_then(|size| size.parse::<usize>().ok());
        let kind = words.next();
        match (kind, size) {
            (Some("blob"), Some(size)) if out.len() >= size => {
                blobs.push(Some(out[..size].to_vec()));
                // The content is followed by a newline.
                out = out.get(size + 1..).unwrap_or(&[]);
            }
            (Some(_), Some(size)) if out.len() >= size => {
                // Not a blob (a submodule's commit): nothing to lint.
                blobs.push(None);
                out = out.get(size + 1..).unwrap_or(&[]);
            }
            // `<name> missing` or `<name> ambiguous`: no content follows.
            _ => blobs.push(None),
        }
    }
    blobs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(numbers: &[usize]) -> Lines {
        Lines::Some(numbers.iter().copied().collect())
    }

    #[test]
    fn hunks_give_added_lines() {
        let diff = b"diff --git app/a.py app/a.py
index 1..2 100644
--- app/a.py
+++ app/a.py
@@ -3 +3 @@ def f():
-    old()
+    new()
@@ -10,0 +11,2 @@ def g():
+    one()
+    two()
@@ -20,3 +22,0 @@
-    gone()
diff --git app/new.py app/new.py
new file mode 100644
index 0..3
--- /dev/null
+++ app/new.py
@@ -0,0 +1,2 @@
+import requests
+requests.get(url)
diff --git app/old.py app/old.py
deleted file mode 100644
--- app/old.py
+++ /dev/null
@@ -1 +0,0 @@
-x = 1
diff --git app/only_deleted.py app/only_deleted.py
--- app/only_deleted.py
+++ app/only_deleted.py
@@ -4 +3,0 @@
-x = 1
";
        let files = parse_diff(diff);
        assert_eq!(files.get("app/a.py"), Some(&lines(&[3, 11, 12])));
        assert_eq!(files.get("app/new.py"), Some(&Lines::All));
        assert_eq!(files.len(), 2, "{files:?}");
    }

    #[test]
    fn quoted_and_spaced_names() {
        let diff = b"diff --git \"x\"\n+++ \"app/t\\303\\244b\\tx.py\"\n@@ -1 +1 @@\n+a\ndiff --git y\n+++ app/my file.py\t\n@@ -0,0 +5 @@\n+b\n";
        let files = parse_diff(diff);
        assert_eq!(files.get("app/t\u{e4}b\tx.py"), Some(&lines(&[1])));
        assert_eq!(files.get("app/my file.py"), Some(&lines(&[5])));
    }

    #[test]
    fn garbage_does_not_panic() {
        for diff in [
            &b"+++ \"unterminated"[..],
            b"@@ -1 +x,y @@\n",
            b"+++ a\n@@ +99999999999999999999999 @@\n",
            b"+++ \"\\777\"\n",
            b"\xff\xfe+++ \n",
        ] {
            let _ = parse_diff(diff);
        }
        assert_eq!(parse_batch(b"abc 12", 2), vec![None, None]);
    }

    #[test]
    fn batch_output_is_split_per_name() {
        let out = b"1111 blob 3\nabc\n:gone.py missing\n2222 blob 0\n\n";
        assert_eq!(
            parse_batch(out, 3),
            vec![Some(b"abc".to_vec()), None, Some(Vec::new())]
        );
    }

    #[test]
    fn touches_any_line_of_a_range() {
        let changes = Changes {
            files: BTreeMap::from([("a.py".to_string(), lines(&[5]))]),
        };
        assert!(changes.touches("a.py", 3, 6));
        assert!(changes.touches("a.py", 5, 5));
        assert!(!changes.touches("a.py", 6, 9));
        assert!(!changes.touches("b.py", 5, 5));
    }
}
