//! corbel's engine: everything between the command line and the reporters.

pub mod cache;
pub mod diagnostic;
pub mod engine;
pub mod fact;
pub mod fingerprint;
pub mod generated;
pub mod language;
pub mod line_index;
pub mod prefilter;
pub mod project;
pub mod rule;
pub mod semantic;
pub mod settings;
pub mod source_encoding;
pub mod suppress;
pub mod walk;

pub use diagnostic::{
    Category, Diagnostic, Location, Position, Related, Severity, Span, Suppression,
};
pub use engine::{run, Input, RunResult, Timings};
pub use fact::Fact;
pub use language::{Family, Grammar};
pub use project::{Deployment, Project};
pub use rule::{
    Precision, ProjectContext, ProjectRule, RawDiagnostic, RawFact, Rule, RuleContext, RuleMeta,
    RuleOption, Trigger,
};
pub use semantic::{BindingValue, Semantic};
pub use settings::Settings;
