//! Facts: small, owned records of sites that only mean something across files (a JWT
//! signed with HS256 here, verified there). The per-file pass records them; project
//! rules read them after every file is done, never re-reading a file.

use crate::diagnostic::{Location, Suppression};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The rule that recorded it (and whose project pass reads it).
    pub rule: &'static str,
    pub kind: String,
    pub location: Location,
    pub values: BTreeMap<String, String>,
    /// An inline suppression that covers the site.
    pub suppression: Option<Suppression>,
    pub is_test_file: bool,
    /// Index among facts of the same rule, kind and values in the file (for identity).
    pub occurrence: usize,
}

impl Fact {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}
