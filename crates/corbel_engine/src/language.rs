//! Source languages and the tree-sitter grammar each one parses with.

use std::path::Path;

/// The grammar a file is parsed with. JavaScript and JSX parse with the TSX grammar,
/// which accepts plain JS, JSX and type annotations alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grammar {
    Python,
    TypeScript,
    Tsx,
}

impl Grammar {
    pub const ALL: [Grammar; 3] = [Grammar::Python, Grammar::TypeScript, Grammar::Tsx];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn family(self) -> Family {
        match self {
            Grammar::Python => Family::Python,
            Grammar::TypeScript | Grammar::Tsx => Family::JavaScript,
        }
    }

    pub fn ts_language(self) -> tree_sitter::Language {
        match self {
            Grammar::Python => tree_sitter_python::LANGUAGE.into(),
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }

    /// The grammar for a path, from its extension; `None` for files corbel does not lint.
    pub fn from_path(path: &Path) -> Option<Grammar> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "py" | "pyi" => Grammar::Python,
            "ts" | "mts" | "cts" => Grammar::TypeScript,
            "tsx" | "js" | "mjs" | "cjs" | "jsx" => Grammar::Tsx,
            _ => return None,
        })
    }
}

/// The language family a rule is written for: Python, or TypeScript/JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Python,
    JavaScript,
}

impl Family {
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Family::Python => "python",
            Family::JavaScript => "typescript/javascript",
        }
    }
}
