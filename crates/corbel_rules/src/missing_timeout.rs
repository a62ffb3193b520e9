//! `missing-timeout`: outbound HTTP, SMTP and database calls with no deadline.
//!
//! Python: `requests` (module functions and `Session` methods), `httpx` and `aiohttp`
//! only where the timeout is explicitly disabled (both have sane defaults),
//! `urllib.request.urlopen`, `http.client` connections, `smtplib`.
//! TS/JS: axios (calls, instances, `defaults`), `fetch`/`node-fetch`/undici without a
//! `signal`, `got`, and `pg` pools/clients without statement and connection timeouts.

use crate::common::{
    js_arguments, js_has_spread_argument, js_is_zero_or_nullish, js_property, py_argument,
    py_has_no_arguments, py_is_none, Lookup,
};
use corbel_engine::{
    Category, Family, Precision, Rule, RuleContext, RuleMeta, Semantic, Severity, Span, Trigger,
};
use tree_sitter::Node;

pub struct MissingTimeout;

pub static META: RuleMeta = RuleMeta {
    id: "missing-timeout",
    name: "MissingTimeout",
    summary: "outbound HTTP, SMTP or database call with no timeout",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[400],
    prod_only: false,
    precision: Precision::High,
    security_severity: None,
    doc: include_str!("../../../rules/missing-timeout.md"),
};

impl Rule for MissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn triggers(&self, family: Family) -> &'static [Trigger] {
        match family {
            Family::Python => &[Trigger::Any(&[
                "requests",
                "httpx",
                "aiohttp",
                "urlopen",
                "HTTPConnection",
                "HTTPSConnection",
                "http.client",
                "smtplib",
            ])],
            // `fetch(` with its parenthesis: the bare word is common in data files (a
            // 3.7 MB table of game moves mentions it). A fetch imported under another name
            // comes from a module that says so (`undici`, `node-fetch`, `cross-fetch`).
            Family::JavaScript => &[Trigger::Any(&[
                "axios", "fetch(", "undici", "-fetch", "'got'", "\"got\"", "'pg'", "\"pg\"",
            ])],
        }
    }

    fn node_kinds(&self, family: Family) -> &'static [&'static str] {
        match family {
            Family::Python => &["call"],
            Family::JavaScript => &["call_expression", "new_expression"],
        }
    }

    fn check(&self, node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
        match ctx.family() {
            Family::Python => check_python(node, ctx),
            Family::JavaScript => check_javascript(node, ctx),
        }
    }
}

// ---------------------------------------------------------------------------- Python

const REQUESTS_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];
const HTTPX_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
];
const AIOHTTP_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "request",
    "ws_connect",
];

/// What created the object a method is called on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PyClient {
    RequestsSession,
    Httpx,
    Aiohttp,
}

fn py_client_kind(qualified: &str) -> Option<PyClient> {
    match qualified {
        "requests.Session" | "requests.session" | "requests.sessions.Session" => {
            Some(PyClient::RequestsSession)
        }
        "httpx.Client" | "httpx.AsyncClient" => Some(PyClient::Httpx),
        "aiohttp.ClientSession" => Some(PyClient::Aiohttp),
        _ => None,
    }
}

fn check_python(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(function) = call.child_by_field_name("function") else {
        return;
    };
    if let Some(qualified) = semantic.qualified_name(function) {
        check_python_function(call, &qualified, ctx);
        return;
    }
    // A method on a client object: `session.get(url)`.
    if function.kind() != "attribute" {
        return;
    }
    let (Some(object), Some(method)) = (
        function.child_by_field_name("object"),
        function.child_by_field_name("attribute"),
    ) else {
        return;
    };
    let method = semantic.text(method);
    let Some(client) = py_client_of(object, semantic) else {
        return;
    };
    let receiver = semantic.text(object);
    match client {
        PyClient::RequestsSession if REQUESTS_METHODS.contains(&method) => {
            if session_has_default_timeout(ctx.source, receiver) {
                return;
            }
            match py_argument(call, "timeout", None, semantic) {
                Lookup::Absent => {
                    ctx.report_span(callee_span(call), format!("`{receiver}.{method}()` on a `requests.Session` has no timeout and can hang forever"))
                        .help(format!("sessions have no default timeout: pass one on every call, e.g. `{receiver}.{method}(url, timeout=(3.05, 30))`"));
                }
                Lookup::Present(value) if py_is_none(value, semantic) => {
                    report_timeout_none(ctx, call, value, &format!("{receiver}.{method}"));
                }
                _ => {}
            }
        }
        PyClient::Httpx if HTTPX_METHODS.contains(&method) => {
            check_explicit_none(call, &format!("{receiver}.{method}"), ctx);
        }
        PyClient::Aiohttp if AIOHTTP_METHODS.contains(&method) => {
            check_explicit_none(call, &format!("{receiver}.{method}"), ctx);
        }
        _ => {}
    }
}

/// The client kind every origin of `object` agrees on, if the model can see them all.
fn py_client_of<'t>(object: Node<'t>, semantic: &Semantic<'t>) -> Option<PyClient> {
    let origins = semantic.origins(object)?;
    let mut kind = None;
    for origin in origins {
        if origin.kind() != "call" {
            return None;
        }
        let constructor = semantic.qualified_name(origin.child_by_field_name("function")?)?;
        let this = py_client_kind(&constructor)?;
        if kind.is_some_and(|k| k != this) {
            return None;
        }
        kind = Some(this);
    }
    kind
}

/// A session with a mounted adapter or a patched `request` may inject a default timeout
/// (the common `TimeoutHTTPAdapter` recipe): trust it.
fn session_has_default_timeout(source: &str, receiver: &str) -> bool {
    source.contains(&format!("{receiver}.mount("))
        || source.contains(&format!("{receiver}.request ="))
}

fn check_python_function(call: Node<'_>, qualified: &str, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let qualified = qualified.strip_prefix("requests.api.").map_or_else(
        || qualified.to_string(),
        |method| format!("requests.{method}"),
    );
    if let Some(method) = qualified.strip_prefix("requests.") {
        if !REQUESTS_METHODS.contains(&method) {
            return;
        }
        match py_argument(call, "timeout", None, semantic) {
            Lookup::Absent => {
                ctx.report_span(callee_span(call), format!("`{qualified}()` has no timeout and can hang this worker forever"))
                    .help(format!("requests never times out by default: pass `timeout=`, e.g. `{qualified}(url, timeout=(3.05, 30))`"));
            }
            Lookup::Present(value) if py_is_none(value, semantic) => {
                report_timeout_none(ctx, call, value, &qualified);
            }
            _ => {}
        }
        return;
    }
    match qualified.as_str() {
        "httpx.Client" | "httpx.AsyncClient" | "aiohttp.ClientSession" => {
            check_explicit_none(call, &qualified, ctx);
        }
        q if q
            .strip_prefix("httpx.")
            .is_some_and(|m| HTTPX_METHODS.contains(&m)) =>
        {
            check_explicit_none(call, &qualified, ctx);
        }
        "httpx.Timeout" => {
            // `httpx.Timeout(None)` with nothing else disables every limit.
            let first = py_argument(call, "timeout", Some(0), semantic);
            let only_none = matches!(first, Lookup::Present(v) if py_is_none(v, semantic))
                && crate::common::py_arguments(call)
                    .is_some_and(|args| crate::common::named_children(args).len() == 1);
            if only_none {
                ctx.report_span(
                    callee_span(call),
                    "`httpx.Timeout(None)` disables every timeout",
                )
                .help("give finite limits, e.g. `httpx.Timeout(10.0, connect=3.0)`");
            }
        }
        "aiohttp.ClientTimeout" => check_aiohttp_timeout(call, ctx),
        "urllib.request.urlopen" => {
            require_stdlib_timeout(call, &qualified, Some(2), ctx);
        }
        "http.client.HTTPConnection" | "http.client.HTTPSConnection" => {
            require_stdlib_timeout(call, &qualified, Some(2), ctx);
        }
        "smtplib.SMTP" | "smtplib.LMTP" => require_stdlib_timeout(call, &qualified, Some(3), ctx),
        "smtplib.SMTP_SSL" => require_stdlib_timeout(call, &qualified, None, ctx),
        _ => {}
    }
}

fn report_timeout_none(
    ctx: &mut RuleContext<'_, '_>,
    call: Node<'_>,
    value: Node<'_>,
    callee: &str,
) {
    let _ = value;
    ctx.report_span(
        callee_span(call),
        format!("`{callee}()` is called with `timeout=None`, which disables the timeout"),
    )
    .help("pass a finite timeout in seconds, e.g. `timeout=10`");
}

/// httpx and aiohttp time out by default; only an explicit `timeout=None` is a finding.
fn check_explicit_none(call: Node<'_>, callee: &str, ctx: &mut RuleContext<'_, '_>) {
    if let Lookup::Present(value) = py_argument(call, "timeout", None, ctx.semantic) {
        if py_is_none(value, ctx.semantic) {
            report_timeout_none(ctx, call, value, callee);
        }
    }
}

/// `aiohttp.ClientTimeout()` / `ClientTimeout(total=None)` with no other limit set.
fn check_aiohttp_timeout(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let limits = ["total", "connect", "sock_read", "sock_connect"];
    let mut any_limit = false;
    for (position, name) in limits.iter().enumerate() {
        match py_argument(call, name, Some(position), semantic) {
            Lookup::Present(value) if py_is_none(value, semantic) => {}
            Lookup::Absent => {}
            _ => any_limit = true,
        }
    }
    if !any_limit {
        let message = if py_has_no_arguments(call) {
            "`aiohttp.ClientTimeout()` with no arguments sets no limit at all"
        } else {
            "`aiohttp.ClientTimeout(total=None)` sets no limit at all"
        };
        ctx.report_span(callee_span(call), message)
            .help("set a total deadline, e.g. `aiohttp.ClientTimeout(total=30, sock_connect=5)`");
    }
}

/// Standard-library clients fall back to the global socket timeout, which is `None`
/// unless the file calls `socket.setdefaulttimeout`.
fn require_stdlib_timeout(
    call: Node<'_>,
    callee: &str,
    position: Option<usize>,
    ctx: &mut RuleContext<'_, '_>,
) {
    if ctx.source.contains("setdefaulttimeout(") {
        return;
    }
    match py_argument(call, "timeout", position, ctx.semantic) {
        Lookup::Absent => {
            ctx.report_span(
                callee_span(call),
                format!("`{callee}()` has no timeout; the socket default never expires"),
            )
            .help(format!(
                "pass `timeout=` in seconds, e.g. `{callee}(..., timeout=10)`"
            ));
        }
        Lookup::Present(value) if py_is_none(value, ctx.semantic) => {
            report_timeout_none(ctx, call, value, callee);
        }
        _ => {}
    }
}

// ----------------------------------------------------------------------- TypeScript / JS

/// axios methods and the index of their config argument.
fn axios_config_index(method: &str) -> Option<usize> {
    match method {
        "request" => Some(0),
        "get" | "delete" | "head" | "options" => Some(1),
        "post" | "put" | "patch" | "postForm" | "putForm" | "patchForm" => Some(2),
        _ => None,
    }
}

const GOT_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "stream"];

fn check_javascript(node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    if js_has_spread_argument(node) {
        return;
    }
    if node.kind() == "new_expression" {
        check_pg(node, ctx);
        return;
    }
    let semantic = ctx.semantic;
    let Some(function) = node.child_by_field_name("function") else {
        return;
    };
    let qualified = semantic.qualified_name(function);
    match qualified.as_deref() {
        Some("axios") => {
            let arguments = js_arguments(node);
            let config_index = match arguments.first() {
                Some(first)
                    if crate::common::resolve_local(*first, semantic).kind() == "object" =>
                {
                    0
                }
                _ => 1,
            };
            check_axios_call(node, "axios", config_index, None, ctx);
        }
        Some(q) if q.starts_with("axios.") => {
            let method = &q["axios.".len()..];
            if let Some(index) = axios_config_index(method) {
                check_axios_call(node, q, index, None, ctx);
            }
        }
        Some("node-fetch" | "undici.fetch" | "cross-fetch" | "node-fetch.default") => {
            check_fetch(node, ctx);
        }
        Some("got") => check_got(node, "got", 1, None, ctx),
        Some(q)
            if q.strip_prefix("got.")
                .is_some_and(|m| GOT_METHODS.contains(&m)) =>
        {
            check_got(node, q, 1, None, ctx);
        }
        Some(_) => {}
        None => {
            if function.kind() == "identifier" {
                if semantic.text(function) == "fetch" && semantic.is_unbound(function) {
                    check_fetch(node, ctx);
                }
                return;
            }
            check_js_instance_call(node, function, ctx);
        }
    }
}

/// `client.get(url)` where `client = axios.create({...})` or `got.extend({...})`.
fn check_js_instance_call(call: Node<'_>, function: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    if function.kind() != "member_expression" {
        return;
    }
    let (Some(object), Some(property)) = (
        function.child_by_field_name("object"),
        function.child_by_field_name("property"),
    ) else {
        return;
    };
    let method = semantic.text(property);
    let Some(origins) = semantic.origins(object) else {
        return;
    };
    let [origin] = origins.as_slice() else {
        return;
    };
    if origin.kind() != "call_expression" {
        return;
    }
    let Some(factory) = origin
        .child_by_field_name("function")
        .and_then(|f| semantic.qualified_name(f))
    else {
        return;
    };
    let callee = format!("{}.{method}", semantic.text(object));
    match factory.as_str() {
        "axios.create" => {
            if let Some(index) = axios_config_index(method) {
                check_axios_call(call, &callee, index, Some(*origin), ctx);
            }
        }
        "got.extend" if GOT_METHODS.contains(&method) => {
            check_got(call, &callee, 1, Some(*origin), ctx);
        }
        _ => {}
    }
}

/// Whether a config sets a usable timeout under `key`.
enum TimeoutSetting {
    Set,
    Unset,
    Disabled,
    Unknown,
}

fn timeout_in<'t>(options: Option<Node<'t>>, key: &str, semantic: &Semantic<'t>) -> TimeoutSetting {
    let Some(options) = options else {
        return TimeoutSetting::Unset;
    };
    match js_property(options, key, semantic) {
        Lookup::Present(value) if js_is_zero_or_nullish(value, semantic) => {
            TimeoutSetting::Disabled
        }
        Lookup::Present(_) => TimeoutSetting::Set,
        Lookup::Absent => TimeoutSetting::Unset,
        Lookup::Unknown => TimeoutSetting::Unknown,
    }
}

fn check_axios_call(
    call: Node<'_>,
    callee: &str,
    config_index: usize,
    instance: Option<Node<'_>>,
    ctx: &mut RuleContext<'_, '_>,
) {
    let semantic = ctx.semantic;
    let config = js_arguments(call).get(config_index).copied();
    match timeout_in(config, "timeout", semantic) {
        TimeoutSetting::Set | TimeoutSetting::Unknown => return,
        TimeoutSetting::Disabled => {
            ctx.report_span(
                callee_span(call),
                format!("`{callee}()` sets `timeout: 0`, which disables the timeout"),
            )
            .help("set a finite timeout in milliseconds, e.g. `{ timeout: 10_000 }`");
            return;
        }
        TimeoutSetting::Unset => {}
    }
    // `axios.defaults.timeout = ...` / `client.defaults.timeout = ...` anywhere in the file.
    if ctx.source.contains("defaults.timeout") {
        return;
    }
    if let Some(instance) = instance {
        let instance_config = js_arguments(instance).first().copied();
        match timeout_in(instance_config, "timeout", semantic) {
            TimeoutSetting::Set | TimeoutSetting::Unknown => return,
            TimeoutSetting::Disabled | TimeoutSetting::Unset => {}
        }
    }
    let help = if instance.is_some() {
        "axios waits forever by default: set `timeout` on the instance, e.g. `axios.create({ baseURL, timeout: 10_000 })`"
    } else {
        "axios waits forever by default: pass `{ timeout: 10_000 }` or create an instance with `axios.create({ timeout })`"
    };
    ctx.report_span(
        callee_span(call),
        format!("`{callee}()` has no timeout and can wait forever on a slow upstream"),
    )
    .help(help);
}

/// Markers of code that runs in a browser or service worker.
const BROWSER_MARKERS: &[&str] = &[
    "'use client'",
    "\"use client\"",
    "from 'react'",
    "from \"react\"",
    "from 'vue'",
    "from \"vue\"",
    "window.",
    "document.",
    "navigator.",
    "localStorage",
    "self.addEventListener",
];

/// Directories that hold assets served to browsers.
const BROWSER_DIRS: &[&str] = &["assets", "static", "public", "www"];

/// Browser code (components, `.tsx`/`.jsx`, served assets, service workers) does not
/// tie up server workers with a hung `fetch`; corbel is about backends, so it stays
/// silent there.
fn looks_like_browser_code(ctx: &RuleContext<'_, '_>) -> bool {
    let path = ctx.path;
    path.ends_with(".tsx")
        || path.ends_with(".jsx")
        || path.split('/').any(|dir| BROWSER_DIRS.contains(&dir))
        || BROWSER_MARKERS
            .iter()
            .any(|marker| ctx.source.contains(marker))
}

fn check_fetch(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    if looks_like_browser_code(ctx) {
        return;
    }
    let semantic = ctx.semantic;
    let arguments = js_arguments(call);
    let init = match arguments.as_slice() {
        [] => return,
        [request] => {
            // `fetch(new Request(url, { signal }))`: the signal rides on the request.
            let request = crate::common::resolve_local(*request, semantic);
            if request.kind() == "new_expression" {
                js_arguments(request).get(1).copied()
            } else {
                None
            }
        }
        [_, init, ..] => Some(*init),
    };
    match init.map(|init| js_property(init, "signal", semantic)) {
        Some(Lookup::Present(_) | Lookup::Unknown) => {}
        None | Some(Lookup::Absent) => {
            ctx.report_span(
                callee_span(call),
                "`fetch()` has no `signal`, so nothing bounds how long it waits",
            )
            .help("pass a deadline: `fetch(url, { signal: AbortSignal.timeout(10_000) })`");
        }
    }
}

fn check_got(
    call: Node<'_>,
    callee: &str,
    options_index: usize,
    instance: Option<Node<'_>>,
    ctx: &mut RuleContext<'_, '_>,
) {
    let semantic = ctx.semantic;
    let arguments = js_arguments(call);
    // `got({url, timeout})`: options may come first.
    let options = match arguments.first() {
        Some(first) if crate::common::resolve_local(*first, semantic).kind() == "object" => {
            Some(*first)
        }
        _ => arguments.get(options_index).copied(),
    };
    match timeout_in(options, "timeout", semantic) {
        TimeoutSetting::Set | TimeoutSetting::Unknown => return,
        TimeoutSetting::Disabled | TimeoutSetting::Unset => {}
    }
    if let Some(instance) = instance {
        let instance_options = js_arguments(instance).first().copied();
        if let TimeoutSetting::Set | TimeoutSetting::Unknown =
            timeout_in(instance_options, "timeout", semantic)
        {
            return;
        }
    }
    ctx.report_span(callee_span(call), format!("`{callee}()` has no timeout; got waits forever by default"))
        .help("pass `{ timeout: { request: 10_000 } }` or use an instance made with `got.extend({ timeout })`");
}

/// `new Pool({...})` / `new Client({...})` from `pg` without query and connect deadlines.
fn check_pg(new_expression: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(constructor) = new_expression.child_by_field_name("constructor") else {
        return;
    };
    let Some(qualified) = semantic.qualified_name(constructor) else {
        return;
    };
    let class = match qualified.as_str() {
        "pg.Pool" | "pg.default.Pool" => "Pool",
        "pg.Client" | "pg.default.Client" => "Client",
        _ => return,
    };
    let config = js_arguments(new_expression).first().copied();
    let mut missing = Vec::new();
    let query_deadline = ["statement_timeout", "query_timeout"]
        .iter()
        .map(|key| config.map_or(Lookup::Absent, |c| js_property(c, key, semantic)))
        .collect::<Vec<_>>();
    let connect_deadline = config.map_or(Lookup::Absent, |c| {
        js_property(c, "connectionTimeoutMillis", semantic)
    });
    if query_deadline
        .iter()
        .chain([&connect_deadline])
        .any(|l| matches!(l, Lookup::Unknown))
    {
        return;
    }
    // A literal connection string may carry the settings as parameters.
    let connection_string = config
        .map(|c| js_property(c, "connectionString", semantic))
        .and_then(|l| match l {
            Lookup::Present(value) => Some(semantic.text(value)),
            _ => None,
        })
        .unwrap_or("");
    let has_query_deadline = query_deadline
        .iter()
        .any(|l| matches!(l, Lookup::Present(_)))
        || connection_string.contains("statement_timeout");
    let has_connect_deadline = matches!(connect_deadline, Lookup::Present(_))
        || connection_string.contains("connect_timeout");
    if !has_query_deadline {
        missing.push("`statement_timeout` (or `query_timeout`)");
    }
    if !has_connect_deadline {
        missing.push("`connectionTimeoutMillis`");
    }
    if missing.is_empty() {
        return;
    }
    let missing = missing.join(" and ");
    ctx.report_span(callee_span(new_expression), format!("`new {class}()` from `pg` has no {missing}; a stuck query or connect holds a pool slot forever"))
        .help(format!("set deadlines in milliseconds, e.g. `new {class}({{ connectionString, statement_timeout: 10_000, connectionTimeoutMillis: 5_000 }})`"));
}

/// From the start of a call (or `new`) to the end of its callee: `requests.get`,
/// `new Pool`. One line, where a whole multi-line call would bury the point.
fn callee_span(call: Node<'_>) -> Span {
    let callee = call
        .child_by_field_name("function")
        .or_else(|| call.child_by_field_name("constructor"));
    match callee {
        Some(callee) => Span::new(call.start_byte(), callee.end_byte()),
        None => Span::of(&call),
    }
}
