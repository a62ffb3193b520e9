//! What corbel knows about the repository as a whole: where services start (a directory
//! with its own manifest) and how many replicas deployment files ask for. Answers are
//! computed on first use and cached, so a run whose rules never ask pays nothing.

use crate::diagnostic::{Location, Position, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Directories whose manifests describe tooling, not a deployed service.
const NON_SERVICE_DIRS: &[&str] = &[
    "tests",
    "test",
    "__tests__",
    "docs",
    "doc",
    "examples",
    "example",
    "scripts",
    "fixtures",
    "e2e",
    "benchmarks",
];

/// Deployment settings that run more than one copy of a process.
const REPLICA_KEYS: &[&str] = &["replicas", "replicaCount", "scale", "minReplicas"];

/// A deployment file line asking for more than one replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub location: Location,
    pub replicas: u32,
    /// The line as written, e.g. `replicas: 3`.
    pub setting: String,
}

pub struct Project {
    /// Absolute report root; paths in facts and findings are relative to it.
    root: PathBuf,
    /// Relative directory → whether it holds a service manifest.
    manifests: Mutex<BTreeMap<String, bool>>,
    /// Relative directory → the service root of the files in it (`service_root` reads
    /// and parses `package.json` files to decide, once per directory).
    services: Mutex<BTreeMap<String, Option<String>>>,
    deployments: OnceLock<Vec<Deployment>>,
}

impl Project {
    pub fn new(root: PathBuf) -> Project {
        Project {
            root,
            manifests: Mutex::new(BTreeMap::new()),
            services: Mutex::new(BTreeMap::new()),
            deployments: OnceLock::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The service a file belongs to: the nearest directory at or above it (up to the
    /// report root) that holds its own manifest (`package.json`, `pyproject.toml`,
    /// `setup.py`, `setup.cfg`, `requirements*.txt`, `Dockerfile`), relative and
    /// `/`-separated (`""` for the root). `None` when no directory has one.
    ///
    /// A nested `package.json` that declares no scripts and no `bin` describes a module
    /// the enclosing service loads in its own process (a plugin directory with its own
    /// dependencies), not a service, unless an enclosing `package.json` declares
    /// workspaces.
    pub fn service_root(&self, path: &str) -> Option<String> {
        let dir = parent_dir(path);
        if let Ok(cache) = self.services.lock() {
            if let Some(known) = cache.get(dir) {
                return known.clone();
            }
        }
        let found = self.find_service_root(dir);
        if let Ok(mut cache) = self.services.lock() {
            cache.insert(dir.to_string(), found.clone());
        }
        found
    }

    fn find_service_root(&self, dir: &str) -> Option<String> {
        let candidates = self.manifest_dirs(dir);
        let (first, enclosing) = candidates.split_first()?;
        let bare_module = !enclosing.is_empty()
            && self.only_bare_package_json(first)
            && !enclosing.iter().any(|dir| self.declares_workspaces(dir));
        if bare_module {
            return enclosing.first().cloned();
        }
        Some(first.clone())
    }

    /// The directories at or above `dir` (nearest first) that hold a manifest, skipping
    /// test, docs and example directories.
    fn manifest_dirs(&self, mut dir: &str) -> Vec<String> {
        let mut found = Vec::new();
        loop {
            let excluded = dir
                .rsplit('/')
                .next()
                .is_some_and(|name| NON_SERVICE_DIRS.contains(&name));
            if !excluded && self.has_manifest(dir) {
                found.push(dir.to_string());
            }
            if dir.is_empty() {
                return found;
            }
            dir = parent_dir(dir);
        }
    }

    fn package_json(&self, dir: &str) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.root.join(dir).join("package.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Whether a directory's only manifest is a `package.json` with no scripts and no
    /// `bin`: nothing in it says it runs on its own.
    fn only_bare_package_json(&self, dir: &str) -> bool {
        let other_manifest = std::fs::read_dir(self.root.join(dir))
            .map(|entries| {
                entries.flatten().any(|entry| {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    name != "package.json" && is_manifest_name(&name)
                })
            })
            .unwrap_or(true);
        !other_manifest
            && self.package_json(dir).is_some_and(|manifest| {
                manifest.get("scripts").is_none() && manifest.get("bin").is_none()
            })
    }

    fn declares_workspaces(&self, dir: &str) -> bool {
        self.package_json(dir)
            .is_some_and(|manifest| manifest.get("workspaces").is_some())
    }

    fn has_manifest(&self, dir: &str) -> bool {
        if let Ok(cache) = self.manifests.lock() {
            if let Some(&known) = cache.get(dir) {
                return known;
            }
        }
        let found = std::fs::read_dir(self.root.join(dir))
            .map(|entries| {
                entries.flatten().any(|entry| {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    is_manifest_name(&name) && entry.file_type().is_ok_and(|t| t.is_file())
                })
            })
            .unwrap_or(false);
        if let Ok(mut cache) = self.manifests.lock() {
            cache.insert(dir.to_string(), found);
        }
        found
    }

    /// Every deployment setting in the repository that runs more than one replica:
    /// docker-compose `deploy.replicas` / `scale`, Kubernetes `replicas`, Helm
    /// `replicaCount`, autoscaler `minReplicas`. Sorted by path and line.
    pub fn deployments(&self) -> &[Deployment] {
        self.deployments
            .get_or_init(|| scan_deployments(&self.root))
    }
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn is_manifest_name(name: &str) -> bool {
    matches!(
        name,
        "package.json" | "pyproject.toml" | "setup.py" | "setup.cfg" | "Dockerfile"
    ) || name.starts_with("Dockerfile.")
        || (name.starts_with("requirements") && name.ends_with(".txt"))
}

fn is_deployment_candidate(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

fn scan_deployments(root: &Path) -> Vec<Deployment> {
    let mut builder = ignore::WalkBuilder::new(root);
    builder.hidden(false).require_git(false).follow_links(false);
    builder.filter_entry(|entry| {
        let name = entry.file_name().to_string_lossy();
        !matches!(
            name.as_ref(),
            "node_modules" | ".git" | ".venv" | "venv" | "site-packages"
        )
    });
    let mut found = Vec::new();
    for entry in builder.build().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().is_some_and(|t| t.is_file()) || !is_deployment_candidate(&name) {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        // Manifests a test suite feeds its code (`tests/.../stateful-set.yaml`) describe
        // no deployment of this repository.
        if is_test_fixture_path(&relative) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let is_deployment = name.contains("compose")
            || text.contains("kind: Deployment")
            || text.contains("kind: StatefulSet")
            || text.contains("kind: HorizontalPodAutoscaler")
            || text.contains("replicaCount:");
        if !is_deployment {
            continue;
        }
        found.extend(replica_lines(&relative, &text));
    }
    found.sort_by(|a, b| {
        (&a.location.path, a.location.start.line).cmp(&(&b.location.path, b.location.start.line))
    });
    found
}

/// Test code and the data it reads: test directories, `fixtures/`, `testdata/`.
fn is_test_fixture_path(path: &str) -> bool {
    crate::engine::is_test_path(path)
        || path
            .split('/')
            .rev()
            .skip(1)
            .any(|dir| matches!(dir, "fixtures" | "testdata" | "test_data"))
}

/// `key: N` lines with N > 1 for the replica keys.
fn replica_lines(path: &str, text: &str) -> Vec<Deployment> {
    let mut found = Vec::new();
    let mut offset = 0;
    for (index, line) in text.lines().enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let trimmed = line.trim_start();
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        if !REPLICA_KEYS.contains(&key.trim()) {
            continue;
        }
        let value = value
            .split('#')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'']);
        let Ok(replicas) = value.parse::<u32>() else {
            continue;
        };
        if replicas > 1 {
            let column = line.len() - trimmed.len() + 1;
            let position = |col: usize| Position {
                line: index + 1,
                column: col,
                column_utf16: col,
            };
            found.push(Deployment {
                location: Location {
                    path: path.to_string(),
                    span: Span::new(start + column - 1, start + line.trim_end().len()),
                    start: position(column),
                    end: position(line.trim_end().chars().count() + 1),
                },
                replicas,
                setting: trimmed.trim_end().to_string(),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_settings_above_one_are_found() {
        let compose = "services:\n  web:\n    image: app\n    deploy:\n      replicas: 3 # prod\n  worker:\n    scale: 1\n";
        let found = replica_lines("docker-compose.yml", compose);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].replicas, 3);
        assert_eq!(found[0].location.start.line, 5);
        assert_eq!(found[0].location.start.column, 7);
        assert_eq!(found[0].setting, "replicas: 3 # prod");
        let helm = "replicaCount: \"2\"\n";
        assert_eq!(replica_lines("values.yaml", helm)[0].replicas, 2);
    }

    #[test]
    fn nearest_manifest_directory_is_the_service() {
        let dir = std::env::temp_dir().join(format!("corbel-project-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["services/api/app", "services/web/src", "tests"] {
            std::fs::create_dir_all(dir.join(sub)).ok();
        }
        std::fs::create_dir_all(dir.join("services/web/plugins/chat")).ok();
        std::fs::write(dir.join("package.json"), "{}").ok();
        std::fs::write(dir.join("services/api/requirements.txt"), "flask\n").ok();
        let web = r#"{"name": "web", "scripts": {"start": "node server.js"}}"#;
        std::fs::write(dir.join("services/web/package.json"), web).ok();
        // A module the web service loads, with dependencies of its own.
        let chat = r#"{"name": "@web/chat", "dependencies": {"ws": "^8"}}"#;
        std::fs::write(dir.join("services/web/plugins/chat/package.json"), chat).ok();
        std::fs::write(dir.join("tests/requirements.txt"), "pytest\n").ok();
        let project = Project::new(dir.clone());
        assert_eq!(
            project.service_root("services/api/app/auth.py").as_deref(),
            Some("services/api")
        );
        assert_eq!(
            project.service_root("services/web/src/auth.ts").as_deref(),
            Some("services/web")
        );
        assert_eq!(
            project
                .service_root("services/web/plugins/chat/auth.js")
                .as_deref(),
            Some("services/web")
        );
        assert_eq!(project.service_root("lib/util.ts").as_deref(), Some(""));
        assert_eq!(
            project.service_root("tests/test_auth.py").as_deref(),
            Some("")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
