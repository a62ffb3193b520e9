//! Helpers shared by rules: reading call arguments and literal values.
