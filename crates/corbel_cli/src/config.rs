//! Config files: discovery from the current directory upward, then validation that keeps
//! TOML spans so every mistake is shown on its line. Config files are data only.

use crate::error::CliError;
use crate::select::Selector;
use crate::suggest::did_you_mean;
use corbel_engine::Severity;
use miette::{LabeledSpan, MietteDiagnostic, NamedSource};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

const KEYS: &[&str] = &[
    "select",
    "ignore",
    "exclude",
    "fail-on",
    "per-file-ignores",
    "rules",
];
const RULE_KEYS: &[&str] = &["severity"];
const FAIL_ON_VALUES: &[&str] = &["error", "warning", "info"];
const LEVEL_VALUES: &[&str] = &["error", "warning", "info", "off"];

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

/// What a config file sets; keys it does not set stay empty or `None`.
#[derive(Debug, Default)]
pub struct Config {
    /// Absolute path of the file these settings came from.
    pub file: Option<PathBuf>,
    pub select: Option<Vec<Selector>>,
    pub ignore: Vec<Selector>,
    /// Globs, relative to the config file's directory.
    pub exclude: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Glob → rules, in file order.
    pub per_file_ignores: Vec<(String, Vec<Selector>)>,
    pub levels: BTreeMap<&'static str, Level>,
    /// Rule id → option → values: the `[rules.<id>]` keys other than `severity`.
    pub rule_options: BTreeMap<&'static str, BTreeMap<&'static str, Vec<String>>>,
}

impl Config {
    /// The directory config globs are relative to, when a file was loaded.
    pub fn root(&self) -> Option<&Path> {
        self.file.as_deref().and_then(Path::parent)
    }
}

/// Where the config comes from.
pub enum Source<'a> {
    /// Search `cwd` and its ancestors.
    Discover,
    /// `--config FILE`.
    File(&'a Path),
    /// `--no-config`.
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `corbel.toml` / `.corbel.toml`: keys at the top level.
    Corbel,
    /// `pyproject.toml`: keys under `[tool.corbel]`.
    Pyproject,
}

impl Kind {
    fn of(path: &Path) -> Kind {
        if path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml")
        {
            Kind::Pyproject
        } else {
            Kind::Corbel
        }
    }
}

pub fn load(source: Source<'_>, cwd: &Path) -> Result<Config, CliError> {
    match source {
        Source::Disabled => Ok(Config::default()),
        Source::File(path) => {
            let absolute = cwd.join(path);
            let display = path.display().to_string();
            match read(&absolute, Kind::of(path), &display)? {
                Some(config) => Ok(config),
                None => Err(
                    CliError::new(format!("{display} has no [tool.corbel] table"))
                        .with_help("add a [tool.corbel] table, or point --config at a corbel.toml"),
                ),
            }
        }
        Source::Discover => discover(cwd),
    }
}

/// First match wins, nearest directory first: `corbel.toml`, `.corbel.toml`, then a
/// `pyproject.toml` that has a `[tool.corbel]` table.
fn discover(cwd: &Path) -> Result<Config, CliError> {
    for dir in cwd.ancestors() {
        for name in ["corbel.toml", ".corbel.toml", "pyproject.toml"] {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            let display = match path.strip_prefix(cwd) {
                Ok(relative) => relative.display().to_string(),
                Err(_) => path.display().to_string(),
            };
            if let Some(config) = read(&path, Kind::of(&path), &display)? {
                return Ok(config);
            }
        }
    }
    Ok(Config::default())
}

/// Reads and validates one file; `None` for a pyproject without `[tool.corbel]`.
fn read(path: &Path, kind: Kind, display: &str) -> Result<Option<Config>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| CliError::new(format!("cannot read config file {display}: {error}")))?;
    let mut validator = Validator {
        problems: Vec::new(),
        scope: match kind {
            Kind::Corbel => "",
            Kind::Pyproject => "tool.corbel.",
        },
    };
    let config = match DeTable::parse(&text) {
        Err(error) => {
            validator.problems.push(Problem {
                span: error.span().unwrap_or(0..0),
                message: "invalid TOML".to_string(),
                label: error.message().trim().to_string(),
                help: None,
            });
            None
        }
        Ok(document) => {
            let table = match kind {
                Kind::Corbel => Some(document.get_ref()),
                Kind::Pyproject => validator.tool_corbel(document.get_ref()),
            };
            let Some(table) = table else {
                if validator.problems.is_empty() {
                    return Ok(None);
                }
                return Err(validator.into_error(display, text));
            };
            Some(validator.config(table))
        }
    };
    match config {
        Some(mut config) if validator.problems.is_empty() => {
            config.file = Some(path.to_path_buf());
            Ok(Some(config))
        }
        _ => Err(validator.into_error(display, text)),
    }
}

/// One mistake in a config file.
struct Problem {
    span: Range<usize>,
    message: String,
    label: String,
    help: Option<String>,
}

/// Walks the parsed TOML, collecting every problem rather than stopping at the first.
struct Validator {
    problems: Vec<Problem>,
    /// Prefix of key paths in messages: `tool.corbel.` in a pyproject.
    scope: &'static str,
}

type Value<'i> = Spanned<DeValue<'i>>;
type Key<'i> = Spanned<std::borrow::Cow<'i, str>>;

impl Validator {
    fn problem(
        &mut self,
        span: Range<usize>,
        message: String,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        self.problems.push(Problem {
            span,
            message,
            label: label.into(),
            help,
        });
    }

    fn into_error(mut self, display: &str, text: String) -> CliError {
        self.problems
            .sort_by_key(|problem| (problem.span.start, problem.span.end));
        let reports = self
            .problems
            .into_iter()
            .map(|problem| {
                let mut diagnostic = MietteDiagnostic::new(problem.message).with_label(
                    LabeledSpan::new_primary_with_span(Some(problem.label), problem.span),
                );
                if let Some(help) = problem.help {
                    diagnostic = diagnostic.with_help(help);
                }
                miette::Report::new(diagnostic)
                    .with_source_code(NamedSource::new(display, text.clone()))
            })
            .collect();
        CliError::Config {
            heading: format!("invalid configuration in {display}"),
            reports,
        }
    }

    /// The `[tool.corbel]` table of a pyproject, if there is one.
    fn tool_corbel<'a, 'i>(&mut self, document: &'a DeTable<'i>) -> Option<&'a DeTable<'i>> {
        let Some(DeValue::Table(tool)) = document.get("tool").map(Spanned::get_ref) else {
            return None;
        };
        let corbel = tool.get("corbel")?;
        match corbel.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.problem(
                    corbel.span(),
                    "`tool.corbel` must be a table".to_string(),
                    "expected a table",
                    Some("write the settings under a [tool.corbel] header".to_string()),
                );
                None
            }
        }
    }

    fn config(&mut self, table: &DeTable<'_>) -> Config {
        let mut config = Config::default();
        for (key, value) in table.iter() {
            match key.get_ref().as_ref() {
                "select" => config.select = Some(self.selectors(key, value)),
                "ignore" => config.ignore = self.selectors(key, value),
                "exclude" => config.exclude = self.globs(key, value),
                "fail-on" => {
                    config.fail_on = self
                        .enumerated(key, value, FAIL_ON_VALUES)
                        .and_then(Severity::parse)
                }
                "per-file-ignores" => config.per_file_ignores = self.per_file_ignores(key, value),
                "rules" => (config.levels, config.rule_options) = self.rules(key, value),
                name => {
                    let help = match did_you_mean(name, KEYS.iter().copied()) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None => format!("the settings are: {}", KEYS.join(", ")),
                    };
                    self.problem(
                        key.span(),
                        format!("unknown key `{}{name}`", self.scope),
                        "not a corbel setting",
                        Some(help),
                    );
                }
            }
        }
        config
    }

    /// An array of strings, with each string's span.
    fn strings<'v>(&mut self, key: &Key<'_>, value: &'v Value<'_>) -> Vec<(&'v str, Range<usize>)> {
        let DeValue::Array(items) = value.get_ref() else {
            self.problem(
                value.span(),
                format!(
                    "`{}{}` must be an array of strings",
                    self.scope,
                    key.get_ref()
                ),
                "expected an array, e.g. [\"a\", \"b\"]",
                None,
            );
            return Vec::new();
        };
        let mut strings = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(text) => strings.push((text.as_ref(), item.span())),
                _ => self.problem(
                    item.span(),
                    format!(
                        "`{}{}` must be an array of strings",
                        self.scope,
                        key.get_ref()
                    ),
                    "expected a string",
                    None,
                ),
            }
        }
        strings
    }

    fn selectors(&mut self, key: &Key<'_>, value: &Value<'_>) -> Vec<Selector> {
        let mut selectors = Vec::new();
        for (text, span) in self.strings(key, value) {
            match Selector::parse(text) {
                Ok(selector) => selectors.push(selector),
                Err(unknown) => self.problem(
                    span,
                    format!(
                        "unknown rule or category `{text}` in `{}{}`",
                        self.scope,
                        key.get_ref()
                    ),
                    "no rule or category has this name",
                    Some(unknown.help()),
                ),
            }
        }
        selectors
    }

    fn globs(&mut self, key: &Key<'_>, value: &Value<'_>) -> Vec<String> {
        let mut globs = Vec::new();
        for (text, span) in self.strings(key, value) {
            if self.check_glob(text, span) {
                globs.push(text.to_string());
            }
        }
        globs
    }

    fn check_glob(&mut self, text: &str, span: Range<usize>) -> bool {
        match globset::Glob::new(text) {
            Ok(_) => true,
            Err(error) => {
                self.problem(
                    span,
                    format!("invalid glob `{text}`"),
                    error.kind().to_string(),
                    None,
                );
                false
            }
        }
    }

    /// A string that must be one of `allowed`.
    fn enumerated<'v>(
        &mut self,
        key: &Key<'_>,
        value: &'v Value<'_>,
        allowed: &[&str],
    ) -> Option<&'v str> {
        let expected = allowed
            .iter()
            .map(|value| format!("\"{value}\""))
            .collect::<Vec<_>>()
            .join(", ");
        match value.get_ref() {
            DeValue::String(text) if allowed.contains(&text.as_ref()) => Some(text.as_ref()),
            other => {
                let help = other
                    .as_str()
                    .and_then(|text| did_you_mean(text, allowed.iter().copied()))
                    .map(|suggestion| format!("did you mean \"{suggestion}\"?"));
                self.problem(
                    value.span(),
                    format!("invalid value for `{}{}`", self.scope, key.get_ref()),
                    format!("expected one of {expected}"),
                    help,
                );
                None
            }
        }
    }

    fn table<'a, 'i>(&mut self, key: &Key<'_>, value: &'a Value<'i>) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.problem(
                    value.span(),
                    format!("`{}{}` must be a table", self.scope, key.get_ref()),
                    "expected a table",
                    None,
                );
                None
            }
        }
    }

    fn per_file_ignores(
        &mut self,
        key: &Key<'_>,
        value: &Value<'_>,
    ) -> Vec<(String, Vec<Selector>)> {
        let Some(table) = self.table(key, value) else {
            return Vec::new();
        };
        let mut entries = Vec::new();
        for (glob, rules) in table.iter() {
            let valid = self.check_glob(glob.get_ref(), glob.span());
            let selectors = self.selectors(glob, rules);
            if valid {
                entries.push((glob.get_ref().to_string(), selectors));
            }
        }
        entries
    }

    fn rules(&mut self, key: &Key<'_>, value: &Value<'_>) -> (Levels, RuleOptions) {
        let Some(table) = self.table(key, value) else {
            return Default::default();
        };
        let mut levels = BTreeMap::new();
        let mut rule_options = RuleOptions::new();
        for (id, options) in table.iter() {
            let Some(meta) = corbel_rules::find(id.get_ref()) else {
                let ids = corbel_rules::all_metas().into_iter().map(|meta| meta.id);
                let help = match did_you_mean(id.get_ref(), ids) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => "run `corbel rules` for the rule ids".to_string(),
                };
                self.problem(
                    id.span(),
                    format!("unknown rule `{}` in `[{}rules]`", id.get_ref(), self.scope),
                    "no rule has this id",
                    Some(help),
                );
                continue;
            };
            let Some(options) = self.table(&rule_key(id), options) else {
                continue;
            };
            for (option, value) in options.iter() {
                if option.get_ref() == "severity" {
                    let key =
                        Spanned::new(option.span(), format!("rules.{}.severity", meta.id).into());
                    let level = match self.enumerated(&key, value, LEVEL_VALUES) {
                        Some("off") => Some(Level::Off),
                        Some(text) => Severity::parse(text).map(Level::On),
                        None => None,
                    };
                    if let Some(level) = level {
                        levels.insert(meta.id, level);
                    }
                    continue;
                }
                let own = corbel_rules::options_of(meta.id);
                if let Some(known) = own.iter().find(|o| o.name == option.get_ref()) {
                    let key = Spanned::new(
                        option.span(),
                        format!("rules.{}.{}", meta.id, known.name).into(),
                    );
                    let values = self
                        .strings(&key, value)
                        .into_iter()
                        .map(|(text, _)| text.to_string())
                        .collect();
                    rule_options
                        .entry(meta.id)
                        .or_default()
                        .insert(known.name, values);
                    continue;
                }
                let keys = RULE_KEYS.iter().copied().chain(own.iter().map(|o| o.name));
                let help = match did_you_mean(option.get_ref(), keys) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => {
                        let mut takes = String::from(
                            "a rule table takes `severity` (\"error\", \"warning\", \"info\" or \"off\")",
                        );
                        for option in own {
                            takes.push_str(&format!(", `{}` ({})", option.name, option.takes));
                        }
                        takes
                    }
                };
                self.problem(
                    option.span(),
                    format!(
                        "unknown key `{}` in `[{}rules.{}]`",
                        option.get_ref(),
                        self.scope,
                        meta.id
                    ),
                    "not a setting of this rule",
                    Some(help),
                );
            }
        }
        (levels, rule_options)
    }
}

type Levels = BTreeMap<&'static str, Level>;
type RuleOptions = BTreeMap<&'static str, BTreeMap<&'static str, Vec<String>>>;

/// `rules.<id>` as a key, for messages about the whole rule table.
fn rule_key<'i>(id: &Key<'i>) -> Key<'i> {
    Spanned::new(id.span(), format!("rules.{}", id.get_ref()).into())
}
