//! How config globs (`exclude`, `[per-file-ignores]`) match, gitignore-style:
//!
//! - `*` and `?` never cross a `/`; `**` does.
//! - A pattern with no `/` (a trailing one aside) matches a file or directory name at any
//!   depth: `migrations`, `*_pb2.py`.
//! - Any other pattern is anchored to the config file's directory: `scripts/*.py`,
//!   `/manage.py`, `services/*/tests/**`.
//! - A pattern that matches a directory also matches everything below it.

use globset::{Glob, GlobBuilder};

/// The globs one config pattern stands for. `anchor` is the glob-escaped path (from the
/// root paths are matched against) of the config file's directory, or empty.
pub fn expand(pattern: &str, anchor: &str) -> Vec<String> {
    let trimmed = pattern.trim_end_matches('/');
    let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
    if trimmed.is_empty() {
        return vec![pattern.to_string()];
    }
    let base = if trimmed.contains('/') {
        let relative = trimmed.trim_start_matches('/');
        if anchor.is_empty() {
            relative.to_string()
        } else {
            format!("{anchor}/{relative}")
        }
    } else {
        format!("**/{trimmed}")
    };
    if base.ends_with("/**") {
        vec![base]
    } else {
        vec![format!("{base}/**"), base]
    }
}

/// Compiles one expanded glob with the separator rules above.
pub fn compile(glob: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(glob).literal_separator(true).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, anchor: &str, path: &str) -> bool {
        expand(pattern, anchor)
            .iter()
            .filter_map(|glob| compile(glob).ok())
            .any(|glob| glob.compile_matcher().is_match(path))
    }

    #[test]
    fn bare_names_match_at_any_depth() {
        assert!(matches("migrations", "", "migrations/0001_initial.py"));
        assert!(matches("migrations", "", "app/migrations/0001_initial.py"));
        assert!(matches("*_pb2.py", "", "api/v1/user_pb2.py"));
        assert!(matches("migrations/", "", "app/migrations/x.py"));
        assert!(!matches("migrations", "", "app/migrations_helper.py"));
    }

    #[test]
    fn patterns_with_a_slash_are_anchored() {
        assert!(matches("scripts/*.py", "", "scripts/seed.py"));
        assert!(!matches("scripts/*.py", "", "scripts/db/seed.py"));
        assert!(!matches("scripts/*.py", "", "tools/scripts/seed.py"));
        assert!(matches("/manage.py", "", "manage.py"));
        assert!(matches("./tests/**", "", "tests/unit/test_api.py"));
        assert!(matches(
            "tests/**",
            "services/api",
            "services/api/tests/test_x.py"
        ));
        assert!(!matches("tests/**", "services/api", "tests/test_x.py"));
        assert!(matches("app/legacy", "", "app/legacy/views.py"));
    }
}
