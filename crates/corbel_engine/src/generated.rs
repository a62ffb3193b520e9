//! Recognises bundled, minified or otherwise generated JavaScript, which nobody edits by
//! hand: webpack/vite chunks, UMD bundles, files with a source map. Linting them only
//! repeats findings from (or about) third-party code.

/// Average line length above which a file is taken as minified.
const MINIFIED_AVERAGE_LINE: usize = 200;
/// Small files are never judged by line length: a short one-liner is fine.
const MINIFIED_MIN_BYTES: usize = 4096;

/// Judged on the contents; `has_content_hash` judges the name before reading.
pub fn is_generated_javascript(bytes: &[u8]) -> bool {
    has_source_map_comment(bytes) || has_bundler_runtime(bytes) || is_minified(bytes)
}

/// webpack's chunk, runtime and UMD preambles (and the licence banner its minifier
/// leaves), and Vite's preload helpers.
fn has_bundler_runtime(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    [
        &b"webpackChunk"[..],
        b"__webpack_require__",
        b"webpackUniversalModuleDefinition",
        b"/*! For license information please see",
        b"__vite__mapDeps",
        b"__vitePreload",
    ]
    .iter()
    .any(|marker| head.windows(marker.len()).any(|w| w == *marker))
}

/// Bundlers end their output with `//# sourceMappingURL=...`.
fn has_source_map_comment(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(512)..];
    tail.windows(21).any(|w| w == b"//# sourceMappingURL=")
}

fn is_minified(bytes: &[u8]) -> bool {
    if bytes.len() < MINIFIED_MIN_BYTES {
        return false;
    }
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    bytes.len() / lines > MINIFIED_AVERAGE_LINE
}

/// A build tool's content hash in the name: `chunk.728.985c45ad584b4b91ca60.js`,
/// `index-B8te98RZ.mjs`, `sw.b072f0f7b6a5.js`, and Vite's base64url `index-BeUAedO-.js`.
pub fn has_content_hash(file_name: &str) -> bool {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    has_base64url_hash_suffix(stem)
        || stem.split(['.', '-']).enumerate().any(|(index, part)| {
            // A leading segment is often a date or a version; only a long hash counts there.
            if index == 0 && part.len() < 16 {
                return false;
            }
            let digits = part.bytes().filter(u8::is_ascii_digit).count();
            let is_hex = part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit());
            let mixed_case = part.len() == 8
                && part.bytes().all(|b| b.is_ascii_alphanumeric())
                && part.bytes().any(|b| b.is_ascii_uppercase())
                && part.bytes().any(|b| b.is_ascii_lowercase());
            digits > 0 && digits < part.len() && (is_hex || mixed_case)
        })
}

/// Vite and Rollup end a chunk's name with `-` and eight base64url characters, which may
/// themselves hold `-` or `_` (`index-BeUAedO-`, `vendor-a_B3xYz9`). Only hashes with two
/// letters of each case and a `-`, `_` or digit count, so names like `with-ReactDom` or
/// `Ubuntu-R-normal` do not.
fn has_base64url_hash_suffix(stem: &str) -> bool {
    let bytes = stem.as_bytes();
    if bytes.len() < 10 || bytes[bytes.len() - 9] != b'-' {
        return false;
    }
    let hash = &bytes[bytes.len() - 8..];
    hash.iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        && hash.iter().filter(|b| b.is_ascii_uppercase()).count() >= 2
        && hash.iter().filter(|b| b.is_ascii_lowercase()).count() >= 2
        && hash
            .iter()
            .any(|b| b.is_ascii_digit() || matches!(b, b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_bundle_names_are_generated() {
        for name in [
            "chunk.728.985c45ad584b4b91ca60.js",
            "index-B8te98RZ.mjs",
            "index-BeUAedO-.js",
            "vendor-a_BxYzQw.js",
            "sw.b072f0f7b6a5.js",
            "vendors.6f4ecbc3d2e23e236060.entry.js",
            "000bc761e5962a2869e2.chunk.js",
        ] {
            assert!(has_content_hash(name), "{name}");
        }
        for name in [
            "message-handler.js",
            "SlackNotifications.js",
            "oauth2-client.ts",
            "v20240101-migration.js",
            "base64-encoder.js",
            "handlers.js",
            "20240101abc-add-users.js",
            "with-ReactDom.js",
            "Ubuntu-R-normal.js",
            "user-controller.js",
            "api-handlers.js",
        ] {
            assert!(!has_content_hash(name), "{name}");
        }
    }

    #[test]
    fn minified_and_source_mapped_files_are_generated() {
        let minified = "var a=1;".repeat(2000);
        assert!(is_generated_javascript(minified.as_bytes()));
        let mapped = "export const x = 1;\n//# sourceMappingURL=app.js.map\n";
        assert!(is_generated_javascript(mapped.as_bytes()));
        let vite = "const __vite__mapDeps=(i,m=__vite__mapDeps)=>i.map(i=>m.f[i]);\nexport {};\n";
        assert!(is_generated_javascript(vite.as_bytes()));
        let umd = "!(function webpackUniversalModuleDefinition(s, o) {\n\tmodule.exports = o();\n})(this, () => 1);\n";
        assert!(is_generated_javascript(umd.as_bytes()));
        let source = "const x = 1;\n".repeat(1000);
        assert!(!is_generated_javascript(source.as_bytes()));
    }
}
