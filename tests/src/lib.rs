//! Integration tests live in tests/*.rs; this is what they share.

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `tests/` under it).
pub fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}
