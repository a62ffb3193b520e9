//! What the CLI test files share: throwaway repositories and running corbel in them as
//! a user would. Each test file adds the helpers only it needs in its own `impl Repo`.
#![allow(dead_code)] // every test binary uses a different part

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A throwaway repository in a temp dir.
pub struct Repo {
    pub dir: TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        Repo {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A repository that is also a git work tree, with an identity to commit under.
    pub fn git_init() -> Repo {
        let repo = Repo::new();
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "corbel tests"]);
        repo.git(&["config", "user.email", "tests@corbel.invalid"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, contents: &str) -> &Repo {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    /// Runs git in the repository, away from the machine's git configuration.
    pub fn git(&self, args: &[&str]) -> String {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(self.dir.path())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// `corbel` run from the repository root, with a predictable environment.
    pub fn corbel(&self) -> Command {
        self.corbel_at(self.dir.path())
    }

    pub fn corbel_in(&self, relative: &str) -> Command {
        self.corbel_at(&self.path(relative))
    }

    /// `corbel` run from any directory, still with this repository's environment.
    pub fn corbel_at(&self, dir: &Path) -> Command {
        let mut command = cargo_bin_cmd!("corbel");
        command
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .env_remove("COLUMNS")
            .env("HOME", self.dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1");
        command
    }
}

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Outcome {
    let output = command.output().unwrap();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
