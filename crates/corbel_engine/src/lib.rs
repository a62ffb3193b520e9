//! corbel's engine: everything between the command line and the reporters.

pub mod diagnostic;
pub mod engine;
pub mod fingerprint;
pub mod generated;
pub mod language;
pub mod line_index;
pub mod prefilter;
pub mod rule;
pub mod semantic;
pub mod settings;
pub mod suppress;
pub mod walk;

pub use diagnostic::{
    Category, Diagnostic, Location, Position, Related, Severity, Span, Suppression,
};
pub use engine::{run, Input, RunResult};
pub use language::{Family, Grammar};
pub use rule::{Precision, RawDiagnostic, Rule, RuleContext, RuleMeta};
pub use semantic::{BindingValue, Semantic};
pub use settings::Settings;
