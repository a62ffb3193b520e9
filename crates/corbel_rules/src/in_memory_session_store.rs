//! `in-memory-session-store`: server-side sessions kept in one process (or on one
//! machine's disk), lost on restart and invisible to a second instance.
//!
//! TS/JS: `express-session` without a `store` or with its `MemoryStore` / `memorystore` /
//! `sessionstore`,
//! `@fastify/session` (and `fastify-session`) without a `store`, `koa-generic-session`
//! without a `store`, `koa-session` given a store that writes into a `Map`/object, and
//! `hono-sessions` `MemoryStore`; a module-level `Map` used as a session table in route
//! handlers.
//! Python: Django's cache session engine over `LocMemCache` (or no `CACHES`), the `file`
//! engine, Flask-Session `SESSION_TYPE = "filesystem"` or a cachelib `SimpleCache`,
//! fastapi-sessions `InMemoryBackend`, starsessions `InMemoryStore`, sanic-session
//! `InMemorySessionInterface`, and a module-level `dict` used as a session table in views.
//!
//! The project part turns every finding into an error when the deployment files of the
//! finding's service run more than one replica.

use crate::common::{
    js_arguments, js_has_spread_argument, js_property, literal_str, name_words, named_children,
    Lookup,
};
use corbel_engine::semantic::{path_from_root, walk_preorder, ScopeKind};
use corbel_engine::{
    BindingValue, Category, Deployment, Family, Precision, ProjectContext, ProjectRule, Related,
    Rule, RuleContext, RuleMeta, Semantic, Severity, Span, Trigger,
};
use std::collections::HashMap;
use tree_sitter::Node;

/// The per-file part.
pub struct InMemorySessionStore;

/// The project part: upgrades findings in services that run several replicas.
pub struct InMemorySessionStoreReplicas;

pub static META: RuleMeta = RuleMeta {
    id: "in-memory-session-store",
    name: "InMemorySessionStore",
    summary: "sessions kept in process memory or on local disk, lost on restart and not shared between instances",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[],
    prod_only: false,
    precision: Precision::High,
    security_severity: None,
    doc: include_str!("../../../rules/in-memory-session-store.md"),
};

impl Rule for InMemorySessionStore {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn triggers(&self, family: Family) -> &'static [Trigger] {
        match family {
            Family::Python => &[
                Trigger::Any(&[
                    "SESSION_ENGINE",
                    "SESSION_TYPE",
                    "SESSION_CACHELIB",
                    "fastapi_sessions",
                    "starsessions",
                    "sanic_session",
                ]),
                Trigger::Checked {
                    all: &[SESSION_WORD_LITERALS],
                    check: assigns_module_level_mapping,
                },
            ],
            Family::JavaScript => &[
                Trigger::Any(&[
                    "express-session",
                    "memorystore",
                    "@fastify/session",
                    "fastify-session",
                    "koa-session",
                    "koa-generic-session",
                    "hono-sessions",
                ]),
                Trigger::Checked {
                    all: &[
                        SESSION_WORD_LITERALS,
                        &["{}", "{ }", "Map", "Object.create"],
                    ],
                    check: declares_module_level_mapping,
                },
            ],
        }
    }

    fn node_kinds(&self, family: Family) -> &'static [&'static str] {
        match family {
            Family::Python => &["module", "call"],
            Family::JavaScript => &["program", "call_expression"],
        }
    }

    fn check(&self, node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
        match (ctx.family(), node.kind()) {
            (Family::Python, "module") => {
                check_python_settings(node, ctx);
                check_session_tables(node, ctx);
            }
            (Family::Python, _) => check_python_call(node, ctx),
            (Family::JavaScript, "program") => check_session_tables(node, ctx),
            (Family::JavaScript, _) => check_js_call(node, ctx),
        }
    }
}

// ------------------------------------------------------------------------- prefilter

/// Literals one of which a file holds when a name or key in it has a session word
/// (`is_session_word`): `sess…`/`token…` in any case, and `sid` as a word of its own.
const SESSION_WORD_LITERALS: &[&str] = &[
    "sess", "Sess", "SESS", "token", "Token", "TOKEN", "Sid", "SID", "_sid", ".sid", " sid",
    "'sid", "\"sid", "`sid", "(sid", "[sid", "{sid", ",sid", "\tsid", "\nsid", "=sid", ":sid",
    "$sid", "-sid", "/sid", "@sid", "+sid", "*sid", "!sid", "?sid", "&sid", "|sid", "<sid", ">sid",
    "%sid", "#sid", "~sid", "^sid", ";sid", "\\sid", ")sid", "]sid", "}sid",
];

/// Constructors `is_empty_mapping` accepts, by their last name.
const MAPPING_CONSTRUCTORS: &[&str] = &[
    "dict",
    "defaultdict",
    "OrderedDict",
    "TTLCache",
    "LRUCache",
    "Cache",
    "ExpiringDict",
];

/// Whether a Python file may hold a module-level session table: a statement at column 0
/// assigning `{}` or a mapping constructor (or a value continued on the next line). When
/// a constructor is imported under another name, any call counts.
fn assigns_module_level_mapping(source: &[u8]) -> bool {
    let text = String::from_utf8_lossy(source);
    let mut aliased = None;
    text.lines().any(|line| {
        let starts_statement = line
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        starts_statement
            && assignment_values(line).any(|value| {
                mapping_value(value, false)
                    || mapping_value(value, *aliased.get_or_insert_with(|| imports_alias(&text)))
            })
    })
}

/// Whether a mapping constructor is imported under another name (`OrderedDict as OD`).
fn imports_alias(text: &str) -> bool {
    text.match_indices(" as ").any(|(at, _)| {
        MAPPING_CONSTRUCTORS
            .iter()
            .any(|name| text[..at].ends_with(name))
    })
}

/// Whether a JS/TS file may hold a module-level session table: a declaration at column 0
/// (where formatted code keeps module-level statements) of `{}`, `new Map()` or
/// `Object.create(null)`, or one whose value starts on the next line.
fn declares_module_level_mapping(source: &[u8]) -> bool {
    let text = String::from_utf8_lossy(source);
    text.lines().any(|line| {
        let declaration = line.strip_prefix("export ").unwrap_or(line);
        let is_declaration = ["const ", "let ", "var "]
            .iter()
            .any(|keyword| declaration.starts_with(keyword));
        is_declaration
            && assignment_values(line).any(|value| {
                let value = value.trim_start();
                value.is_empty()
                    || value
                        .strip_prefix('{')
                        .is_some_and(|rest| rest.trim_start().starts_with('}'))
                    || value.starts_with("new Map")
                    || value.replace(' ', "").starts_with("Object.create(null)")
            })
    })
}

/// The text after each `=` of a line that is an assignment (not `==`, `<=`, `+=`, ...).
fn assignment_values(line: &str) -> impl Iterator<Item = &str> {
    let bytes = line.as_bytes();
    (0..bytes.len()).filter_map(move |i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + 1);
        // Not `==`, `=>`, `<=`, `+=`, `:=`, ...
        let is_assignment = bytes[i] == b'='
            && !matches!(after, Some(b'=' | b'>'))
            && !before.is_some_and(|b| b"=!<>:+-*/%&|^@".contains(&b));
        is_assignment.then(|| &line[i + 1..])
    })
}

fn mapping_value(value: &str, aliased: bool) -> bool {
    let value = value.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    if value.is_empty() || value.starts_with('\\') {
        // Continued on the next line: cannot tell here.
        return true;
    }
    if let Some(rest) = value.strip_prefix('{') {
        return rest.trim_start().starts_with('}');
    }
    let name_end = value
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(value.len());
    let (name, rest) = value.split_at(name_end);
    let rest = rest.trim_start();
    let called = rest.starts_with('(') || rest.starts_with('[');
    let last = name.rsplit('.').next().unwrap_or(name);
    called && !name.is_empty() && (aliased || MAPPING_CONSTRUCTORS.contains(&last))
}

// ------------------------------------------------------------------------ shared helpers

/// Words that name a session id or session token.
fn is_session_word(word: &str) -> bool {
    word.starts_with("session")
        || word.starts_with("token")
        || matches!(word, "sid" | "sids" | "sess" | "sessid")
}

/// Words in a key that say it is what the client presents: a cookie, a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "cookie",
    "cookies",
    "auth",
    "authorization",
    "bearer",
    "credential",
    "credentials",
];

/// Words in a file, class or config name that say it is not the production setup.
const NON_PRODUCTION_WORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "dev",
    "develop",
    "development",
    "local",
    "debug",
    "ci",
    "demo",
];

fn says_non_production(name: &str) -> bool {
    name_words(name)
        .iter()
        .any(|w| NON_PRODUCTION_WORDS.contains(&w.as_str()))
}

/// Whether the file itself is a development or test configuration (`settings/dev.py`,
/// `test_settings.py`, `local_settings.py`).
fn is_non_production_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    says_non_production(stem)
}

/// From the start of a call (or `new`) to the end of its callee.
fn callee_span(call: Node<'_>) -> Span {
    let callee = call
        .child_by_field_name("function")
        .or_else(|| call.child_by_field_name("constructor"));
    match callee {
        Some(callee) => Span::new(call.start_byte(), callee.end_byte()),
        None => Span::of(&call),
    }
}

/// The first line of a node: a multi-line dict or call would bury the point.
fn first_line_span(node: Node<'_>, semantic: &Semantic<'_>) -> Span {
    let text = semantic.text(node);
    let end = text.find('\n').map_or(node.end_byte(), |at| {
        node.start_byte() + text[..at].trim_end().len()
    });
    Span::new(node.start_byte(), end.max(node.start_byte() + 1))
}

// ------------------------------------------------------------------------------- Python

const DJANGO_CACHE_ENGINE: &str = "django.contrib.sessions.backends.cache";
const DJANGO_FILE_ENGINE: &str = "django.contrib.sessions.backends.file";

const DJANGO_HELP: &str = "keep sessions in a shared store: a Redis cache (`CACHES = {\"default\": {\"BACKEND\": \"django.core.cache.backends.redis.RedisCache\", \"LOCATION\": REDIS_URL}}`) with `SESSION_ENGINE = \"django.contrib.sessions.backends.cache\"`, or `SESSION_ENGINE = \"django.contrib.sessions.backends.cached_db\"`";

const FLASK_HELP: &str = "use a shared store: `SESSION_TYPE = \"redis\"` with `SESSION_REDIS = redis.from_url(REDIS_URL)`";

/// Calls that create an in-memory session backend, by qualified name.
fn python_memory_backend(qualified: &str) -> Option<(&'static str, &'static str)> {
    let last = qualified.rsplit('.').next().unwrap_or("");
    if qualified.starts_with("fastapi_sessions.") && last == "InMemoryBackend" {
        return Some((
            "fastapi-sessions `InMemoryBackend` keeps sessions in process memory",
            "implement `fastapi_sessions.backends.session_backend.SessionBackend` over Redis (`redis.asyncio`: `create`/`read`/`update`/`delete` with `set(..., ex=ttl)`) and pass that backend instead",
        ));
    }
    if qualified.starts_with("starsessions") && last == "InMemoryStore" {
        return Some((
            "starsessions `InMemoryStore` keeps sessions in process memory",
            "use `RedisStore(REDIS_URL)` from `starsessions.stores.redis`",
        ));
    }
    if qualified.starts_with("sanic_session") && last == "InMemorySessionInterface" {
        return Some((
            "sanic-session `InMemorySessionInterface` keeps sessions in process memory",
            "use `AIORedisSessionInterface(redis)` (or another shared interface) from `sanic_session`",
        ));
    }
    None
}

fn check_python_call(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(mut function) = call.child_by_field_name("function") else {
        return;
    };
    // `InMemoryBackend[UUID, SessionData]()`
    if function.kind() == "subscript" {
        match function.child_by_field_name("value") {
            Some(value) => function = value,
            None => return,
        }
    }
    let Some(qualified) = semantic.qualified_name(function) else {
        return;
    };
    if let Some((message, help)) = python_memory_backend(&qualified) {
        ctx.report_span(callee_span(call), message).help(help);
    }
}

/// A module-level assignment to a settings name.
#[derive(Clone, Copy)]
struct Setting<'t> {
    node: Node<'t>,
    value: Node<'t>,
    /// Inside an `if` (or `match`): may not apply.
    conditional: bool,
}

/// A Flask-Session setting wherever it is written: `SESSION_TYPE = ...` at module or
/// class level, `app.config["SESSION_TYPE"] = ...`, `config.update(SESSION_TYPE=...)`,
/// `{"SESSION_TYPE": ...}`.
#[derive(Clone, Copy)]
struct FlaskSetting<'t> {
    key: &'static str,
    node: Node<'t>,
    value: Node<'t>,
}

const FLASK_KEYS: &[&str] = &["SESSION_TYPE", "SESSION_CACHELIB", "SESSION_FILE_DIR"];
const DJANGO_KEYS: &[&str] = &["SESSION_ENGINE", "SESSION_CACHE_ALIAS", "CACHES"];

#[derive(Default)]
struct PySettings<'t> {
    module: HashMap<&'static str, Vec<Setting<'t>>>,
    star_imports: Vec<usize>,
    /// `CACHES[...] = ...`, `CACHES.update(...)`: its final value is unknown.
    caches_mutated: bool,
    flask: Vec<FlaskSetting<'t>>,
}

fn flask_key(text: &str) -> Option<&'static str> {
    FLASK_KEYS.iter().copied().find(|k| *k == text)
}

fn collect_py_settings<'t>(root: Node<'t>, semantic: &Semantic<'t>) -> PySettings<'t> {
    let mut settings = PySettings::default();
    walk_preorder(root, |node| match node.kind() {
        "import_from_statement" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "wildcard_import")
            {
                settings.star_imports.push(node.start_byte());
            }
        }
        "assignment" => {
            let (Some(left), Some(value)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return;
            };
            match left.kind() {
                "identifier" => {
                    let name = semantic.text(left);
                    let scope = semantic.scope(semantic.scope_at(node.start_byte())).kind;
                    if let Some(key) = DJANGO_KEYS.iter().copied().find(|k| *k == name) {
                        if scope == ScopeKind::Module {
                            settings.module.entry(key).or_default().push(Setting {
                                node,
                                value,
                                conditional: false,
                            });
                        }
                    }
                    if let Some(key) = flask_key(name) {
                        if scope != ScopeKind::Function {
                            settings.flask.push(FlaskSetting { key, node, value });
                        }
                    }
                }
                "subscript" => {
                    let target = left.child_by_field_name("value");
                    if target.is_some_and(|t| semantic.text(t) == "CACHES") {
                        settings.caches_mutated = true;
                    }
                    let key = left
                        .child_by_field_name("subscript")
                        .and_then(|k| literal_str(k, semantic));
                    if let Some(key) = key.as_deref().and_then(flask_key) {
                        settings.flask.push(FlaskSetting { key, node, value });
                    }
                }
                _ => {}
            }
        }
        "keyword_argument" => {
            let name = node.child_by_field_name("name").map(|n| semantic.text(n));
            if let (Some(key), Some(value)) =
                (name.and_then(flask_key), node.child_by_field_name("value"))
            {
                settings.flask.push(FlaskSetting { key, node, value });
            }
        }
        "pair" => {
            let key = node
                .child_by_field_name("key")
                .and_then(|k| literal_str(k, semantic));
            if let (Some(key), Some(value)) = (
                key.as_deref().and_then(flask_key),
                node.child_by_field_name("value"),
            ) {
                settings.flask.push(FlaskSetting { key, node, value });
            }
        }
        "attribute" => {
            // `CACHES.update(...)`, `CACHES.setdefault(...)`
            let object = node.child_by_field_name("object");
            if object.is_some_and(|o| o.kind() == "identifier" && semantic.text(o) == "CACHES") {
                settings.caches_mutated = true;
            }
        }
        _ => {}
    });
    // Which module-level settings sit under an `if`.
    for list in settings.module.values_mut() {
        for setting in list.iter_mut() {
            setting.conditional = path_from_root(root, setting.node).iter().any(|ancestor| {
                matches!(
                    ancestor.kind(),
                    "if_statement" | "match_statement" | "conditional_expression"
                )
            });
        }
    }
    settings
}

fn check_python_settings(root: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let source = ctx.source;
    if !(source.contains("SESSION_ENGINE")
        || source.contains("SESSION_TYPE")
        || source.contains("SESSION_CACHELIB"))
    {
        return;
    }
    let semantic = ctx.semantic;
    let settings = collect_py_settings(root, semantic);
    // Settings that configure test runs or development machines, not deployments.
    if is_non_production_file(ctx.path) || ctx.is_test_file {
        return;
    }
    check_django(&settings, ctx);
    check_flask(&settings, ctx);
}

/// Whether the file keeps the application's database in a local SQLite file: the app
/// runs on one machine by design, so sessions on that machine's disk change nothing
/// (sessions in memory are still lost on every restart, and stay reported).
fn database_on_local_disk(source: &str) -> bool {
    source.contains("sqlite:///")
        || source.contains("sqlite3.connect(")
        || source.contains("django.db.backends.sqlite3")
}

/// Where a Django cache alias keeps its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CacheKind {
    Memory,
    Disk,
    Shared,
    Unknown,
}

fn django_cache_kind<'t>(
    caches: Node<'t>,
    alias: &str,
    semantic: &Semantic<'t>,
) -> (CacheKind, String) {
    let caches = crate::common::resolve_local(caches, semantic);
    if caches.kind() != "dictionary" {
        return (CacheKind::Unknown, String::new());
    }
    let mut entry = None;
    for child in named_children(caches) {
        match child.kind() {
            "pair" => {
                let key = child
                    .child_by_field_name("key")
                    .and_then(|k| literal_str(k, semantic));
                match key {
                    Some(key) if key == alias => entry = child.child_by_field_name("value"),
                    Some(_) => {}
                    None => return (CacheKind::Unknown, String::new()),
                }
            }
            "dictionary_splat" => return (CacheKind::Unknown, String::new()),
            _ => {}
        }
    }
    let Some(entry) = entry.map(|e| crate::common::resolve_local(e, semantic)) else {
        return (CacheKind::Unknown, String::new());
    };
    if entry.kind() != "dictionary" {
        return (CacheKind::Unknown, String::new());
    }
    let mut backend = None;
    for child in named_children(entry) {
        match child.kind() {
            "pair" => {
                let key = child
                    .child_by_field_name("key")
                    .and_then(|k| literal_str(k, semantic));
                if key.as_deref() == Some("BACKEND") {
                    backend = child
                        .child_by_field_name("value")
                        .and_then(|v| literal_str(v, semantic));
                    if backend.is_none() {
                        return (CacheKind::Unknown, String::new());
                    }
                }
            }
            "dictionary_splat" => return (CacheKind::Unknown, String::new()),
            _ => {}
        }
    }
    let Some(backend) = backend else {
        return (CacheKind::Unknown, String::new());
    };
    let class = backend.rsplit('.').next().unwrap_or("").to_string();
    let kind = match class.as_str() {
        "LocMemCache" => CacheKind::Memory,
        "FileBasedCache" => CacheKind::Disk,
        // Nothing is kept at all: a different bug.
        "DummyCache" => CacheKind::Unknown,
        _ => CacheKind::Shared,
    };
    (kind, class)
}

fn single_setting<'a, 't>(settings: &'a PySettings<'t>, key: &str) -> Option<&'a Setting<'t>> {
    match settings.module.get(key).map(Vec::as_slice) {
        Some([one]) if !one.conditional => Some(one),
        _ => None,
    }
}

fn check_django(settings: &PySettings<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(engine) = single_setting(settings, "SESSION_ENGINE") else {
        return;
    };
    let Some(engine_path) = literal_str(engine.value, semantic) else {
        return;
    };
    let span = first_line_span(engine.node, semantic);
    let single_machine = database_on_local_disk(ctx.source);
    if engine_path == DJANGO_FILE_ENGINE {
        if single_machine {
            return;
        }
        ctx.report_span(
            span,
            "`SESSION_ENGINE` `django.contrib.sessions.backends.file` keeps sessions on this machine's disk, which other instances cannot see",
        )
        .help(DJANGO_HELP);
        return;
    }
    if engine_path != DJANGO_CACHE_ENGINE {
        return;
    }
    // Which cache alias sessions go to.
    let alias = match settings.module.get("SESSION_CACHE_ALIAS") {
        None => "default".to_string(),
        Some(_) => match single_setting(settings, "SESSION_CACHE_ALIAS")
            .and_then(|s| literal_str(s.value, semantic))
        {
            Some(alias) => alias,
            None => return,
        },
    };
    if settings.caches_mutated || ctx.source.contains("split_settings") {
        return;
    }
    let caches = settings
        .module
        .get("CACHES")
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let last_star = settings.star_imports.iter().max().copied();
    // A star import may bring `CACHES` in, unless the file assigns it afterwards.
    if let Some(star) = last_star {
        let assigned_after = caches
            .iter()
            .any(|c| !c.conditional && c.node.start_byte() > star);
        if !assigned_after {
            return;
        }
    }
    if caches.is_empty() {
        ctx.report_span(
            span,
            "`SESSION_ENGINE` stores sessions in the cache, and with no `CACHES` setting Django's default `LocMemCache` keeps them in process memory",
        )
        .help(DJANGO_HELP);
        return;
    }
    let mut kinds = Vec::new();
    for cache in caches {
        kinds.push(django_cache_kind(cache.value, &alias, semantic));
    }
    if kinds
        .iter()
        .any(|(k, _)| matches!(k, CacheKind::Shared | CacheKind::Unknown))
    {
        return;
    }
    let Some((kind, class)) = kinds.first() else {
        return;
    };
    if *kind == CacheKind::Disk && single_machine {
        return;
    }
    let place = match kind {
        CacheKind::Memory => "in process memory",
        _ => "on this machine's disk",
    };
    ctx.report_span(
        span,
        format!("`SESSION_ENGINE` stores sessions in the cache, and the `{alias}` cache is `{class}`, which keeps them {place}"),
    )
    .help(DJANGO_HELP);
}

/// What a Flask-Session `SESSION_TYPE` value means here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlaskType {
    Filesystem,
    /// `cachelib`: the `SESSION_CACHELIB` client decides.
    Cachelib,
    /// `null`: nothing is stored (an error in recent versions), not an in-memory store.
    Null,
    Shared,
    Unknown,
}

fn flask_type(value: Node<'_>, semantic: &Semantic<'_>) -> FlaskType {
    match literal_str(value, semantic).map(|s| s.to_ascii_lowercase()) {
        Some(kind) => match kind.as_str() {
            "filesystem" => FlaskType::Filesystem,
            "cachelib" => FlaskType::Cachelib,
            "null" => FlaskType::Null,
            _ => FlaskType::Shared,
        },
        None => FlaskType::Unknown,
    }
}

/// The name of the class whose body holds `node`, if any.
fn enclosing_class_name<'t>(node: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    let class = corbel_engine::semantic::enclosing_class(semantic.root(), node)?;
    class.child_by_field_name("name").map(|n| semantic.text(n))
}

fn check_flask(settings: &PySettings<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    if settings.flask.is_empty() {
        return;
    }
    let types: Vec<(FlaskSetting<'_>, FlaskType)> = settings
        .flask
        .iter()
        .filter(|s| s.key == "SESSION_TYPE")
        .map(|s| (*s, flask_type(s.value, semantic)))
        .collect();
    // Another configuration in the file picks a shared store (or one from the
    // environment): the local one is a fallback or a development profile.
    if types
        .iter()
        .any(|(_, t)| matches!(t, FlaskType::Shared | FlaskType::Unknown))
    {
        return;
    }
    let in_development_profile =
        |node: Node<'_>| enclosing_class_name(node, semantic).is_some_and(says_non_production);
    let single_machine = database_on_local_disk(ctx.source);
    // `SESSION_FILE_DIR` set next to it: a directory chosen to keep sessions across
    // restarts, a deliberate store for one machine (like `memorystore` for one process).
    let deliberate = settings.flask.iter().any(|s| s.key == "SESSION_FILE_DIR");
    for (setting, kind) in &types {
        if *kind != FlaskType::Filesystem || in_development_profile(setting.node) || single_machine
        {
            continue;
        }
        if deliberate {
            ctx.fact(setting.node, PER_MACHINE_STORE_FACT)
                .value("message", FLASK_FILESYSTEM)
                .value("help", FLASK_HELP);
            continue;
        }
        ctx.report_span(first_line_span(setting.node, semantic), FLASK_FILESYSTEM)
            .help(FLASK_HELP);
    }
    for setting in settings
        .flask
        .iter()
        .filter(|s| s.key == "SESSION_CACHELIB")
    {
        if in_development_profile(setting.node) {
            continue;
        }
        let value = crate::common::resolve_local(setting.value, semantic);
        if value.kind() != "call" {
            continue;
        }
        let Some(qualified) = value
            .child_by_field_name("function")
            .and_then(|f| semantic.qualified_name(f))
        else {
            continue;
        };
        if !qualified.starts_with("cachelib") {
            continue;
        }
        let place = match qualified.rsplit('.').next() {
            Some("SimpleCache") => "in process memory",
            Some("FileSystemCache") if !single_machine => "on this machine's disk",
            _ => continue,
        };
        let class = qualified.rsplit('.').next().unwrap_or("");
        ctx.report_span(
            first_line_span(setting.node, semantic),
            format!("Flask-Session `SESSION_CACHELIB` is a cachelib `{class}`, which keeps sessions {place}"),
        )
        .help(FLASK_HELP);
    }
}

// ---------------------------------------------------------------- module-level session tables

/// Words in a table's name that say it is not a session table (caches, denylists,
/// one-time codes) or that it holds connections and clients, which must live in the
/// process anyway.
const NOT_A_SESSION_TABLE: &[&str] = &[
    "cache",
    "cached",
    "caches",
    "memo",
    "lru",
    "revoked",
    "blacklist",
    "blacklisted",
    "blocklist",
    "denylist",
    "used",
    "seen",
    "nonce",
    "nonces",
    // A file or flow waiting for its next step under a one-time token.
    "pending",
    "upload",
    "uploads",
    "download",
    "downloads",
    "csrf",
    "reset",
    "verification",
    "verify",
    "confirm",
    "confirmation",
    "invite",
    "invitation",
    "jwks",
    "key",
    "keys",
    "rate",
    "limit",
    "limits",
    "lock",
    "locks",
    "db",
    "engine",
    "engines",
    "http",
    "client",
    "clients",
    "ws",
    "websocket",
    "websockets",
    "socket",
    "sockets",
    "connection",
    "connections",
    "conn",
    "conns",
    "sqlalchemy",
    "aiohttp",
    "requests",
    "browser",
    "browsers",
    "driver",
    "drivers",
    "ssh",
    "sftp",
    "terminal",
    "terminals",
    "kernel",
    "kernels",
    "spark",
    "tmux",
    "shell",
    "process",
    "processes",
    "thread",
    "threads",
    "task",
    "tasks",
    // A session's running statements (`_active_queries[session_id]` of thread ids).
    "query",
    "queries",
    "execution",
    "executions",
    "queue",
    "queues",
    "stream",
    "streams",
    "subscriber",
    "subscribers",
    "listener",
    "listeners",
];

/// Values that are live objects (connections, clients, sockets): a table of them is a
/// registry of this process's resources, not a session store.
const LIVE_OBJECT_WORDS: &[&str] = &[
    "websocket",
    "ws",
    "socket",
    "client",
    "connection",
    "conn",
    "engine",
    "queue",
    "stream",
    "task",
    "thread",
    "process",
    "browser",
    "driver",
    "event",
    "lock",
    "future",
    "response",
    "res",
    "reply",
];

/// Modules whose objects are connections or clients.
const LIVE_OBJECT_MODULES: &[&str] = &[
    "sqlalchemy",
    "requests",
    "aiohttp",
    "httpx",
    "boto3",
    "botocore",
    "paramiko",
    "websockets",
    "asyncio",
    "threading",
    "socket",
    "redis",
    "pymongo",
    "motor",
    "playwright",
    "selenium",
    "ws",
    "socket.io",
    "axios",
];

/// A module-level empty mapping that may be a session table.
struct Table<'t> {
    name: &'t str,
    /// The expression it was created by (`{}`, `dict()`, `new Map()`).
    value: Node<'t>,
    statement: Node<'t>,
}

/// A keyed access to a table: `SESSIONS[token]`, `sessions.get(sid)`, `sessions.set(k, v)`.
struct Access<'t> {
    table: usize,
    node: Node<'t>,
    key: Option<Node<'t>>,
    write: bool,
    /// The value written, when visible.
    written: Option<Node<'t>>,
}

fn is_empty_mapping<'t>(value: Node<'t>, semantic: &Semantic<'t>, family: Family) -> bool {
    match family {
        Family::Python => match value.kind() {
            "dictionary" => value.named_child_count() == 0,
            "call" => {
                let Some(function) = value.child_by_field_name("function") else {
                    return false;
                };
                let no_mapping_argument = crate::common::py_arguments(value).is_some_and(|a| {
                    named_children(a)
                        .iter()
                        .all(|arg| !matches!(arg.kind(), "dictionary" | "dictionary_comprehension"))
                });
                let name = semantic
                    .qualified_name(function)
                    .unwrap_or_else(|| semantic.text(function).to_string());
                matches!(
                    name.as_str(),
                    "dict"
                        | "collections.defaultdict"
                        | "collections.OrderedDict"
                        | "cachetools.TTLCache"
                        | "cachetools.LRUCache"
                        | "cachetools.Cache"
                        | "expiringdict.ExpiringDict"
                ) && no_mapping_argument
            }
            _ => false,
        },
        Family::JavaScript => match value.kind() {
            "object" => value.named_child_count() == 0,
            "new_expression" => {
                let constructor = value.child_by_field_name("constructor");
                constructor.is_some_and(|c| semantic.text(c) == "Map")
                    && js_arguments(value).is_empty()
            }
            "call_expression" => semantic.text(value).replace(' ', "") == "Object.create(null)",
            _ => false,
        },
    }
}

/// Module-level `NAME = {}` / `const name = new Map()` statements.
fn module_tables<'t>(root: Node<'t>, semantic: &Semantic<'t>, family: Family) -> Vec<Table<'t>> {
    let mut tables = Vec::new();
    for statement in named_children(root) {
        let candidates: Vec<(Node<'t>, Node<'t>)> = match (family, statement.kind()) {
            (Family::Python, "expression_statement") => named_children(statement)
                .into_iter()
                .filter(|n| n.kind() == "assignment")
                .filter_map(|a| {
                    let left = a.child_by_field_name("left")?;
                    let right = a.child_by_field_name("right")?;
                    (left.kind() == "identifier").then_some((left, right))
                })
                .collect(),
            (Family::JavaScript, "lexical_declaration" | "variable_declaration") => {
                declarators(statement)
            }
            (Family::JavaScript, "export_statement") => named_children(statement)
                .into_iter()
                .filter(|n| matches!(n.kind(), "lexical_declaration" | "variable_declaration"))
                .flat_map(declarators)
                .collect(),
            _ => Vec::new(),
        };
        for (name, value) in candidates {
            let value = semantic.unwrap_expression(value);
            if !is_empty_mapping(value, semantic, family) {
                continue;
            }
            let name_text = semantic.text(name);
            if names_something_else(name_text) {
                continue;
            }
            // A typed table of connections or clients: `dict[str, ClientSession]`.
            if family == Family::Python && annotation_says_live_object(statement, semantic) {
                continue;
            }
            tables.push(Table {
                name: name_text,
                value,
                statement,
            });
        }
    }
    tables
}

/// Whether a table's name says it is not a session table: a word of
/// `NOT_A_SESSION_TABLE`, also inside a compound word (`browsersteps_sessions`).
fn names_something_else(name: &str) -> bool {
    name_words(name).iter().any(|word| {
        NOT_A_SESSION_TABLE
            .iter()
            .any(|other| word == other || (other.len() >= 5 && word.contains(other)))
    })
}

fn declarators(statement: Node<'_>) -> Vec<(Node<'_>, Node<'_>)> {
    named_children(statement)
        .into_iter()
        .filter(|d| d.kind() == "variable_declarator")
        .filter_map(|d| {
            let name = d.child_by_field_name("name")?;
            let value = d.child_by_field_name("value")?;
            (name.kind() == "identifier").then_some((name, value))
        })
        .collect()
}

fn annotation_says_live_object(statement: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(annotation) = named_children(statement)
        .into_iter()
        .find(|n| n.kind() == "assignment")
        .and_then(|a| a.child_by_field_name("type"))
    else {
        return false;
    };
    let text = semantic.text(annotation);
    if [
        "WebSocket",
        "Client",
        "Connection",
        "Engine",
        "Socket",
        "Queue",
        "Task",
    ]
    .iter()
    .any(|word| text.contains(word))
    {
        return true;
    }
    let mut live = false;
    walk_preorder(annotation, |node| {
        if matches!(node.kind(), "identifier" | "attribute") && !live {
            if let Some(qualified) = semantic.qualified_name(node) {
                live = LIVE_OBJECT_MODULES
                    .iter()
                    .any(|m| qualified == *m || qualified.starts_with(&format!("{m}.")));
            }
        }
    });
    live
}

/// Whether `identifier` refers to the table created by `value`.
fn refers_to<'t>(identifier: Node<'t>, value: Node<'t>, semantic: &Semantic<'t>) -> bool {
    if identifier.kind() != "identifier" {
        return false;
    }
    match semantic.lookup(semantic.text(identifier), identifier.start_byte()) {
        Some(binding) => match binding.value {
            BindingValue::Value(bound) => semantic.unwrap_expression(bound).id() == value.id(),
            _ => false,
        },
        None => false,
    }
}

fn table_index<'t>(
    object: Option<Node<'t>>,
    tables: &[Table<'t>],
    semantic: &Semantic<'t>,
) -> Option<usize> {
    let object = semantic.unwrap_expression(object?);
    if object.kind() != "identifier" {
        return None;
    }
    let name = semantic.text(object);
    tables
        .iter()
        .position(|t| t.name == name && refers_to(object, t.value, semantic))
}

/// The first argument of a call, without comments.
fn first_argument(call: Node<'_>) -> Option<Node<'_>> {
    let arguments = call.child_by_field_name("arguments")?;
    named_children(arguments)
        .into_iter()
        .find(|a| !matches!(a.kind(), "keyword_argument" | "spread_element"))
}

fn second_argument(call: Node<'_>) -> Option<Node<'_>> {
    let arguments = call.child_by_field_name("arguments")?;
    named_children(arguments).get(1).copied()
}

const READ_METHODS: &[&str] = &["get", "has", "pop", "__getitem__", "__contains__"];
const WRITE_METHODS: &[&str] = &["set", "setdefault", "update", "delete", "__setitem__"];

fn table_accesses<'t>(
    root: Node<'t>,
    tables: &[Table<'t>],
    semantic: &Semantic<'t>,
) -> Vec<Access<'t>> {
    let mut accesses = Vec::new();
    walk_preorder(root, |node| match node.kind() {
        // `SESSIONS[token]` / `sessions[sid]`
        "subscript" | "subscript_expression" => {
            let object = node
                .child_by_field_name("value")
                .or_else(|| node.child_by_field_name("object"));
            if let Some(table) = table_index(object, tables, semantic) {
                let key = node
                    .child_by_field_name("subscript")
                    .or_else(|| node.child_by_field_name("index"));
                accesses.push(Access {
                    table,
                    node,
                    key,
                    write: false,
                    written: None,
                });
            }
        }
        // `SESSIONS[token] = user` / `sessions[sid] = data`
        "assignment" | "assignment_expression" => {
            let left = node.child_by_field_name("left");
            let Some(left) =
                left.filter(|l| matches!(l.kind(), "subscript" | "subscript_expression"))
            else {
                return;
            };
            let object = left
                .child_by_field_name("value")
                .or_else(|| left.child_by_field_name("object"));
            if let Some(table) = table_index(object, tables, semantic) {
                accesses.push(Access {
                    table,
                    node,
                    key: left
                        .child_by_field_name("subscript")
                        .or_else(|| left.child_by_field_name("index")),
                    write: true,
                    written: node.child_by_field_name("right"),
                });
            }
        }
        // `sessions.get(sid)`, `SESSIONS.pop(token, None)`, `sessions.set(sid, user)`
        "call" | "call_expression" => {
            let Some(function) = node.child_by_field_name("function") else {
                return;
            };
            if !matches!(function.kind(), "attribute" | "member_expression") {
                return;
            }
            let method = function
                .child_by_field_name("attribute")
                .or_else(|| function.child_by_field_name("property"))
                .map(|m| semantic.text(m))
                .unwrap_or("");
            let read = READ_METHODS.contains(&method);
            let write = WRITE_METHODS.contains(&method);
            if !read && !write {
                return;
            }
            if let Some(table) =
                table_index(function.child_by_field_name("object"), tables, semantic)
            {
                accesses.push(Access {
                    table,
                    node,
                    key: first_argument(node),
                    write,
                    written: if matches!(method, "set" | "setdefault" | "__setitem__") {
                        second_argument(node)
                    } else {
                        None
                    },
                });
            }
        }
        // `token in SESSIONS`
        "comparison_operator" => {
            let operands = named_children(node);
            if let [key, object] = operands.as_slice() {
                let text = semantic.text(node);
                if !(text.contains(" in ") || text.contains(" not in ")) {
                    return;
                }
                if let Some(table) = table_index(Some(*object), tables, semantic) {
                    accesses.push(Access {
                        table,
                        node,
                        key: Some(*key),
                        write: false,
                        written: None,
                    });
                }
            }
        }
        // `delete sessions[sid]` / `del SESSIONS[token]`
        "delete_statement" | "unary_expression" => {
            if node.kind() == "unary_expression" && !semantic.text(node).starts_with("delete") {
                return;
            }
            for target in named_children(node) {
                let object = target
                    .child_by_field_name("value")
                    .or_else(|| target.child_by_field_name("object"));
                if matches!(target.kind(), "subscript" | "subscript_expression") {
                    if let Some(table) = table_index(object, tables, semantic) {
                        accesses.push(Access {
                            table,
                            node,
                            key: None,
                            write: true,
                            written: None,
                        });
                    }
                }
            }
        }
        _ => {}
    });
    accesses
}

/// Whether a written value is a live object (a socket, a client, a response), or a
/// record that carries one (`{ sessionId, adminWs: null }`, `{ backend: spawnPty() }`):
/// a terminal or socket pairing session lives in this process by nature.
fn is_live_object<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> bool {
    let record = crate::common::resolve_local(value, semantic);
    if matches!(record.kind(), "object" | "dictionary") {
        return carries_live_object(record, semantic);
    }
    is_live_value(value, semantic)
}

/// Whether a record literal has a field that names or holds a live object.
fn carries_live_object<'t>(record: Node<'t>, semantic: &Semantic<'t>) -> bool {
    named_children(record).into_iter().any(|entry| {
        let (key, value) = match entry.kind() {
            "pair" => (
                entry.child_by_field_name("key"),
                entry.child_by_field_name("value"),
            ),
            "method_definition" => (entry.child_by_field_name("name"), None),
            "shorthand_property_identifier" => (Some(entry), None),
            _ => (None, None),
        };
        let key_is_live = key.is_some_and(|key| {
            let name = literal_str(key, semantic).unwrap_or_else(|| semantic.text(key).to_string());
            name_words(&name).iter().any(|w| {
                LIVE_OBJECT_WORDS.contains(&w.as_str()) || LIVE_RECORD_FIELDS.contains(&w.as_str())
            })
        });
        key_is_live || value.is_some_and(|value| is_live_value(value, semantic))
    })
}

/// Field names of a session record that hold a process's own resources, besides
/// `LIVE_OBJECT_WORDS`: a pseudo-terminal.
const LIVE_RECORD_FIELDS: &[&str] = &["pty", "tty"];

fn is_live_value<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> bool {
    let value = semantic.unwrap_expression(value);
    let callee = match value.kind() {
        "call" | "call_expression" => value.child_by_field_name("function"),
        "new_expression" => value.child_by_field_name("constructor"),
        _ => Some(value),
    };
    let Some(callee) = callee else {
        return false;
    };
    if let Some(qualified) = semantic.qualified_name(callee) {
        if LIVE_OBJECT_MODULES
            .iter()
            .any(|m| qualified == *m || qualified.starts_with(&format!("{m}.")))
        {
            return true;
        }
    }
    name_words(semantic.text(callee))
        .iter()
        .any(|w| LIVE_OBJECT_WORDS.contains(&w.as_str()))
}

fn check_session_tables(root: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let family = ctx.family();
    let tables = module_tables(root, semantic, family);
    if tables.is_empty() {
        return;
    }
    let accesses = table_accesses(root, &tables, semantic);
    // Grouped once: a bundle can hold hundreds of module-level maps.
    let mut by_table: Vec<Vec<&Access<'_>>> = vec![Vec::new(); tables.len()];
    for access in &accesses {
        if let Some(group) = by_table.get_mut(access.table) {
            group.push(access);
        }
    }
    for (table, mine) in tables.iter().zip(by_table) {
        // Written to at run time (by a handler or a helper it calls) ...
        if !mine
            .iter()
            .any(|a| a.write && !semantic.is_module_level(a.node))
        {
            continue;
        }
        // ... and never with a live object.
        if mine
            .iter()
            .filter_map(|a| a.written)
            .any(|value| is_live_object(value, semantic))
        {
            continue;
        }
        let name_says_session = name_words(table.name).iter().any(|w| is_session_word(w));
        let key_words = |a: &Access<'_>| {
            a.key
                .filter(|key| semantic.text(*key) != "request.sid")
                .map(|key| name_words(semantic.text(key)))
        };
        // A keyed access inside a request handler, keyed by a session id or token, or by
        // a cookie or credential when the table's name says it holds sessions.
        let in_handler = |a: &&&Access<'_>| {
            let Some(key_words) = key_words(a) else {
                return false;
            };
            // Flask-SocketIO's `request.sid` is a connection id, not a session id.
            if a.key.is_some_and(|k| semantic.text(k) == "request.sid") {
                return false;
            }
            if semantic.request_handler(a.node).is_none() {
                return false;
            }
            let key_says_session = key_words.iter().any(|w| is_session_word(w));
            // `sessions[req.cookies.auth]`: a cookie or credential is the session id.
            let key_is_credential = key_words
                .iter()
                .any(|w| CREDENTIAL_WORDS.contains(&w.as_str()));
            key_says_session || (name_says_session && key_is_credential)
        };
        // A session helper the handlers call (`def create_session(user): _sessions[token]
        // = ...`): both the table's name and the key say session or token.
        let in_helper = |a: &&&Access<'_>| {
            a.write
                && name_says_session
                && key_words(a).is_some_and(|words| words.iter().any(|w| is_session_word(w)))
                && is_session_helper(semantic.enclosing_function(a.node), semantic)
                && names_someone(a, semantic)
        };
        // Show a write when a handler makes one, else a read, else a helper's write.
        let found = mine
            .iter()
            .filter(|a| a.write)
            .find(in_handler)
            .or_else(|| mine.iter().find(in_handler))
            .or_else(|| mine.iter().find(in_helper));
        let Some(access) = found else {
            continue;
        };
        // Saved somewhere (`storage.saveSessions(sessions)`, `json.dump(SESSIONS, f)`):
        // the table is a cache of a persisted store. Asked last: it reads the whole file.
        if is_persisted(root, table, semantic) {
            continue;
        }
        let handler = semantic
            .request_handler(access.node)
            .or_else(|| semantic.enclosing_function(access.node))
            .map(|h| handler_description(h, semantic))
            .unwrap_or_default();
        let usage_text = access_text(access, table.name, semantic);
        let (kind, help) = match family {
            Family::Python => (
                "dict",
                "keep sessions in a shared store such as Redis (`redis.set(f\"session:{token}\", payload, ex=ttl)`), or use the framework's session support backed by one",
            ),
            Family::JavaScript => (
                if table.value.kind() == "object" { "object" } else { "`Map`" },
                "keep sessions in a shared store such as Redis (`await redis.set(`session:${token}`, payload, { EX: ttl })`), or use `express-session` with `connect-redis`",
            ),
        };
        // A table the code evicts from when it is full already expects to lose entries,
        // a restart included, like `memorystore`: what is left is other instances not
        // seeing them, which the project part reports where replicas run.
        if evicts_when_full(root, table, semantic) {
            ctx.fact(table.statement, PER_MACHINE_STORE_FACT)
                .value(
                    "message",
                    format!(
                        "module-level {kind} `{}` is used as a session table (`{usage_text}` in {handler}), capped in process memory: other instances cannot see its sessions",
                        table.name
                    ),
                )
                .value("help", help);
            continue;
        }
        ctx.report_span(
            first_line_span(table.statement, semantic),
            format!(
                "module-level {kind} `{}` is used as a session table (`{usage_text}` in {handler}): sessions in process memory are lost on restart and invisible to other instances",
                table.name
            ),
        )
        .help(help);
    }
}

/// Whether the module drops entries from `table` when it grows past a size: a `while` or
/// `if` testing `len(table) >` (`table.size >` in JS) whose body removes an entry
/// (`table.popitem(last=False)`, `table.pop(oldest)`, `del table[k]`, `table.delete(k)`).
fn evicts_when_full<'t>(root: Node<'t>, table: &Table<'t>, semantic: &Semantic<'t>) -> bool {
    let name = table.name;
    let size_tests = [format!("len({name})"), format!("{name}.size")];
    let removals = [
        format!("{name}.popitem("),
        format!("{name}.pop("),
        format!("del {name}["),
        format!("{name}.delete("),
    ];
    let mut evicts = false;
    walk_preorder(root, |node| {
        if evicts || !matches!(node.kind(), "while_statement" | "if_statement") {
            return;
        }
        let (Some(condition), Some(body)) = (
            node.child_by_field_name("condition"),
            node.child_by_field_name("body")
                .or_else(|| node.child_by_field_name("consequence")),
        ) else {
            return;
        };
        let condition = semantic.text(condition);
        let grows_past = condition.contains('>')
            && size_tests
                .iter()
                .any(|test| condition.contains(test.as_str()));
        let body = semantic.text(body);
        evicts = grows_past
            && removals
                .iter()
                .any(|removal| body.contains(removal.as_str()));
    });
    evicts
}

/// Words that name who a session belongs to.
const IDENTITY_WORDS: &[&str] = &[
    "user",
    "users",
    "username",
    "uid",
    "email",
    "account",
    "login",
    "role",
    "roles",
    "admin",
    "principal",
    "identity",
    "member",
    "customer",
    "owner",
    "password",
    "credentials",
    "profile",
    "claims",
    "scopes",
];

/// Whether a helper's write says whose session it is: the value it stores, or the
/// helper's parameters, name a user, account, role or credential
/// (`_sessions[token] = {"user_id": user.id}`, `def create_session(username)`). A
/// playback or transcoding "session" a helper starts (`_sessions[token] =
/// TranscodeSession(path, encoder)`, `{"headers": ..., "last": ...}`) names no one:
/// it is work the process runs, not a sign-in.
fn names_someone(access: &Access<'_>, semantic: &Semantic<'_>) -> bool {
    let says_identity = |text: &str| {
        name_words(text)
            .iter()
            .any(|w| IDENTITY_WORDS.contains(&w.as_str()))
    };
    let value_says = access.written.is_some_and(|value| {
        let value = crate::common::resolve_local(value, semantic);
        says_identity(semantic.text(value))
    });
    let parameters_say = semantic
        .enclosing_function(access.node)
        .and_then(|function| function.child_by_field_name("parameters"))
        .is_some_and(|parameters| says_identity(semantic.text(parameters)));
    value_says || parameters_say
}

/// Words in a function name that say it manages sessions.
const SESSION_HELPER_WORDS: &[&str] = &[
    "session",
    "sessions",
    "login",
    "logout",
    "signin",
    "signout",
    "auth",
    "authenticate",
    "token",
    "tokens",
];

/// A top-level function (not a method or callback) named for session handling:
/// `create_session`, `login_user`, `issue_token`. A name that says only "token" counts
/// when a request handler in the file calls the function: `addParseToken` in a date
/// library's lexer says "token" too.
fn is_session_helper<'t>(function: Option<Node<'t>>, semantic: &Semantic<'t>) -> bool {
    let Some(function) = function else {
        return false;
    };
    if !matches!(
        function.kind(),
        "function_definition" | "function_declaration"
    ) {
        return false;
    }
    if semantic.enclosing_function(function).is_some()
        || corbel_engine::semantic::enclosing_class(semantic.root(), function).is_some()
    {
        return false;
    }
    let words = function
        .child_by_field_name("name")
        .map(|name| name_words(semantic.text(name)))
        .unwrap_or_default();
    let named: Vec<&String> = words
        .iter()
        .filter(|w| SESSION_HELPER_WORDS.contains(&w.as_str()))
        .collect();
    if named.is_empty() {
        return false;
    }
    let only_tokens = named
        .iter()
        .all(|w| matches!(w.as_str(), "token" | "tokens"));
    !only_tokens || called_from_handler(function, semantic)
}

/// Whether a request handler of this file calls the named function.
fn called_from_handler(function: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(name) = function
        .child_by_field_name("name")
        .map(|n| semantic.text(n))
    else {
        return false;
    };
    let mut called = false;
    walk_preorder(semantic.root(), |node| {
        if called || !matches!(node.kind(), "call" | "call_expression") {
            return;
        }
        let callee = node
            .child_by_field_name("function")
            .map(|f| semantic.text(f))
            .unwrap_or("");
        called = (callee == name || callee.ends_with(&format!(".{name}")))
            && semantic.request_handler(node).is_some();
    });
    called
}

/// Whether a table is handed to a call that saves it (`save`, `dump`, `persist`,
/// `write`, `store`, `sync`, `flush` in the callee's name).
fn is_persisted<'t>(root: Node<'t>, table: &Table<'t>, semantic: &Semantic<'t>) -> bool {
    let mut persisted = false;
    walk_preorder(root, |node| {
        if persisted || !matches!(node.kind(), "call" | "call_expression") {
            return;
        }
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        let saves = name_words(semantic.text(function)).iter().any(|w| {
            [
                "save", "dump", "dumps", "persist", "write", "store", "sync", "flush",
            ]
            .iter()
            .any(|verb| w.starts_with(verb))
        });
        if !saves {
            return;
        }
        let Some(arguments) = node.child_by_field_name("arguments") else {
            return;
        };
        persisted = named_children(arguments).iter().any(|argument| {
            semantic.text(*argument) == table.name && refers_to(*argument, table.value, semantic)
        });
    });
    persisted
}

/// `login()`, or `POST /login` for a route callback.
fn handler_description<'t>(handler: Node<'t>, semantic: &Semantic<'t>) -> String {
    if let Some(name) = handler.child_by_field_name("name") {
        return format!("`{}()`", semantic.text(name));
    }
    let route = handler
        .parent()
        .filter(|p| p.kind() == "arguments")
        .and_then(|arguments| arguments.parent())
        .and_then(|call| {
            let method = call
                .child_by_field_name("function")?
                .child_by_field_name("property")
                .map(|p| semantic.text(p).to_uppercase())?;
            let path = first_argument(call).and_then(|p| literal_str(p, semantic))?;
            Some(format!("`{method} {path}`"))
        });
    route.unwrap_or_else(|| "a request handler".to_string())
}

/// A short rendering of a table access: `SESSIONS[token] = ...`, `sessions.get(sid)`.
fn access_text(access: &Access<'_>, name: &str, semantic: &Semantic<'_>) -> String {
    let key = access.key.map_or("...", |k| semantic.text(k));
    let key = if key.chars().count() > 40 || key.contains('\n') {
        "..."
    } else {
        key
    };
    let node = access.node;
    match node.kind() {
        "call" | "call_expression" => {
            let method = node
                .child_by_field_name("function")
                .and_then(|f| {
                    f.child_by_field_name("attribute")
                        .or_else(|| f.child_by_field_name("property"))
                })
                .map_or("get", |m| semantic.text(m));
            let more = if access.written.is_some() {
                ", ..."
            } else {
                ""
            };
            format!("{name}.{method}({key}{more})")
        }
        "comparison_operator" if semantic.text(node).contains(" not in ") => {
            format!("{key} not in {name}")
        }
        "comparison_operator" => format!("{key} in {name}"),
        _ if access.write => format!("{name}[{key}] = ..."),
        _ => format!("{name}[{key}]"),
    }
}

// ------------------------------------------------------------------------ TypeScript / JS

const EXPRESS_HELP: &str =
    "pass a shared store: `store: new RedisStore({ client: redisClient })` from `connect-redis`";
const FASTIFY_HELP: &str = "pass a shared store: `store: new RedisStore({ client: redisClient })` from `connect-redis`, which `@fastify/session` accepts";
const KOA_SESSION_HELP: &str = "use a shared store such as `koa-redis` (`session({ store: redisStore({ url: REDIS_URL }) }, app)`), or drop `store` to keep the session in koa-session's signed cookie";
const KOA_GENERIC_HELP: &str =
    "pass a shared store: `session({ store: redisStore({ url: REDIS_URL }) })` from `koa-redis`";
const HONO_HELP: &str =
    "use `CookieStore` with an `encryptionKey`, or a store backed by a shared database";

/// What a `store` option holds.
enum StoreKind {
    /// In process memory; the text names it (`new session.MemoryStore()`).
    Memory(String),
    /// Anything else, or something the model cannot see.
    Other,
}

/// Session middleware whose default store is in memory, by the qualified callee.
fn js_session_library(qualified: &str) -> Option<&'static str> {
    let module = qualified.strip_suffix(".default").unwrap_or(qualified);
    match module {
        "express-session" => Some("express-session"),
        "koa-generic-session" => Some("koa-generic-session"),
        "koa-session" => Some("koa-session"),
        "hono-sessions.sessionMiddleware" => Some("hono-sessions"),
        _ => None,
    }
}

fn is_fastify_session_plugin(qualified: &str) -> bool {
    matches!(
        qualified,
        "@fastify/session"
            | "@fastify/session.default"
            | "@fastify/session.fastifySession"
            | "fastify-session"
            | "fastify-session.default"
    )
}

fn check_js_call(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    if js_has_spread_argument(call) {
        return;
    }
    let semantic = ctx.semantic;
    let Some(function) = call.child_by_field_name("function") else {
        return;
    };
    // `fastify.register(fastifySession, { secret })`
    if function.kind() == "member_expression" {
        let method = function
            .child_by_field_name("property")
            .map(|p| semantic.text(p));
        if method == Some("register") {
            check_fastify_register(call, ctx);
        }
        if semantic.qualified_name(function).is_none() {
            return;
        }
    }
    let Some(qualified) = semantic.qualified_name(function) else {
        return;
    };
    let Some(library) = js_session_library(&qualified) else {
        return;
    };
    let arguments = js_arguments(call);
    let options = match library {
        // `session(CONFIG, app)`, `session(app)`, `session(app, CONFIG)`: the object.
        "koa-session" => arguments
            .iter()
            .copied()
            .find(|a| crate::common::resolve_local(*a, semantic).kind() == "object"),
        _ => arguments.first().copied(),
    };
    let store = match options {
        Some(options) => js_property(options, "store", semantic),
        None if library == "koa-session" => return,
        None => Lookup::Absent,
    };
    let span = callee_span(call);
    match (library, store) {
        (_, Lookup::Unknown) => {}
        ("express-session", Lookup::Absent) => {
            ctx.report_span(
                span,
                "`express-session` without a `store` keeps sessions in process memory (`MemoryStore`)",
            )
            .help(EXPRESS_HELP);
        }
        ("koa-generic-session", Lookup::Absent) => {
            ctx.report_span(
                span,
                "`koa-generic-session` without a `store` keeps sessions in process memory (`MemoryStore`)",
            )
            .help(KOA_GENERIC_HELP);
        }
        (_, Lookup::Absent) => {}
        (_, Lookup::Present(value)) => {
            if let StoreKind::Memory(what) = classify_js_store(value, semantic) {
                // `memorystore` is a deliberate, leak-free choice for one process: it only
                // matters where the deployment runs several replicas (the project part).
                if what == MEMORYSTORE {
                    ctx.fact(function, PER_MACHINE_STORE_FACT)
                        .value("message", format!("`{library}` is given {MEMORYSTORE}"))
                        .value("help", EXPRESS_HELP);
                    return;
                }
                let help = match library {
                    "express-session" => EXPRESS_HELP,
                    "koa-session" => KOA_SESSION_HELP,
                    "koa-generic-session" => KOA_GENERIC_HELP,
                    _ => HONO_HELP,
                };
                ctx.report_span(span, format!("`{library}` is given {what}"))
                    .help(help);
            }
        }
    }
}

fn check_fastify_register(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let arguments = js_arguments(call);
    let Some(plugin) = arguments.first() else {
        return;
    };
    let is_session = semantic
        .qualified_name(*plugin)
        .is_some_and(|q| is_fastify_session_plugin(&q));
    if !is_session {
        return;
    }
    let plugin_name = semantic
        .qualified_name(*plugin)
        .map(|q| {
            if q.starts_with("@fastify/session") {
                "@fastify/session"
            } else {
                "fastify-session"
            }
        })
        .unwrap_or("@fastify/session");
    // Without options the plugin refuses to start (no secret): not this rule's concern.
    let Some(options) = arguments.get(1) else {
        return;
    };
    let span = Span::new(call.start_byte(), plugin.end_byte());
    match js_property(*options, "store", semantic) {
        Lookup::Absent => {
            ctx.report_span(
                span,
                format!("`{plugin_name}` registered without a `store` keeps sessions in process memory (`MemoryStore`)"),
            )
            .help(FASTIFY_HELP);
        }
        Lookup::Present(value) => {
            if let StoreKind::Memory(what) = classify_js_store(value, semantic) {
                ctx.report_span(span, format!("`{plugin_name}` is given {what}"))
                    .help(FASTIFY_HELP);
            }
        }
        Lookup::Unknown => {}
    }
}

/// Memory stores shipped by session libraries, by qualified constructor.
fn is_library_memory_store(qualified: &str) -> bool {
    matches!(
        qualified,
        "express-session.MemoryStore"
            | "@fastify/session.MemoryStore"
            | "@fastify/session.fastifySession.MemoryStore"
            | "fastify-session.MemoryStore"
            | "koa-generic-session.MemoryStore"
            | "hono-sessions.MemoryStore"
    )
}

/// Whether an expression is `require('memorystore')(session)` or
/// `createMemoryStore(session)` with `createMemoryStore` imported from `memorystore`.
fn is_memorystore_factory_call<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> bool {
    let expr = semantic.unwrap_expression(expr);
    expr.kind() == "call_expression"
        && expr
            .child_by_field_name("function")
            .and_then(|f| semantic.qualified_name(f))
            .is_some_and(|q| q == "memorystore")
}

const MEMORYSTORE: &str =
    "a `memorystore` store, which keeps sessions in process memory (leak-free, but per process)";
const FLASK_FILESYSTEM: &str = "Flask-Session `SESSION_TYPE = \"filesystem\"` keeps sessions on this machine's disk, which other instances cannot see";
/// The fact kind of a store chosen on purpose for one process or machine (`memorystore`,
/// Flask-Session files in a configured directory), reported only where replicas run.
/// Its values: `message` and `help`.
const PER_MACHINE_STORE_FACT: &str = "per-machine-store";

/// Follows a local variable, including the shorthand `{ store }`, to its value.
fn resolve_js_value<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Node<'t> {
    if value.kind() == "shorthand_property_identifier" {
        if let Some(BindingValue::Value(bound)) = semantic
            .lookup(semantic.text(value), value.start_byte())
            .map(|b| b.value)
        {
            return crate::common::resolve_local(bound, semantic);
        }
        return value;
    }
    crate::common::resolve_local(value, semantic)
}

fn classify_js_store<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> StoreKind {
    if picked_at_run_time(value, semantic) {
        return StoreKind::Other;
    }
    let resolved = resolve_js_value(value, semantic);
    if resolved.kind() == "object" {
        return match object_store_in_memory(resolved, semantic) {
            Some(container) => StoreKind::Memory(format!(
                "a store whose `set` writes sessions into {container} in process memory"
            )),
            None => StoreKind::Other,
        };
    }
    if resolved.kind() == "call_expression" {
        return sessionstore_kind(resolved, semantic);
    }
    if resolved.kind() != "new_expression" {
        return StoreKind::Other;
    }
    let Some(constructor) = resolved.child_by_field_name("constructor") else {
        return StoreKind::Other;
    };
    let shown = format!("`new {}()`", semantic.text(constructor));
    if semantic.text(constructor) == "Map" {
        return StoreKind::Memory(
            "a `new Map()` as its store, which keeps sessions in process memory".to_string(),
        );
    }
    if let Some(qualified) = semantic.qualified_name(constructor) {
        if is_library_memory_store(&qualified) {
            return StoreKind::Memory(format!("{shown}, which keeps sessions in process memory"));
        }
        return StoreKind::Other;
    }
    // `new (require('memorystore')(session))(...)`
    if is_memorystore_factory_call(constructor, semantic) {
        return StoreKind::Memory(MEMORYSTORE.to_string());
    }
    let constructor = semantic.unwrap_expression(constructor);
    if constructor.kind() != "identifier" {
        return StoreKind::Other;
    }
    let binding = semantic.lookup(semantic.text(constructor), constructor.start_byte());
    let Some(BindingValue::Value(bound)) = binding.map(|b| b.value) else {
        return StoreKind::Other;
    };
    // `const MemoryStore = require('memorystore')(session)`
    if is_memorystore_factory_call(bound, semantic) {
        return StoreKind::Memory(MEMORYSTORE.to_string());
    }
    // A store class written in this file that keeps sessions in a map.
    if matches!(bound.kind(), "class_declaration" | "class") {
        if let Some(container) = class_store_in_memory(bound, semantic) {
            return StoreKind::Memory(format!(
                "{shown}, whose `set` writes sessions into {container} in process memory"
            ));
        }
    }
    StoreKind::Other
}

/// `if (config.db) store = new KnexStore(...); else store = new MemoryStore();`: a
/// variable assigned a shared store on one branch holds whichever the configuration picks,
/// which the code alone cannot tell.
fn picked_at_run_time<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> bool {
    if !matches!(value.kind(), "identifier" | "shorthand_property_identifier") {
        return false;
    }
    let assigned: Vec<Node<'t>> = semantic
        .bindings_in_scope_of(semantic.text(value), value.start_byte())
        .iter()
        .filter_map(|binding| match binding.value {
            BindingValue::Value(bound) => Some(crate::common::resolve_local(bound, semantic)),
            _ => None,
        })
        .collect();
    assigned.len() > 1
        && assigned.iter().any(|bound| {
            matches!(bound.kind(), "new_expression" | "call_expression")
                && !matches!(classify_js_store(*bound, semantic), StoreKind::Memory(_))
        })
}

/// `sessionstore.createSessionStore()`: in memory unless its options pick another `type`.
fn sessionstore_kind<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> StoreKind {
    let is_factory = call
        .child_by_field_name("function")
        .and_then(|f| semantic.qualified_name(f))
        .is_some_and(|q| q == "sessionstore.createSessionStore");
    if !is_factory || js_has_spread_argument(call) {
        return StoreKind::Other;
    }
    let in_memory = match js_arguments(call).first() {
        None => true,
        Some(options) => match js_property(*options, "type", semantic) {
            Lookup::Absent => true,
            Lookup::Present(kind) => {
                literal_str(kind, semantic).is_some_and(|k| k.eq_ignore_ascii_case("inmemory"))
            }
            Lookup::Unknown => false,
        },
    };
    if in_memory {
        StoreKind::Memory(
            "`sessionstore.createSessionStore()`, whose default `inmemory` type keeps sessions in process memory"
                .to_string(),
        )
    } else {
        StoreKind::Other
    }
}

/// The body of a store's `set` method among class members or object properties.
fn set_method<'t>(members: &[Node<'t>], semantic: &Semantic<'t>) -> Option<Node<'t>> {
    for member in members {
        match member.kind() {
            "method_definition" => {
                let name = member.child_by_field_name("name").map(|n| semantic.text(n));
                if name == Some("set") {
                    return member.child_by_field_name("body");
                }
            }
            "pair" => {
                let key = member.child_by_field_name("key").map(|k| semantic.text(k));
                let value = member.child_by_field_name("value");
                if key == Some("set") {
                    return value.and_then(|v| v.child_by_field_name("body"));
                }
            }
            _ => {}
        }
    }
    None
}

/// The container written by `target[key] = value` or `target.set(key, value)` in a body.
fn written_containers<'t>(body: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    walk_preorder(body, |node| match node.kind() {
        "assignment_expression" => {
            if let Some(left) = node
                .child_by_field_name("left")
                .filter(|l| l.kind() == "subscript_expression")
            {
                if let Some(object) = left.child_by_field_name("object") {
                    out.push(object);
                }
            }
        }
        "call_expression" => {
            let function = node
                .child_by_field_name("function")
                .filter(|f| f.kind() == "member_expression");
            if let Some(function) = function {
                out.push(function);
            }
        }
        _ => {}
    });
    out
}

/// What kind of in-memory container an expression was created as (`{}` or `new Map()`).
fn memory_container<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> Option<&'static str> {
    let expr = semantic.unwrap_expression(expr);
    match expr.kind() {
        "object" => Some("a plain object"),
        "new_expression" => {
            let constructor = expr.child_by_field_name("constructor")?;
            (semantic.text(constructor) == "Map").then_some("a `Map`")
        }
        _ => None,
    }
}

/// The container a `set` body writes into, when every origin of it is an in-memory map.
fn store_container<'t>(
    body: Node<'t>,
    semantic: &Semantic<'t>,
    this_fields: &dyn Fn(&str) -> Option<&'static str>,
) -> Option<&'static str> {
    for target in written_containers(body) {
        // `target[key] = value` gives the object; `target.set(k, v)` the member.
        let container = if target.kind() == "member_expression" {
            let property = target
                .child_by_field_name("property")
                .map(|p| semantic.text(p));
            if property != Some("set") {
                continue;
            }
            match target.child_by_field_name("object") {
                Some(object) => object,
                None => continue,
            }
        } else {
            target
        };
        let container = semantic.unwrap_expression(container);
        // `this.sessions` in an object literal: look the field up in the literal.
        if container.kind() == "member_expression" {
            let object = container.child_by_field_name("object");
            let property = container.child_by_field_name("property");
            if let (Some(object), Some(property)) = (object, property) {
                if object.kind() == "this" {
                    if let Some(kind) = this_fields(semantic.text(property)) {
                        return Some(kind);
                    }
                }
            }
        }
        let Some(origins) = semantic.origins(container) else {
            continue;
        };
        let kinds: Vec<Option<&'static str>> = origins
            .iter()
            .map(|o| memory_container(*o, semantic))
            .collect();
        if let Some(Some(kind)) = kinds.first() {
            if kinds.iter().all(Option::is_some) {
                return Some(kind);
            }
        }
    }
    None
}

fn class_store_in_memory<'t>(class: Node<'t>, semantic: &Semantic<'t>) -> Option<&'static str> {
    let body = class.child_by_field_name("body")?;
    let members = named_children(body);
    let set = set_method(&members, semantic)?;
    store_container(set, semantic, &|_| None)
}

fn object_store_in_memory<'t>(object: Node<'t>, semantic: &Semantic<'t>) -> Option<&'static str> {
    let members = named_children(object);
    let set = set_method(&members, semantic)?;
    let fields = |name: &str| {
        members.iter().find_map(|member| {
            if member.kind() != "pair" {
                return None;
            }
            let key = member.child_by_field_name("key").map(|k| semantic.text(k));
            if key != Some(name) {
                return None;
            }
            member
                .child_by_field_name("value")
                .and_then(|v| memory_container(v, semantic))
        })
    };
    store_container(set, semantic, &fields)
}

// --------------------------------------------------------------------------- project part

impl ProjectRule for InMemorySessionStoreReplicas {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &mut ProjectContext<'_>) {
        let upgradable: Vec<usize> = ctx
            .diagnostics
            .iter()
            .enumerate()
            .filter(|(_, d)| d.rule == META.id && d.severity != Severity::Info)
            .filter(|(_, d)| !corbel_engine::engine::is_test_path(&d.location.path))
            .map(|(index, _)| index)
            .collect();
        let sites: Vec<corbel_engine::Fact> = ctx
            .own_facts()
            .filter(|fact| fact.kind == PER_MACHINE_STORE_FACT && !fact.is_test_file)
            .cloned()
            .collect();
        // Deployment files are scanned and read only when a finding or a site needs them,
        // and once for both.
        if upgradable.is_empty() && sites.is_empty() {
            return;
        }
        let project = ctx.project;
        let targets: Vec<Target> = project
            .deployments()
            .iter()
            .filter_map(|d| Target::of(d, project))
            .collect();
        if targets.is_empty() {
            return;
        }
        // Upgrade the per-file findings first: the per-machine stores reported next already
        // name the replicas.
        upgrade_where_replicas_run(ctx, &upgradable, &targets);
        report_per_machine_stores_with_replicas(ctx, &sites, &targets);
    }
}

/// `<finding>; `k8s/web.yaml` runs 3 replicas, each with its own sessions`.
fn with_replicas(message: &str, widest: &Target<'_>) -> String {
    format!(
        "{message}; `{}` runs {} replicas, each with its own sessions",
        widest.deployment.location.path, widest.deployment.replicas
    )
}

/// Per-file findings in services whose deployment runs more than one replica become
/// errors naming the widest deployment.
fn upgrade_where_replicas_run(
    ctx: &mut ProjectContext<'_>,
    upgradable: &[usize],
    targets: &[Target<'_>],
) {
    let project = ctx.project;
    for &index in upgradable {
        let Some(diagnostic) = ctx.diagnostics.get_mut(index) else {
            continue;
        };
        let applying = applying_targets(targets, &diagnostic.location.path, project);
        let Some(widest) = applying.first() else {
            continue;
        };
        diagnostic.severity = Severity::Error;
        diagnostic.message = with_replicas(&diagnostic.message, widest);
        diagnostic.related.extend(replica_settings(&applying));
    }
}

/// Deliberate per-process or per-machine stores in services whose deployment runs more
/// than one replica: an error naming the widest deployment. One process or machine keeps
/// its sessions consistent, so elsewhere the choice stands and nothing is reported.
fn report_per_machine_stores_with_replicas(
    ctx: &mut ProjectContext<'_>,
    sites: &[corbel_engine::Fact],
    targets: &[Target<'_>],
) {
    let project = ctx.project;
    for site in sites {
        let applying = applying_targets(targets, &site.location.path, project);
        let Some(widest) = applying.first() else {
            continue;
        };
        let (Some(store), Some(help)) = (site.value("message"), site.value("help")) else {
            continue;
        };
        let message = with_replicas(store, widest);
        let help = help.to_string();
        let related = replica_settings(&applying);
        let before = ctx.diagnostics.len();
        ctx.report(site, message, help, related);
        if ctx.diagnostics.len() > before {
            if let Some(diagnostic) = ctx.diagnostics.last_mut() {
                diagnostic.severity = Severity::Error;
            }
        }
    }
}

/// Services in deployment files that are infrastructure, not the application.
const INFRASTRUCTURE_WORDS: &[&str] = &[
    "redis",
    "valkey",
    "postgres",
    "postgresql",
    "pgbouncer",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "memcached",
    "rabbitmq",
    "kafka",
    "zookeeper",
    "elasticsearch",
    "opensearch",
    "nginx",
    "traefik",
    "haproxy",
    "envoy",
    "caddy",
    "minio",
    "etcd",
    "consul",
    "vault",
    "prometheus",
    "grafana",
    "loki",
    "jaeger",
    "clickhouse",
    "cassandra",
    "nats",
    "keycloak",
    "localstack",
];

/// Services that run background work, not request handlers that read sessions.
/// (`gunicorn --workers 4` is a web server: only the singular counts.)
const WORKER_WORDS: &[&str] = &[
    "worker",
    "celery",
    "rq",
    "sidekiq",
    "scheduler",
    "beat",
    "cron",
    "consumer",
    "consumers",
    "queue",
    "jobs",
    "dramatiq",
    "huey",
    "bull",
];

/// Which source files a replica setting runs.
/// The deployments that run the file at `path`, most replicas first (ties: by
/// deployment file path).
fn applying_targets<'t, 'd>(
    targets: &'t [Target<'d>],
    path: &str,
    project: &corbel_engine::Project,
) -> Vec<&'t Target<'d>> {
    let service = project.service_root(path).unwrap_or_default();
    let mut applying: Vec<&Target> = targets
        .iter()
        .filter(|t| t.applies_to(path, &service))
        .collect();
    applying.sort_by(|a, b| {
        b.deployment
            .replicas
            .cmp(&a.deployment.replicas)
            .then_with(|| a.deployment.location.path.cmp(&b.deployment.location.path))
    });
    applying
}

/// Each deployment's replica setting, as a related location of a finding.
fn replica_settings(applying: &[&Target<'_>]) -> Vec<Related> {
    applying
        .iter()
        .map(|target| Related {
            location: target.deployment.location.clone(),
            message: format!(
                "`{}`: the replicas do not share process memory",
                target.deployment.setting
            ),
        })
        .collect()
}

struct Target<'d> {
    deployment: &'d Deployment,
    /// A docker-compose `build` context: exactly the files under this directory.
    context: Option<String>,
    /// Where the deployment file belongs (its service root, else the repository root).
    owner: String,
    /// Names it goes by (compose service, manifest `name:`, images, file stem).
    names: Vec<String>,
}

impl<'d> Target<'d> {
    fn of(deployment: &'d Deployment, project: &corbel_engine::Project) -> Option<Target<'d>> {
        let path = &deployment.location.path;
        let text = std::fs::read_to_string(project.root().join(path)).ok()?;
        let lines: Vec<&str> = text.lines().collect();
        let line = deployment.location.start.line.checked_sub(1)?;
        let file = path.rsplit('/').next().unwrap_or(path);
        let mut names = Vec::new();
        let mut context = None;
        let mut commands = String::new();
        if file.contains("compose") {
            let block = compose_service_block(&lines, line)?;
            names.push(block.name.to_string());
            names.extend(block.images);
            commands = block.command;
            if let Some(build) = block.build {
                context = join_relative(parent_dir(path), &build);
            }
        } else {
            let (start, end) = yaml_document(&lines, line);
            let mut names_seen = 0;
            for raw in &lines[start..end] {
                let trimmed = raw.trim_start();
                if let Some(value) = trimmed
                    .strip_prefix("name:")
                    .or_else(|| trimmed.strip_prefix("- name:"))
                    .or_else(|| trimmed.strip_prefix("repository:"))
                    .or_else(|| trimmed.strip_prefix("image:"))
                    .or_else(|| trimmed.strip_prefix("app:"))
                    .or_else(|| trimmed.strip_prefix("app.kubernetes.io/name:"))
                {
                    let value = clean_yaml_scalar(value);
                    if !value.is_empty() && names_seen < 16 {
                        names.push(value);
                        names_seen += 1;
                    }
                }
                if let Some(value) = trimmed
                    .strip_prefix("command:")
                    .or_else(|| trimmed.strip_prefix("args:"))
                {
                    commands.push_str(value);
                    commands.push(' ');
                }
            }
            let stem = file.split('.').next().unwrap_or(file);
            names.push(stem.to_string());
            // Helm: `charts/<chart>/values.yaml`.
            if matches!(stem, "values" | "deployment" | "statefulset" | "hpa") {
                if let Some(dir) = parent_dir(path).rsplit('/').next() {
                    names.push(dir.to_string());
                }
            }
        }
        let described: Vec<String> = names
            .iter()
            .chain(std::iter::once(&commands))
            .flat_map(|n| name_words(n))
            .collect();
        let compose_named = file.contains("compose");
        // Infrastructure and background workers do not serve sessions. For manifests,
        // only their own names count (their `name:` lines list containers and ports).
        let key_words: Vec<String> = if compose_named {
            described.clone()
        } else {
            names
                .iter()
                .take(1)
                .chain(names.last())
                .flat_map(|n| name_words(n))
                .collect()
        };
        if key_words
            .iter()
            .chain(name_words(&commands).iter())
            .any(|w| {
                INFRASTRUCTURE_WORDS.contains(&w.as_str()) || WORKER_WORDS.contains(&w.as_str())
            })
        {
            return None;
        }
        let owner = project.service_root(path).unwrap_or_default();
        Some(Target {
            deployment,
            context,
            owner,
            names,
        })
    }

    /// Whether the replicas run the file at `path`, whose service root is `service`.
    fn applies_to(&self, path: &str, service: &str) -> bool {
        if let Some(context) = &self.context {
            return is_under(path, context);
        }
        if service == self.owner {
            return true;
        }
        // A deployment of another service, or one at the repository (or a parent) level
        // for one of several services: only when it names the finding's service.
        if !is_under(service, &self.owner) {
            return false;
        }
        let service_name = service.rsplit('/').next().unwrap_or(service).to_lowercase();
        if service_name.is_empty() {
            return false;
        }
        let service_words = name_words(&service_name);
        self.names.iter().any(|name| {
            let name = name.to_lowercase();
            let words = name_words(&name);
            name == service_name
                || name
                    .rsplit('/')
                    .next()
                    .is_some_and(|last| last.split(':').next() == Some(service_name.as_str()))
                || (!service_words.is_empty()
                    && words
                        .windows(service_words.len())
                        .any(|window| window == service_words.as_slice()))
        })
    }
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether `path` is `dir` or inside it (`""` is the root, holding everything).
fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `base/relative` normalized; `None` when it leaves the repository.
fn join_relative(base: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn clean_yaml_scalar(value: &str) -> String {
    value
        .split(" #")
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['"', '\''])
        .to_string()
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// The `---`-separated YAML document holding `line`, as a line range.
fn yaml_document(lines: &[&str], line: usize) -> (usize, usize) {
    let is_separator = |l: &&str| l.trim_end() == "---" || l.starts_with("--- ");
    let start = lines[..line.min(lines.len())]
        .iter()
        .rposition(is_separator)
        .map_or(0, |at| at + 1);
    let end = lines[line.min(lines.len())..]
        .iter()
        .position(is_separator)
        .map_or(lines.len(), |at| line + at);
    (start, end)
}

struct ComposeService<'a> {
    name: &'a str,
    build: Option<String>,
    images: Vec<String>,
    command: String,
}

/// The docker-compose service whose block holds `line`: its name, build context,
/// image and command.
fn compose_service_block<'a>(lines: &[&'a str], line: usize) -> Option<ComposeService<'a>> {
    let services = lines
        .iter()
        .position(|l| l.trim_end() == "services:" && indentation(l) == 0);
    let first_entry = match services {
        Some(at) => lines[at + 1..]
            .iter()
            .find(|l| !is_blank_or_comment(l))
            .map(|l| indentation(l))?,
        None => 0,
    };
    let start = (0..=line.min(lines.len().saturating_sub(1)))
        .rev()
        .find(|&i| {
            let l = lines[i];
            !is_blank_or_comment(l) && indentation(l) == first_entry && l.trim_end().ends_with(':')
        })?;
    if services.is_some_and(|s| start <= s) {
        return None;
    }
    let name = lines[start]
        .trim()
        .trim_end_matches(':')
        .trim_matches(['"', '\'']);
    let end = lines[start + 1..]
        .iter()
        .position(|l| !is_blank_or_comment(l) && indentation(l) <= first_entry)
        .map_or(lines.len(), |at| start + 1 + at);
    let mut service = ComposeService {
        name,
        build: None,
        images: Vec::new(),
        command: String::new(),
    };
    let mut in_build: Option<usize> = None;
    for raw in &lines[start + 1..end] {
        if is_blank_or_comment(raw) {
            continue;
        }
        let indent = indentation(raw);
        let trimmed = raw.trim();
        if let Some(build_indent) = in_build {
            if indent > build_indent {
                if let Some(context) = trimmed.strip_prefix("context:") {
                    service.build = Some(clean_yaml_scalar(context));
                }
                continue;
            }
            in_build = None;
        }
        if let Some(build) = trimmed.strip_prefix("build:") {
            let build = clean_yaml_scalar(build);
            if build.is_empty() {
                in_build = Some(indent);
                // A `build:` mapping without `context` builds the compose directory.
                service.build = Some(".".to_string());
            } else {
                service.build = Some(build);
            }
        } else if let Some(image) = trimmed.strip_prefix("image:") {
            service.images.push(clean_yaml_scalar(image));
        } else if let Some(command) = trimmed
            .strip_prefix("command:")
            .or_else(|| trimmed.strip_prefix("entrypoint:"))
        {
            service.command.push_str(command);
            service.command.push(' ');
        }
    }
    Some(service)
}

/// Unit tests for the YAML helpers the project part relies on.
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The check holds on every module-level table and on none of the other sources.
    fn assert_check(check: fn(&[u8]) -> bool, tables: &[&str], others: &[&str]) {
        for source in tables {
            assert!(check(source.as_bytes()), "{source}");
        }
        for source in others {
            assert!(!check(source.as_bytes()), "{source}");
        }
    }

    #[test]
    fn prefilter_check_sees_every_module_level_js_table() {
        assert_check(
            declares_module_level_mapping,
            &[
                "const sessions = new Map();\n",
                "export const tokens: Record<string, Session> = {};\n",
                "let a = 1, sids = { };\n",
                "var store = Object.create(null);\n",
                "const sessions =\n  new Map();\n",
                "const sessions = new Map<string, Session>();\n",
            ],
            &[
                "function f() {\n  const sessions = new Map();\n}\n",
                "const sessions = loadSessions();\n",
                "const handler = () => {};\n",
                "if (x === {}) {}\n",
            ],
        );
    }

    #[test]
    fn prefilter_check_sees_every_module_level_mapping() {
        assert_check(
            assigns_module_level_mapping,
            &[
                "SESSIONS = {}\n",
                "_tokens: dict[str, dict] = {}\n",
                "a = b = { }\n",
                "sessions = dict()\n",
                "SESSIONS = collections.defaultdict(dict)\n",
                "cache = cachetools.TTLCache(maxsize=100, ttl=60)\n",
                "SESSIONS = (\n    {}\n)\n",
                "SESSIONS = \\\n    {}\n",
                "from collections import OrderedDict as OD\nSESSIONS = OD()\n",
                "x = 1; SESSIONS = {}\n",
            ],
            &[
                "def f():\n    sessions = {}\n",
                "SESSIONS = load_sessions()\n",
                "SESSIONS = {\"a\": 1}\n",
                "if x == {}:\n    pass\n",
                "TIMEOUT += 1\n",
            ],
        );
    }

    #[test]
    fn words_split_identifiers_and_expressions() {
        assert_eq!(name_words("activeSessions"), ["active", "sessions"]);
        assert_eq!(name_words("SESSION_STORE"), ["session", "store"]);
        assert_eq!(name_words("req.cookies.sid"), ["req", "cookies", "sid"]);
        assert_eq!(name_words("sessionID"), ["session", "id"]);
    }

    #[test]
    fn compose_blocks_give_name_context_and_image() {
        let compose = "version: '3'\nservices:\n  web:\n    build:\n      context: ./services/web\n    deploy:\n      replicas: 3\n  cache:\n    image: redis:7\n    deploy:\n      replicas: 2\n";
        let lines: Vec<&str> = compose.lines().collect();
        let web = compose_service_block(&lines, 6).unwrap();
        assert_eq!(web.name, "web");
        assert_eq!(web.build.as_deref(), Some("./services/web"));
        let cache = compose_service_block(&lines, 10).unwrap();
        assert_eq!(cache.name, "cache");
        assert_eq!(cache.images, ["redis:7"]);
        assert!(cache.build.is_none());
    }

    #[test]
    fn relative_paths_join_and_stay_inside() {
        assert_eq!(join_relative("", "./api").as_deref(), Some("api"));
        assert_eq!(join_relative("deploy", "..").as_deref(), Some(""));
        assert_eq!(join_relative("", "..").as_deref(), None);
        assert!(is_under("services/api/app.py", "services/api"));
        assert!(!is_under("services/apix/app.py", "services/api"));
        assert!(is_under("anything.py", ""));
    }

    #[test]
    fn yaml_documents_split_on_separators() {
        let lines = [
            "a: 1",
            "---",
            "kind: Deployment",
            "replicas: 3",
            "---",
            "b: 2",
        ];
        assert_eq!(yaml_document(&lines, 3), (2, 4));
        assert_eq!(yaml_document(&lines, 0), (0, 1));
    }
}
