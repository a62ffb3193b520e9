//! `hs256-across-services`: a shared-secret JWT algorithm (HS256/HS384/HS512) used in
//! more than one service of a repository, so every service that verifies tokens holds
//! the key that mints them.
//!
//! Two parts share one [`META`]:
//! - [`Hs256AcrossServices`], a syntax rule that never reports anything itself: it
//!   records every JWT sign and verify site as a fact (`jwt-sign` / `jwt-verify`) with
//!   its algorithm (`HS256`, `HS256 (default)`, `RS256, HS256`, `unknown`), the library,
//!   and the environment variable the key is read from, when it is;
//! - [`Hs256AcrossServicesProject`], the project pass: it groups the shared-secret sites
//!   outside test files by service root and reports each one when two or more services
//!   use them.
//!
//! Python: PyJWT `jwt.encode/decode`, python-jose `jose.jwt.encode/decode` and
//! `jose.jws.sign/verify`, Authlib `authlib.jose.jwt.encode` and `JsonWebToken([...])`
//! instances. TS/JS: jsonwebtoken `sign/verify`, jose `new SignJWT().setProtectedHeader()`
//! and `jwtVerify`, `@nestjs/jwt` `JwtModule.register/registerAsync`, passport-jwt
//! strategies, express-jwt and `@fastify/jwt`.

use crate::common::{
    js_arguments, js_property, named_children, py_argument, resolve_local, Lookup,
};
use corbel_engine::{
    BindingValue, Category, Fact, Family, Precision, ProjectContext, ProjectRule, Related, Rule,
    RuleContext, RuleMeta, Semantic, Severity, Trigger,
};
use std::collections::{BTreeMap, BTreeSet};
use tree_sitter::Node;

pub struct Hs256AcrossServices;

pub struct Hs256AcrossServicesProject;

pub static META: RuleMeta = RuleMeta {
    id: "hs256-across-services",
    name: "Hs256AcrossServices",
    summary: "a shared-secret JWT algorithm (HS256) is used by more than one service",
    category: Category::Security,
    default_severity: Severity::Error,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[321],
    prod_only: false,
    precision: Precision::High,
    security_severity: Some("7.5"),
    doc: include_str!("../../../rules/hs256-across-services.md"),
};

const SIGN: &str = "jwt-sign";
const VERIFY: &str = "jwt-verify";

/// How deep value lookups (variables, wrappers like `Buffer.from(...)`) are followed.
const MAX_DEPTH: usize = 8;

/// The algorithm(s) a site signs or accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Algorithm {
    /// As written in the code (after following variables).
    Written(Vec<String>),
    /// The library's default for this key.
    Default(&'static str),
    /// Something corbel cannot see: the site does not count.
    Unknown,
}

impl Algorithm {
    fn render(&self) -> String {
        match self {
            Algorithm::Written(algorithms) => algorithms.join(", "),
            Algorithm::Default(algorithm) => format!("{algorithm} (default)"),
            Algorithm::Unknown => "unknown".to_string(),
        }
    }

    fn from_list(algorithms: Option<Vec<String>>) -> Algorithm {
        match algorithms {
            Some(list) if !list.is_empty() => Algorithm::Written(list),
            _ => Algorithm::Unknown,
        }
    }
}

/// What kind of key a sign or verify call is given, as far as the code shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Secret,
    Asymmetric,
    Unknown,
}

/// One JWT sign or verify site, before it becomes a fact.
struct Site<'t> {
    node: Node<'t>,
    kind: &'static str,
    /// The call as users read it, e.g. `jwt.encode()`.
    call: String,
    library: &'static str,
    algorithm: Algorithm,
    /// The environment variable the key comes from.
    secret: Option<String>,
    /// The key expression, when the call shows one.
    key: Option<Node<'t>>,
}

fn record(ctx: &mut RuleContext<'_, '_>, site: Site<'_>) {
    let semantic = ctx.semantic;
    let fact = ctx.fact(site.node, site.kind);
    fact.value("algorithm", site.algorithm.render())
        .value("library", site.library)
        .value("call", site.call);
    if let Some(secret) = site.secret {
        fact.value("secret", secret);
    }
    // A helper handed its key by the caller (`verifyToken(token, options)` in an SDK)
    // says nothing about which key, or which service, it serves.
    if site
        .key
        .is_some_and(|key| key_from_parameter(key, semantic, 0))
    {
        fact.value("key", "parameter");
    }
    // Module-level configurations set up both signing and verification.
    if matches!(site.library, "@nestjs/jwt" | "@fastify/jwt") {
        fact.value("role", "sign+verify");
    }
}

impl Rule for Hs256AcrossServices {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn triggers(&self, family: Family) -> &'static [Trigger] {
        match family {
            Family::Python => &[Trigger::Any(&["jwt", "jose", "JsonWebToken"])],
            Family::JavaScript => &[Trigger::Any(&["jsonwebtoken", "jose", "jwt"])],
        }
    }

    fn node_kinds(&self, family: Family) -> &'static [&'static str] {
        match family {
            Family::Python => &["call"],
            Family::JavaScript => &["call_expression", "new_expression"],
        }
    }

    fn check(&self, node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
        let site = match ctx.family() {
            Family::Python => python_site(node, ctx.semantic),
            Family::JavaScript => js_site(node, ctx.semantic),
        };
        if let Some(site) = site {
            record(ctx, site);
        }
    }
}

/// The text of a callee on one line, as a call: `jwt.encode()`.
fn call_text(semantic: &Semantic<'_>, callee: Node<'_>) -> String {
    // `(0, jsonwebtoken_1.sign)` from compiled modules reads as `jsonwebtoken_1.sign`.
    let mut callee = semantic.unwrap_expression(callee);
    if callee.kind() == "sequence_expression" {
        if let Some(last) = named_children(callee).last() {
            callee = *last;
        }
    }
    let text: String = semantic
        .text(callee)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("");
    let text = if text.chars().count() > 60 {
        semantic
            .text(callee)
            .rsplit(['.', '\n', ' '])
            .next()
            .unwrap_or("")
            .to_string()
    } else {
        text
    };
    format!("{text}()")
}

/// The value of a constant string: a literal, or a name bound to one.
fn const_string<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Option<String> {
    let value = resolve_local(value, semantic);
    if !matches!(
        value.kind(),
        "string" | "template_string" | "concatenated_string"
    ) {
        return None;
    }
    semantic
        .string_build(value)
        .filter(|build| build.is_constant())
        .map(|build| build.literal_text)
}

/// A JWS algorithm name as the libraries spell it.
fn is_algorithm_name(name: &str) -> bool {
    name == "none"
        || name == "EdDSA"
        || ["HS", "RS", "ES", "PS"].iter().any(|prefix| {
            name.strip_prefix(prefix)
                .is_some_and(|bits| !bits.is_empty() && bits.chars().all(|c| c.is_ascii_digit()))
        })
        || name == "ES256K"
}

/// Whether an algorithm (as recorded) is an HMAC one.
fn is_shared_secret(algorithm: &str) -> bool {
    algorithm.strip_prefix("HS").is_some_and(|bits| {
        let bits = bits.split(' ').next().unwrap_or("");
        !bits.is_empty() && bits.chars().all(|c| c.is_ascii_digit())
    })
}

/// The HMAC algorithms a recorded `algorithm` value names, e.g. `HS256` for
/// `HS256 (default)` or `RS256, HS256`.
fn shared_secret_algorithms(recorded: &str) -> Vec<&str> {
    recorded
        .split(", ")
        .map(|a| a.trim_end_matches(" (default)"))
        .filter(|a| is_shared_secret(a))
        .collect()
}

/// Names that say a key is (part of) an asymmetric key pair or a key set.
const ASYMMETRIC_MARKERS: &[&str] = &[
    "private", "public", "pem", "rsa", "cert", "jwk", "ed25519", "ecdsa", "pkcs", "spki", "x509",
    "begin ",
];

fn name_kind(name: &str) -> KeyKind {
    let lower = name.to_ascii_lowercase();
    if ASYMMETRIC_MARKERS.iter().any(|m| lower.contains(m)) {
        KeyKind::Asymmetric
    } else if lower.contains("secret") {
        KeyKind::Secret
    } else {
        KeyKind::Unknown
    }
}

/// A key read from an environment variable: a secret unless the name says otherwise
/// (`JWT_PRIVATE_KEY`, `JWT_PUBLIC_KEY_PEM`).
fn env_kind(name: &str) -> KeyKind {
    match name_kind(name) {
        KeyKind::Asymmetric => KeyKind::Asymmetric,
        _ => KeyKind::Secret,
    }
}

/// `UPPER_SNAKE_CASE`, the shape of an environment variable name.
fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

// ---------------------------------------------------------------------------- Python

fn python_site<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> Option<Site<'t>> {
    let function = call.child_by_field_name("function")?;
    if let Some(qualified) = semantic.qualified_name(function) {
        let call_name = call_text(semantic, function);
        return match qualified.as_str() {
            "jwt.encode" | "jwt.api_jwt.encode" => {
                py_encode(call, function, call_name, "pyjwt", 2, semantic)
            }
            "jwt.decode" | "jwt.api_jwt.decode" => {
                py_decode(call, function, call_name, "pyjwt", semantic)
            }
            "jose.jwt.encode" => py_encode(call, function, call_name, "python-jose", 2, semantic),
            "jose.jws.sign" => py_encode(call, function, call_name, "python-jose", 3, semantic),
            "jose.jwt.decode" | "jose.jws.verify" => {
                py_decode(call, function, call_name, "python-jose", semantic)
            }
            "authlib.jose.jwt.encode" => authlib_encode(call, function, call_name, None, semantic),
            "authlib.jose.jwt.decode" => Some(Site {
                node: function,
                kind: VERIFY,
                call: call_name,
                library: "authlib",
                // The default instance accepts every algorithm the key fits.
                algorithm: Algorithm::Unknown,
                key: py_key(call, 1, semantic),
                secret: py_key(call, 1, semantic).and_then(|k| py_env_name(k, semantic, 0)),
            }),
            _ => None,
        };
    }
    // `jwt_instance.encode(...)` on `JsonWebToken([...])` from Authlib.
    if function.kind() != "attribute" {
        return None;
    }
    let method = semantic.text(function.child_by_field_name("attribute")?);
    if !matches!(method, "encode" | "decode") {
        return None;
    }
    let object = function.child_by_field_name("object")?;
    let instance_algorithms = authlib_instance_algorithms(object, semantic)?;
    let call_name = call_text(semantic, function);
    if method == "encode" {
        authlib_encode(
            call,
            function,
            call_name,
            Some(instance_algorithms),
            semantic,
        )
    } else {
        Some(Site {
            node: function,
            kind: VERIFY,
            call: call_name,
            library: "authlib",
            algorithm: instance_algorithms,
            key: py_key(call, 1, semantic),
            secret: py_key(call, 1, semantic).and_then(|k| py_env_name(k, semantic, 0)),
        })
    }
}

/// The algorithms of an Authlib `JsonWebToken([...])` instance, when `object` is one.
fn authlib_instance_algorithms<'t>(object: Node<'t>, semantic: &Semantic<'t>) -> Option<Algorithm> {
    let origins = semantic.origins(object)?;
    let mut found: Option<Algorithm> = None;
    for origin in origins {
        if origin.kind() != "call" {
            return None;
        }
        let constructor = semantic.qualified_name(origin.child_by_field_name("function")?)?;
        if !(constructor.starts_with("authlib.") && constructor.ends_with(".JsonWebToken")) {
            return None;
        }
        let algorithm = match py_argument(origin, "algorithms", Some(0), semantic) {
            Lookup::Present(value) => Algorithm::from_list(py_algorithms(value, semantic)),
            _ => Algorithm::Unknown,
        };
        if found.as_ref().is_some_and(|f| *f != algorithm) {
            return Some(Algorithm::Unknown);
        }
        found = Some(algorithm);
    }
    found
}

/// The key argument of a Python call: keyword `key` or the positional argument.
fn py_key<'t>(call: Node<'t>, position: usize, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    match py_argument(call, "key", Some(position), semantic) {
        Lookup::Present(key) => Some(key),
        _ => None,
    }
}

/// PyJWT / python-jose `encode(payload, key, algorithm="HS256")`: HS256 by default.
fn py_encode<'t>(
    call: Node<'t>,
    function: Node<'t>,
    call_name: String,
    library: &'static str,
    algorithm_position: usize,
    semantic: &Semantic<'t>,
) -> Option<Site<'t>> {
    let key = py_key(call, 1, semantic);
    let algorithm = match py_argument(call, "algorithm", Some(algorithm_position), semantic) {
        Lookup::Present(value) => {
            if resolve_local(value, semantic).kind() == "none" {
                Algorithm::Written(vec!["none".to_string()])
            } else {
                Algorithm::from_list(py_algorithms(value, semantic))
            }
        }
        Lookup::Absent => match key.map(|k| py_key_kind(k, semantic)) {
            // An asymmetric key with the HMAC default is an error at run time.
            Some(KeyKind::Asymmetric) => Algorithm::Unknown,
            _ => Algorithm::Default("HS256"),
        },
        Lookup::Unknown => Algorithm::Unknown,
    };
    // PyJWT lets `headers={"alg": ...}` override the algorithm.
    let header_position = if library == "pyjwt" { Some(3) } else { None };
    let algorithm = match py_argument(call, "headers", header_position, semantic) {
        Lookup::Present(headers) => match py_dict_value(headers, "alg", semantic) {
            Lookup::Present(alg) => Algorithm::from_list(py_algorithms(alg, semantic)),
            Lookup::Absent => algorithm,
            Lookup::Unknown => Algorithm::Unknown,
        },
        Lookup::Absent => algorithm,
        Lookup::Unknown => Algorithm::Unknown,
    };
    Some(Site {
        node: function,
        kind: SIGN,
        call: call_name,
        library,
        algorithm,
        key,
        secret: key.and_then(|k| py_env_name(k, semantic, 0)),
    })
}

/// PyJWT / python-jose `decode(token, key, algorithms=[...])`.
fn py_decode<'t>(
    call: Node<'t>,
    function: Node<'t>,
    call_name: String,
    library: &'static str,
    semantic: &Semantic<'t>,
) -> Option<Site<'t>> {
    if py_verification_disabled(call, semantic) {
        return None;
    }
    let algorithm = match py_argument(call, "algorithms", None, semantic) {
        Lookup::Present(value) => Algorithm::from_list(py_algorithms(value, semantic)),
        Lookup::Unknown => Algorithm::Unknown,
        // Positionally only a list: PyJWT 1 took `verify` third.
        Lookup::Absent => match py_argument(call, "", Some(2), semantic) {
            Lookup::Present(value)
                if matches!(
                    resolve_local(value, semantic).kind(),
                    "list" | "tuple" | "set" | "string"
                ) =>
            {
                Algorithm::from_list(py_algorithms(value, semantic))
            }
            _ => Algorithm::Unknown,
        },
    };
    Some(Site {
        node: function,
        kind: VERIFY,
        call: call_name,
        library,
        algorithm,
        key: py_key(call, 1, semantic),
        secret: py_key(call, 1, semantic).and_then(|k| py_env_name(k, semantic, 0)),
    })
}

/// `verify=False` (PyJWT 1) or `options={"verify_signature": False}`: not a verify site.
fn py_verification_disabled<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> bool {
    if let Lookup::Present(verify) = py_argument(call, "verify", None, semantic) {
        if resolve_local(verify, semantic).kind() == "false" {
            return true;
        }
    }
    if let Lookup::Present(options) = py_argument(call, "options", None, semantic) {
        if let Lookup::Present(value) = py_dict_value(options, "verify_signature", semantic) {
            return resolve_local(value, semantic).kind() == "false";
        }
    }
    false
}

/// Authlib `jwt.encode(header, payload, key)`: the algorithm is the header's `alg`.
fn authlib_encode<'t>(
    call: Node<'t>,
    function: Node<'t>,
    call_name: String,
    instance: Option<Algorithm>,
    semantic: &Semantic<'t>,
) -> Option<Site<'t>> {
    let algorithm = match py_argument(call, "header", Some(0), semantic) {
        Lookup::Present(header) => match py_dict_value(header, "alg", semantic) {
            Lookup::Present(alg) => Algorithm::from_list(py_algorithms(alg, semantic)),
            _ => instance.unwrap_or(Algorithm::Unknown),
        },
        _ => instance.unwrap_or(Algorithm::Unknown),
    };
    Some(Site {
        node: function,
        kind: SIGN,
        call: call_name,
        library: "authlib",
        algorithm,
        key: py_key(call, 2, semantic),
        secret: py_key(call, 2, semantic).and_then(|k| py_env_name(k, semantic, 0)),
    })
}

/// The value under a string key of a dict literal (followed through a local variable).
fn py_dict_value<'t>(dict: Node<'t>, key: &str, semantic: &Semantic<'t>) -> Lookup<'t> {
    let dict = resolve_local(dict, semantic);
    if dict.kind() == "none" {
        return Lookup::Absent;
    }
    if dict.kind() != "dictionary" {
        return Lookup::Unknown;
    }
    let mut found = Lookup::Absent;
    for entry in named_children(dict) {
        match entry.kind() {
            "pair" => {
                let name = entry
                    .child_by_field_name("key")
                    .and_then(|k| const_string(k, semantic));
                match name {
                    Some(name) if name == key => {
                        if let Some(value) = entry.child_by_field_name("value") {
                            found = Lookup::Present(value);
                        }
                    }
                    Some(_) => {}
                    None => found = Lookup::Unknown,
                }
            }
            "dictionary_splat" => found = Lookup::Unknown,
            _ => {}
        }
    }
    found
}

/// Algorithm names from a string, a list/tuple/set of them, or python-jose's
/// `ALGORITHMS.HS256` constants. `None` when any element cannot be resolved.
fn py_algorithms<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Option<Vec<String>> {
    let value = resolve_local(value, semantic);
    match value.kind() {
        "list" | "tuple" | "set" => {
            let mut out = Vec::new();
            for element in named_children(value) {
                out.push(py_algorithm(element, semantic)?);
            }
            Some(out)
        }
        _ => py_algorithm(value, semantic).map(|a| vec![a]),
    }
}

fn py_algorithm<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Option<String> {
    let value = resolve_local(value, semantic);
    if value.kind() == "attribute" {
        let qualified = semantic.qualified_name(value)?;
        let (owner, name) = qualified.rsplit_once('.')?;
        return (owner.starts_with("jose")
            && owner.ends_with("ALGORITHMS")
            && is_algorithm_name(name))
        .then(|| name.to_string());
    }
    const_string(value, semantic).filter(|name| is_algorithm_name(name))
}

/// The environment variable a Python key is read from: `os.environ["X"]`,
/// `os.environ.get("X")`, `os.getenv("X")`, `decouple.config("X")`, through local
/// variables, `or` defaults, `str()`/`bytes()` and `.encode()`.
fn py_env_name<'t>(value: Node<'t>, semantic: &Semantic<'t>, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let value = semantic.unwrap_expression(value);
    match value.kind() {
        "identifier" => match semantic
            .lookup(semantic.text(value), value.start_byte())?
            .value
        {
            BindingValue::Value(next) => py_env_name(next, semantic, depth + 1),
            _ => None,
        },
        "subscript" => {
            let object = value.child_by_field_name("value")?;
            if semantic.qualified_name(object).as_deref() != Some("os.environ") {
                return None;
            }
            const_string(value.child_by_field_name("subscript")?, semantic)
        }
        "boolean_operator" => py_env_name(value.child_by_field_name("left")?, semantic, depth + 1),
        "call" => {
            let function = value.child_by_field_name("function")?;
            match semantic.qualified_name(function).as_deref() {
                Some("os.getenv" | "os.environ.get" | "decouple.config") => {
                    match py_argument(value, "key", Some(0), semantic) {
                        Lookup::Present(name) => const_string(name, semantic),
                        _ => None,
                    }
                }
                Some(_) => None,
                None if function.kind() == "identifier" => {
                    let wraps = matches!(semantic.text(function), "str" | "bytes")
                        && semantic.is_unbound(function);
                    let argument = named_children(value.child_by_field_name("arguments")?)
                        .into_iter()
                        .next()?;
                    if wraps {
                        py_env_name(argument, semantic, depth + 1)
                    } else {
                        None
                    }
                }
                None if function.kind() == "attribute" => {
                    let method = semantic.text(function.child_by_field_name("attribute")?);
                    if matches!(method, "encode" | "strip") {
                        py_env_name(function.child_by_field_name("object")?, semantic, depth + 1)
                    } else {
                        None
                    }
                }
                None => None,
            }
        }
        _ => None,
    }
}

/// Whether a Python key is visibly a secret or an asymmetric key.
fn py_key_kind<'t>(key: Node<'t>, semantic: &Semantic<'t>) -> KeyKind {
    if let Some(name) = py_env_name(key, semantic, 0) {
        return env_kind(name.as_str());
    }
    let resolved = resolve_local(key, semantic);
    match name_kind(semantic.text(key)) {
        KeyKind::Unknown if resolved.byte_range().len() < 200 => name_kind(semantic.text(resolved)),
        kind => kind,
    }
}

// ----------------------------------------------------------------------- TypeScript / JS

/// Helpers compilers wrap `require()` in: `__importDefault(require("jsonwebtoken"))`.
const INTEROP_HELPERS: &[&str] = &[
    "__importDefault",
    "__importStar",
    "_interopRequireDefault",
    "_interopRequireWildcard",
    "__toESM",
];

/// [`Semantic::qualified_name`], also through compiled-module shapes:
/// `jsonwebtoken_1.default.verify` with `jsonwebtoken_1 = __importDefault(require(...))`,
/// and `(0, jsonwebtoken_1.sign)` callees.
fn js_qualified<'t>(semantic: &Semantic<'t>, expr: Node<'t>) -> Option<String> {
    let mut expr = semantic.unwrap_expression(expr);
    // `(0, x.sign)`: the last expression of a parenthesized sequence.
    if expr.kind() == "sequence_expression" {
        expr = semantic.unwrap_expression(*named_children(expr).last()?);
    }
    if let Some(qualified) = semantic.qualified_name(expr) {
        return Some(qualified);
    }
    let mut members = Vec::new();
    let mut current = expr;
    for _ in 0..MAX_DEPTH {
        if current.kind() != "member_expression" {
            break;
        }
        let property = semantic.text(current.child_by_field_name("property")?);
        if property != "default" {
            members.push(property);
        }
        current = semantic.unwrap_expression(current.child_by_field_name("object")?);
    }
    if current.kind() != "identifier" {
        return None;
    }
    let BindingValue::Value(value) = semantic
        .lookup(semantic.text(current), current.start_byte())?
        .value
    else {
        return None;
    };
    let value = semantic.unwrap_expression(value);
    if value.kind() != "call_expression" {
        return None;
    }
    let helper = semantic.text(value.child_by_field_name("function")?);
    if !INTEROP_HELPERS.contains(&helper.trim_start_matches("_default.")) {
        return None;
    }
    let module = semantic.qualified_name(*js_arguments(value).first()?)?;
    members.reverse();
    Some(
        std::iter::once(module.as_str())
            .chain(members)
            .collect::<Vec<_>>()
            .join("."),
    )
}

fn js_site<'t>(node: Node<'t>, semantic: &Semantic<'t>) -> Option<Site<'t>> {
    if node.kind() == "new_expression" {
        let constructor = node.child_by_field_name("constructor")?;
        if js_qualified(semantic, constructor).as_deref() != Some("passport-jwt.Strategy") {
            return None;
        }
        let options = js_arguments(node).first().copied();
        let call_name = format!("new {}()", semantic.text(constructor));
        return Some(passport_site(constructor, call_name, options, semantic));
    }
    let function = node.child_by_field_name("function")?;
    if function.kind() == "super" {
        return passport_super(node, function, semantic);
    }
    let qualified = js_qualified(semantic, function);
    let call_name = call_text(semantic, function);
    match qualified.as_deref() {
        Some("jsonwebtoken.sign") => Some(jsonwebtoken_sign(node, function, call_name, semantic)),
        Some("jsonwebtoken.verify") => {
            let arguments = js_arguments(node);
            let key = arguments.get(1).copied();
            let options = arguments
                .get(2)
                .copied()
                .filter(|o| !is_js_function(*o, semantic));
            let algorithm = js_verify_algorithm(options, "algorithms", key, semantic);
            Some(Site {
                node: function,
                kind: VERIFY,
                call: call_name,
                library: "jsonwebtoken",
                algorithm,
                key,
                secret: key.and_then(|k| js_env_name(k, semantic, 0)),
            })
        }
        Some("jose.jwtVerify") => {
            let arguments = js_arguments(node);
            let key = arguments.get(1).copied();
            let algorithm =
                js_verify_algorithm(arguments.get(2).copied(), "algorithms", key, semantic);
            Some(Site {
                node: function,
                kind: VERIFY,
                call: call_name,
                library: "jose",
                algorithm,
                key,
                secret: key.and_then(|k| js_env_name(k, semantic, 0)),
            })
        }
        Some("@nestjs/jwt.JwtModule.register") => {
            nest_site(node, function, call_name, false, semantic)
        }
        Some("@nestjs/jwt.JwtModule.registerAsync") => {
            nest_site(node, function, call_name, true, semantic)
        }
        Some("express-jwt" | "express-jwt.expressjwt" | "express-jwt.expressJwt") => {
            let options = js_arguments(node).first().copied()?;
            let secret = js_option_value(options, "secret", semantic);
            let algorithm = js_verify_algorithm(Some(options), "algorithms", secret, semantic);
            Some(Site {
                node: function,
                kind: VERIFY,
                call: call_name,
                library: "express-jwt",
                algorithm,
                key: secret,
                secret: secret.and_then(|s| js_env_name(s, semantic, 0)),
            })
        }
        Some(_) => fastify_site(node, function, call_name, semantic),
        None => {
            if function.kind() != "member_expression" {
                return None;
            }
            let property = function.child_by_field_name("property")?;
            match semantic.text(property) {
                "setProtectedHeader" => sign_jwt_site(node, property, semantic),
                "register" => fastify_site(node, function, call_name, semantic),
                _ => None,
            }
        }
    }
}

/// A property of an options object, when it is certainly there.
fn js_option_value<'t>(options: Node<'t>, key: &str, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    match js_property(options, key, semantic) {
        Lookup::Present(value) => Some(value),
        _ => None,
    }
}

fn is_js_function<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> bool {
    matches!(
        resolve_local(value, semantic).kind(),
        "arrow_function" | "function_expression" | "function" | "function_declaration"
    )
}

/// Follows a local variable, also when the value is a shorthand property (`{ alg }`).
fn js_resolve<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Node<'t> {
    if value.kind() == "shorthand_property_identifier" {
        if let Some(binding) = semantic.lookup(semantic.text(value), value.start_byte()) {
            if let BindingValue::Value(next) = binding.value {
                return resolve_local(next, semantic);
            }
        }
        return value;
    }
    resolve_local(value, semantic)
}

/// Algorithm names from a string or an array of strings.
fn js_algorithms<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Option<Vec<String>> {
    let value = js_resolve(value, semantic);
    if value.kind() == "array" {
        let mut out = Vec::new();
        for element in named_children(value) {
            out.push(js_algorithm(element, semantic)?);
        }
        return Some(out);
    }
    js_algorithm(value, semantic).map(|a| vec![a])
}

fn js_algorithm<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Option<String> {
    let value = js_resolve(value, semantic);
    const_string(value, semantic).filter(|name| is_algorithm_name(name))
}

/// The algorithm(s) set under `key` of an options object; `None` when not set at all.
fn js_explicit_algorithm<'t>(
    options: Option<Node<'t>>,
    key: &str,
    semantic: &Semantic<'t>,
) -> Option<Algorithm> {
    let options = options?;
    match js_property(options, key, semantic) {
        Lookup::Present(value) => Some(Algorithm::from_list(js_algorithms(value, semantic))),
        Lookup::Absent => None,
        Lookup::Unknown => Some(Algorithm::Unknown),
    }
}

/// A verify call's algorithms: the `algorithms` option, else what the libraries infer
/// from the key (a secret means HS256/HS384/HS512).
fn js_verify_algorithm<'t>(
    options: Option<Node<'t>>,
    key: &str,
    secret: Option<Node<'t>>,
    semantic: &Semantic<'t>,
) -> Algorithm {
    if let Some(explicit) = js_explicit_algorithm(options, key, semantic) {
        return explicit;
    }
    match secret.map(|s| js_key_kind(s, semantic, 0)) {
        Some(KeyKind::Secret) => Algorithm::Default("HS256"),
        _ => Algorithm::Unknown,
    }
}

/// jsonwebtoken `sign(payload, key, options)`: HS256 unless `algorithm` (or
/// `header.alg`) says otherwise; with an asymmetric key and no algorithm it fails.
fn jsonwebtoken_sign<'t>(
    call: Node<'t>,
    function: Node<'t>,
    call_name: String,
    semantic: &Semantic<'t>,
) -> Site<'t> {
    let arguments = js_arguments(call);
    let key = arguments.get(1).copied();
    let options = arguments
        .get(2)
        .copied()
        .filter(|o| !is_js_function(*o, semantic));
    let has_spread = arguments.iter().any(|a| a.kind() == "spread_element");
    let algorithm = if has_spread {
        Algorithm::Unknown
    } else {
        let header_alg = options.and_then(|o| match js_property(o, "header", semantic) {
            Lookup::Present(header) => js_explicit_algorithm(Some(header), "alg", semantic),
            Lookup::Absent => None,
            Lookup::Unknown => Some(Algorithm::Unknown),
        });
        match header_alg.or_else(|| js_explicit_algorithm(options, "algorithm", semantic)) {
            Some(explicit) => explicit,
            None => match key.map(|k| js_key_kind(k, semantic, 0)) {
                Some(KeyKind::Asymmetric) | None => Algorithm::Unknown,
                Some(KeyKind::Secret | KeyKind::Unknown) => Algorithm::Default("HS256"),
            },
        }
    };
    Site {
        node: function,
        kind: SIGN,
        call: call_name,
        library: "jsonwebtoken",
        algorithm,
        key,
        secret: key.and_then(|k| js_env_name(k, semantic, 0)),
    }
}

/// jose `new SignJWT(payload).setProtectedHeader({ alg })`: the `alg` is required.
fn sign_jwt_site<'t>(
    call: Node<'t>,
    property: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<Site<'t>> {
    let (_, root) = semantic.call_chain(call);
    let is_sign_jwt = |expr: Node<'t>| {
        expr.kind() == "new_expression"
            && expr
                .child_by_field_name("constructor")
                .and_then(|c| js_qualified(semantic, c))
                .as_deref()
                == Some("jose.SignJWT")
    };
    let origins = semantic.origins(root)?;
    if origins.is_empty() || !origins.iter().all(|o| is_sign_jwt(*o)) {
        return None;
    }
    let header = js_arguments(call).first().copied();
    let algorithm = js_explicit_algorithm(header, "alg", semantic).unwrap_or(Algorithm::Unknown);
    // The key is passed to `.sign(key)` further up the chain.
    let mut secret = None;
    let mut current = call;
    for _ in 0..MAX_DEPTH {
        let Some(member) = current.parent().filter(|p| p.kind() == "member_expression") else {
            break;
        };
        let Some(outer) = member.parent().filter(|p| p.kind() == "call_expression") else {
            break;
        };
        let is_sign = member
            .child_by_field_name("property")
            .is_some_and(|p| semantic.text(p) == "sign");
        if is_sign {
            secret = js_arguments(outer)
                .first()
                .and_then(|k| js_env_name(*k, semantic, 0));
            break;
        }
        current = outer;
    }
    Some(Site {
        node: property,
        kind: SIGN,
        call: "new SignJWT().setProtectedHeader()".to_string(),
        library: "jose",
        algorithm,
        key: None,
        secret,
    })
}

/// `JwtModule.register({ secret, signOptions: { algorithm } })` and `registerAsync`
/// with a `useFactory` that returns the options.
fn nest_site<'t>(
    call: Node<'t>,
    function: Node<'t>,
    call_name: String,
    is_async: bool,
    semantic: &Semantic<'t>,
) -> Option<Site<'t>> {
    let argument = js_arguments(call).first().copied()?;
    let options = if is_async {
        js_option_value(argument, "useFactory", semantic).and_then(|f| returned_object(f, semantic))
    } else {
        Some(argument)
    };
    let (algorithm, secret) = match options {
        Some(options) => nest_options(options, semantic),
        None => (Algorithm::Unknown, None),
    };
    Some(Site {
        node: function,
        kind: SIGN,
        call: call_name,
        library: "@nestjs/jwt",
        algorithm,
        key: None,
        secret,
    })
}

/// The object a factory function returns: `() => ({...})`, `useFactory() { return {...} }`.
fn returned_object<'t>(function: Node<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    let function = js_resolve(function, semantic);
    if !matches!(
        function.kind(),
        "arrow_function" | "function_expression" | "function" | "method_definition"
    ) {
        return None;
    }
    let body = function.child_by_field_name("body")?;
    let value = if body.kind() == "statement_block" {
        let returns: Vec<Node<'t>> = named_children(body)
            .into_iter()
            .filter(|s| s.kind() == "return_statement")
            .collect();
        let [single] = returns.as_slice() else {
            return None;
        };
        single.named_child(0)?
    } else {
        body
    };
    let value = js_resolve(value, semantic);
    (value.kind() == "object").then_some(value)
}

fn nest_options<'t>(options: Node<'t>, semantic: &Semantic<'t>) -> (Algorithm, Option<String>) {
    let sign = match js_property(options, "signOptions", semantic) {
        Lookup::Present(sign) => js_explicit_algorithm(Some(sign), "algorithm", semantic),
        Lookup::Absent => None,
        Lookup::Unknown => Some(Algorithm::Unknown),
    };
    let verify = match js_property(options, "verifyOptions", semantic) {
        Lookup::Present(verify) => js_explicit_algorithm(Some(verify), "algorithms", semantic),
        Lookup::Absent => None,
        Lookup::Unknown => Some(Algorithm::Unknown),
    };
    let key = ["secret", "privateKey", "secretOrPrivateKey"]
        .iter()
        .find_map(|name| js_option_value(options, name, semantic));
    let secret = key.and_then(|k| js_env_name(k, semantic, 0));
    if let Some(explicit) = sign.or(verify) {
        return (explicit, secret);
    }
    let algorithm = match js_property(options, "secret", semantic) {
        Lookup::Present(value) => match js_key_kind(value, semantic, 0) {
            KeyKind::Asymmetric => Algorithm::Unknown,
            KeyKind::Secret | KeyKind::Unknown => Algorithm::Default("HS256"),
        },
        Lookup::Absent => match js_option_value(options, "secretOrPrivateKey", semantic) {
            Some(value) if js_key_kind(value, semantic, 0) == KeyKind::Secret => {
                Algorithm::Default("HS256")
            }
            _ => Algorithm::Unknown,
        },
        Lookup::Unknown => Algorithm::Unknown,
    };
    (algorithm, secret)
}

/// passport-jwt `new Strategy({ secretOrKey, algorithms }, verify)`.
fn passport_site<'t>(
    at: Node<'t>,
    call_name: String,
    options: Option<Node<'t>>,
    semantic: &Semantic<'t>,
) -> Site<'t> {
    let (algorithm, secret) = match options {
        Some(options) => {
            let key = js_option_value(options, "secretOrKey", semantic);
            (
                js_verify_algorithm(Some(options), "algorithms", key, semantic),
                key.and_then(|k| js_env_name(k, semantic, 0)),
            )
        }
        None => (Algorithm::Unknown, None),
    };
    Site {
        node: at,
        kind: VERIFY,
        call: call_name,
        library: "passport-jwt",
        algorithm,
        key: None,
        secret,
    }
}

/// `super({...})` in `class JwtStrategy extends PassportStrategy(Strategy)` (NestJS),
/// with `Strategy` from passport-jwt.
fn passport_super<'t>(
    call: Node<'t>,
    function: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<Site<'t>> {
    let class = corbel_engine::semantic::enclosing_class(semantic.root(), call)?;
    let heritage = named_children(class)
        .into_iter()
        .find(|c| c.kind() == "class_heritage")?;
    let mut base = None;
    let mut pending = vec![heritage];
    let mut budget = 32;
    while let Some(node) = pending.pop() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        if node.kind() == "call_expression" {
            base = Some(node);
            break;
        }
        pending.extend(named_children(node));
    }
    let base = base?;
    let mixin = js_qualified(semantic, base.child_by_field_name("function")?)?;
    if mixin != "@nestjs/passport.PassportStrategy" {
        return None;
    }
    let strategy = js_arguments(base).first().copied()?;
    if js_qualified(semantic, strategy).as_deref() != Some("passport-jwt.Strategy") {
        return None;
    }
    let options = js_arguments(call).first().copied();
    Some(passport_site(
        function,
        "PassportStrategy(Strategy)".to_string(),
        options,
        semantic,
    ))
}

/// `fastify.register(fastifyJwt, { secret, sign: { algorithm } })`.
fn fastify_site<'t>(
    call: Node<'t>,
    function: Node<'t>,
    call_name: String,
    semantic: &Semantic<'t>,
) -> Option<Site<'t>> {
    if function.kind() != "member_expression" {
        return None;
    }
    let property = function.child_by_field_name("property")?;
    if semantic.text(property) != "register" {
        return None;
    }
    let arguments = js_arguments(call);
    let plugin = js_qualified(semantic, *arguments.first()?)?;
    if !matches!(plugin.as_str(), "@fastify/jwt" | "fastify-jwt") {
        return None;
    }
    let options = arguments.get(1).copied()?;
    let sign = match js_property(options, "sign", semantic) {
        Lookup::Present(sign) => js_explicit_algorithm(Some(sign), "algorithm", semantic),
        Lookup::Absent => None,
        Lookup::Unknown => Some(Algorithm::Unknown),
    };
    let secret = js_option_value(options, "secret", semantic);
    let algorithm = match sign {
        Some(explicit) => explicit,
        None => match secret.map(|s| (js_resolve(s, semantic).kind(), js_key_kind(s, semantic, 0)))
        {
            // `secret: { private, public }` is a key pair.
            Some(("object", _)) | Some((_, KeyKind::Asymmetric)) | None => Algorithm::Unknown,
            Some(_) => Algorithm::Default("HS256"),
        },
    };
    Some(Site {
        node: function,
        kind: SIGN,
        call: call_name,
        library: "@fastify/jwt",
        algorithm,
        key: secret,
        secret: secret.and_then(|s| js_env_name(s, semantic, 0)),
    })
}

/// `process.env.X` / `process.env["X"]`: the variable name.
fn js_process_env<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Option<String> {
    let object = value.child_by_field_name("object")?;
    if semantic.text(object).split_whitespace().collect::<String>() != "process.env" {
        return None;
    }
    match value.kind() {
        "member_expression" => Some(
            semantic
                .text(value.child_by_field_name("property")?)
                .to_string(),
        ),
        "subscript_expression" => const_string(value.child_by_field_name("index")?, semantic),
        _ => None,
    }
}

/// `configService.get('JWT_SECRET')` / `config.getOrThrow<string>('JWT_SECRET')`: a
/// NestJS-style config read of an environment variable.
fn js_config_read<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> Option<String> {
    let function = call.child_by_field_name("function")?;
    if function.kind() != "member_expression" {
        return None;
    }
    let method = semantic.text(function.child_by_field_name("property")?);
    if !matches!(method, "get" | "getOrThrow") {
        return None;
    }
    let receiver = semantic.text(function.child_by_field_name("object")?);
    if !receiver.to_ascii_lowercase().contains("config") {
        return None;
    }
    let name = const_string(*js_arguments(call).first()?, semantic)?;
    is_env_name(&name).then_some(name)
}

/// The environment variable a JS key is read from, through local variables,
/// destructuring of `process.env`, `||`/`??` defaults and key wrappers
/// (`Buffer.from`, `new TextEncoder().encode`, `createSecretKey`).
fn js_env_name<'t>(value: Node<'t>, semantic: &Semantic<'t>, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let value = semantic.unwrap_expression(value);
    match value.kind() {
        "identifier" | "shorthand_property_identifier" => {
            match semantic
                .lookup(semantic.text(value), value.start_byte())?
                .value
            {
                BindingValue::Value(next) => js_env_name(next, semantic, depth + 1),
                BindingValue::Member(object, key) => {
                    let object = semantic.unwrap_expression(object);
                    (semantic.text(object).split_whitespace().collect::<String>() == "process.env")
                        .then(|| key.to_string())
                }
                _ => None,
            }
        }
        "member_expression" | "subscript_expression" => js_process_env(value, semantic),
        "binary_expression" => {
            let operator = value
                .child_by_field_name("operator")
                .map(|o| semantic.text(o));
            if matches!(operator, Some("||" | "??")) {
                js_env_name(value.child_by_field_name("left")?, semantic, depth + 1)
            } else {
                None
            }
        }
        "call_expression" => {
            if let Some(name) = js_config_read(value, semantic) {
                return Some(name);
            }
            if js_key_wrapper(value, semantic) {
                let argument = js_arguments(value).first().copied()?;
                return js_env_name(argument, semantic, depth + 1);
            }
            None
        }
        _ => None,
    }
}

/// Calls that turn a secret string into key material without changing what it is:
/// `Buffer.from(s)`, `new TextEncoder().encode(s)`, `createSecretKey(s)`, `String(s)`.
fn js_key_wrapper<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> bool {
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    if let Some(qualified) = js_qualified(semantic, function) {
        return qualified == "crypto.createSecretKey" || qualified == "node:crypto.createSecretKey";
    }
    match semantic.text(function) {
        "Buffer.from" | "String" => return true,
        _ => {}
    }
    is_text_encoder_encode(function, semantic)
}

/// `new TextEncoder().encode` (or an encoder held in a variable).
fn is_text_encoder_encode<'t>(function: Node<'t>, semantic: &Semantic<'t>) -> bool {
    if function.kind() != "member_expression" {
        return false;
    }
    let (Some(object), Some(property)) = (
        function.child_by_field_name("object"),
        function.child_by_field_name("property"),
    ) else {
        return false;
    };
    if semantic.text(property) != "encode" {
        return false;
    }
    let object = js_resolve(object, semantic);
    object.kind() == "new_expression"
        && object
            .child_by_field_name("constructor")
            .is_some_and(|c| semantic.text(c) == "TextEncoder")
}

/// Whether a JS key is visibly a shared secret or an asymmetric key (or key set).
fn js_key_kind<'t>(key: Node<'t>, semantic: &Semantic<'t>, depth: usize) -> KeyKind {
    if depth > MAX_DEPTH {
        return KeyKind::Unknown;
    }
    let key = semantic.unwrap_expression(key);
    if let Some(name) = js_env_name(key, semantic, 0) {
        return env_kind(&name);
    }
    match key.kind() {
        "string" | "template_string" => {
            if semantic.text(key).contains("BEGIN") {
                KeyKind::Asymmetric
            } else {
                KeyKind::Secret
            }
        }
        "identifier" | "shorthand_property_identifier" => {
            let by_name = name_kind(semantic.text(key));
            match semantic
                .lookup(semantic.text(key), key.start_byte())
                .map(|b| b.value)
            {
                Some(BindingValue::Value(next)) => match js_key_kind(next, semantic, depth + 1) {
                    KeyKind::Unknown => by_name,
                    kind => kind,
                },
                _ => by_name,
            }
        }
        "member_expression" | "subscript_expression" => {
            let name = key
                .child_by_field_name("property")
                .or_else(|| key.child_by_field_name("index"))
                .map_or("", |p| semantic.text(p));
            name_kind(name)
        }
        "binary_expression" => match key.child_by_field_name("left") {
            Some(left) => js_key_kind(left, semantic, depth + 1),
            None => KeyKind::Unknown,
        },
        "call_expression" => {
            let Some(function) = key.child_by_field_name("function") else {
                return KeyKind::Unknown;
            };
            if is_text_encoder_encode(function, semantic) {
                return KeyKind::Secret;
            }
            let qualified = js_qualified(semantic, function);
            let name = qualified
                .as_deref()
                .unwrap_or_else(|| semantic.text(function));
            let last = name.rsplit('.').next().unwrap_or(name);
            match last {
                "createSecretKey" => KeyKind::Secret,
                "createPrivateKey" | "createPublicKey" | "importPKCS8" | "importSPKI"
                | "importX509" | "importJWK" | "createRemoteJWKSet" | "createLocalJWKSet"
                | "readFileSync" | "readFile" | "expressJwtSecret" | "passportJwtSecret" => {
                    KeyKind::Asymmetric
                }
                "from" if name == "Buffer.from" => match js_arguments(key).first() {
                    Some(argument) => js_key_kind(*argument, semantic, depth + 1),
                    None => KeyKind::Unknown,
                },
                _ => name_kind(last),
            }
        }
        "arrow_function" | "function_expression" | "function" => KeyKind::Unknown,
        _ => KeyKind::Unknown,
    }
}

// ------------------------------------------------------------------------- project pass

impl ProjectRule for Hs256AcrossServicesProject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &mut ProjectContext<'_>) {
        // Shared-secret sites outside test code, with their service.
        let sites: Vec<(String, Fact)> = ctx
            .own_facts()
            .filter(|fact| !fact.is_test_file)
            .filter(|fact| {
                !shared_secret_algorithms(fact.value("algorithm").unwrap_or("")).is_empty()
            })
            .map(|fact| {
                let service = ctx
                    .project
                    .service_root(&fact.location.path)
                    .unwrap_or_default();
                (service, fact.clone())
            })
            .collect();
        // Suppressed sites do not make other services' sites findings.
        let counted: Vec<&(String, Fact)> = sites
            .iter()
            .filter(|(_, fact)| fact.suppression.is_none())
            .collect();
        let hmac_services: BTreeSet<&str> = counted
            .iter()
            .map(|(service, _)| service.as_str())
            .collect();
        if hmac_services.len() < 2 {
            return;
        }
        let (one_sided, sharing) = involved_services(&counted);
        let involved: BTreeSet<&str> = one_sided.union(&sharing).copied().collect();
        // Which services read each environment variable.
        let mut readers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (service, fact) in &counted {
            if let Some(secret) = fact.value("secret") {
                readers.entry(secret).or_default().insert(service.as_str());
            }
        }
        let mut findings = Vec::new();
        for (service, fact) in &sites {
            if !involved.contains(service.as_str()) {
                continue;
            }
            // In a service that signs and verifies its own tokens, a secret no other
            // service reads is a token of its own.
            let own_secret = fact
                .value("secret")
                .is_some_and(|secret| readers.get(secret).is_none_or(|r| r.len() < 2));
            if !one_sided.contains(service.as_str()) && own_secret {
                continue;
            }
            // The other involved services, else every other service using HMAC tokens.
            let mut others: Vec<&(String, Fact)> = counted
                .iter()
                .copied()
                .filter(|(other, _)| other != service && involved.contains(other.as_str()))
                .collect();
            if others.is_empty() {
                others = counted
                    .iter()
                    .copied()
                    .filter(|(other, _)| other != service)
                    .collect();
            }
            if others.is_empty() {
                continue;
            }
            let message = message(service, fact, &others, &readers);
            let related = related_sites(fact, &others)
                .into_iter()
                .map(|(other, f)| Related {
                    location: f.location.clone(),
                    message: related_message(other, f),
                })
                .collect();
            findings.push((fact.clone(), message, help(fact), related));
        }
        for (fact, message, help, related) in findings {
            ctx.report(&fact, message, help, related);
        }
    }
}

/// The services whose shared-secret sites are findings, given sites in two or more
/// services, as (one-sided services, services sharing a variable):
/// - a service that only signs, or only verifies, HMAC tokens: its tokens go to, or come
///   from, another holder of the secret;
/// - services that read the secret from the same environment variable.
///
/// A one-sided service whose every site takes its key from a function parameter is a
/// helper library (an SDK verifying another system's tokens, an API client signing
/// requests): the repository shows neither its key nor its counterpart, so it is left out.
///
/// A service that signs and verifies its own HMAC tokens, with a secret no other service
/// is seen reading, is a single-service use (the case the guidance calls fine), even
/// when another service of the repository does the same.
fn involved_services<'a>(sites: &[&'a (String, Fact)]) -> (BTreeSet<&'a str>, BTreeSet<&'a str>) {
    let mut roles: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    let mut readers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    // Services whose every site is a helper handed its key by a caller: an SDK or a
    // client library, whose counterpart (and key) the repository does not show.
    let mut own_key: BTreeSet<&str> = BTreeSet::new();
    for (service, fact) in sites {
        if fact.value("key") != Some("parameter") {
            own_key.insert(service.as_str());
        }
        let role = roles.entry(service.as_str()).or_default();
        let configures_both = fact.value("role") == Some("sign+verify");
        role.0 |= fact.kind == SIGN || configures_both;
        role.1 |= fact.kind == VERIFY || configures_both;
        if let Some(secret) = fact.value("secret") {
            readers.entry(secret).or_default().insert(service.as_str());
        }
    }
    let one_sided = roles
        .iter()
        .filter(|(service, &(signs, verifies))| !(signs && verifies) && own_key.contains(*service))
        .map(|(service, _)| *service)
        .collect();
    let sharing = readers
        .into_values()
        .filter(|services| services.len() > 1)
        .flatten()
        .collect();
    (one_sided, sharing)
}

/// Up to [`MAX_RELATED`] sites in other services, in location order: one per service
/// first, preferring the counterpart of `fact` (signers for a verify site, verifiers for
/// a sign site), then the next ones.
fn related_sites<'a>(fact: &Fact, others: &[&'a (String, Fact)]) -> Vec<(&'a str, &'a Fact)> {
    let counterpart = |f: &Fact| f.kind != fact.kind || f.value("role") == Some("sign+verify");
    let mut ordered: Vec<&(String, Fact)> = others.to_vec();
    // Stable: location order within each group.
    ordered.sort_by_key(|(_, f)| !counterpart(f));
    let mut seen = BTreeSet::new();
    let (first, rest): (Vec<ServiceSite<'_>>, Vec<ServiceSite<'_>>) = ordered
        .into_iter()
        .partition(|(service, _)| seen.insert(service.as_str()));
    let mut chosen: Vec<(&str, &Fact)> = first
        .into_iter()
        .chain(rest)
        .take(MAX_RELATED)
        .map(|(service, fact)| (service.as_str(), fact))
        .collect();
    chosen.sort_by(|a, b| {
        (&a.1.location.path, a.1.location.start.line)
            .cmp(&(&b.1.location.path, b.1.location.start.line))
    });
    chosen
}

/// A fact with the service it belongs to.
type ServiceSite<'a> = &'a (String, Fact);

/// At most this many related locations per finding.
const MAX_RELATED: usize = 5;

fn service_label(service: &str) -> String {
    if service.is_empty() {
        "the repository root".to_string()
    } else {
        format!("`{service}`")
    }
}

/// `a`, `a` and `b`, `a`, `b`, `c` and 2 more.
fn list_services(services: &[&str]) -> String {
    let labels: Vec<String> = services.iter().take(3).map(|s| service_label(s)).collect();
    let rest = services.len().saturating_sub(3);
    match (labels.as_slice(), rest) {
        ([], _) => String::new(),
        ([one], _) => one.clone(),
        (_, 0) => {
            let (last, head) = labels
                .split_last()
                .map_or((String::new(), &[][..]), |(l, h)| (l.clone(), h));
            format!("{} and {last}", head.join(", "))
        }
        (_, rest) => format!("{} and {rest} more", labels.join(", ")),
    }
}

fn algorithm_phrase(fact: &Fact) -> String {
    let recorded = fact.value("algorithm").unwrap_or("");
    let algorithms: Vec<&str> = shared_secret_algorithms(recorded);
    let defaulted = recorded.ends_with(" (default)");
    let joined = algorithms.join("/");
    if defaulted {
        format!("{joined} (the library default)")
    } else {
        joined
    }
}

fn message(
    service: &str,
    fact: &Fact,
    others: &[&(String, Fact)],
    readers: &BTreeMap<&str, BTreeSet<&str>>,
) -> String {
    let call = fact.value("call").unwrap_or("the JWT call");
    let algorithm = algorithm_phrase(fact);
    let other_services: Vec<&str> = others
        .iter()
        .map(|(s, _)| s.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let other_algorithms: Vec<&str> = others
        .iter()
        .flat_map(|(_, f)| shared_secret_algorithms(f.value("algorithm").unwrap_or("")))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let verb = if other_services.len() == 1 {
        "uses"
    } else {
        "use"
    };
    let who = list_services(&other_services);
    let tokens = other_algorithms.join("/");
    let mut text = if fact.kind == VERIFY {
        format!("`{call}` verifies with {algorithm}, a shared secret, and {who} also {verb} {tokens} tokens: whoever can verify them can mint them")
    } else {
        format!("`{call}` signs with {algorithm}, a shared secret, and {who} also {verb} {tokens} tokens: every service that verifies can mint them")
    };
    if let Some(secret) = fact.value("secret") {
        if let Some(services) = readers
            .get(secret)
            .filter(|s| s.len() > 1 && s.contains(service))
        {
            let services: Vec<&str> = services.iter().copied().collect();
            text.push_str(&format!(
                "; `{secret}` is shared by {}",
                list_services(&services)
            ));
        }
    }
    text
}

fn related_message(service: &str, fact: &Fact) -> String {
    let call = fact.value("call").unwrap_or("a JWT call");
    let verb = if fact.kind == VERIFY {
        "verifies with"
    } else {
        "signs with"
    };
    format!(
        "`{call}` {verb} {} in {}",
        algorithm_phrase(fact),
        service_label(service)
    )
}

fn help(fact: &Fact) -> String {
    let verify = fact.kind == VERIFY;
    let library = fact.value("library").unwrap_or("");
    let help = match (library, verify) {
        ("pyjwt", false) => "switch to EdDSA (Ed25519), else ES256, signing only in the issuing service: `jwt.encode(payload, private_key, algorithm=\"EdDSA\")`; verifiers get the public key or a JWKS",
        ("pyjwt", true) => "verify with the issuer's public key so this service cannot mint tokens: `jwt.decode(token, public_key, algorithms=[\"EdDSA\"])`, or `PyJWKClient` for a JWKS",
        ("python-jose", false) => "switch to an asymmetric algorithm (python-jose has no EdDSA: ES256), signing only in the issuing service: `jwt.encode(claims, private_key, algorithm=\"ES256\")`; verifiers get the public key or a JWKS",
        ("python-jose", true) => "verify with the issuer's public key so this service cannot mint tokens: `jwt.decode(token, public_key, algorithms=[\"ES256\"])`",
        ("authlib", false) => "switch to EdDSA (Ed25519), else ES256, signing only in the issuing service: `jwt.encode({\"alg\": \"EdDSA\"}, payload, private_key)`; verifiers get the public key or a JWKS",
        ("authlib", true) => "verify with the issuer's public key so this service cannot mint tokens: `JsonWebToken([\"EdDSA\"]).decode(token, public_key)`",
        ("jsonwebtoken", false) => "switch to an asymmetric algorithm (jsonwebtoken has no EdDSA: ES256), signing only in the issuing service: `jwt.sign(payload, privateKey, { algorithm: \"ES256\" })`; verifiers get the public key or a JWKS",
        ("jsonwebtoken", true) => "verify with the issuer's public key so this service cannot mint tokens: `jwt.verify(token, publicKey, { algorithms: [\"ES256\"] })`, or a JWKS through `jwks-rsa`",
        ("jose", false) => "switch to EdDSA (Ed25519), else ES256, signing only in the issuing service: `new SignJWT(payload).setProtectedHeader({ alg: \"EdDSA\" }).sign(privateKey)`; publish the public key as a JWKS",
        ("jose", true) => "verify against the issuer's public keys so this service cannot mint tokens: `jwtVerify(token, createRemoteJWKSet(jwksUrl), { algorithms: [\"EdDSA\"] })`",
        ("@nestjs/jwt", _) => "switch to ES256 with a key pair: `JwtModule.register({ privateKey, publicKey, signOptions: { algorithm: \"ES256\" } })` in the issuing service, only `publicKey` with `verifyOptions: { algorithms: [\"ES256\"] }` elsewhere",
        ("passport-jwt", _) => "verify with the issuer's public key so this service cannot mint tokens: `secretOrKey: publicKey, algorithms: [\"ES256\"]`, or `secretOrKeyProvider: passportJwtSecret({ jwksUri })` from jwks-rsa",
        ("express-jwt", _) => "verify with the issuer's public key so this service cannot mint tokens: `expressjwt({ secret: publicKey, algorithms: [\"ES256\"] })`, or `secret: expressJwtSecret({ jwksUri })` from jwks-rsa",
        ("@fastify/jwt", _) => "switch to ES256 with a key pair: `{ secret: { private: privateKey, public: publicKey }, sign: { algorithm: \"ES256\" } }` in the issuing service, only the public key elsewhere",
        _ => "switch to EdDSA (Ed25519), else ES256: sign with the private key only in the issuing service and verify with the public key or a JWKS",
    };
    help.to_string()
}

/// Whether a key expression is built from a parameter of the function it is in
/// (`jwt.verify(token, options.secret)` in `function verifyToken(token, options)`,
/// `Buffer.from(secret, "hex")` after `const [id, secret] = key.split(":")`), through a
/// few local assignments and destructurings.
fn key_from_parameter(key: Node<'_>, semantic: &Semantic<'_>, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    let Some(function) = semantic.enclosing_function(key) else {
        return false;
    };
    let mut names = Vec::new();
    corbel_engine::semantic::walk_preorder(key, |node| {
        if names.len() < 8 && node.kind() == "identifier" {
            // Roots only: `options` in `options.secret`, not a property name.
            let is_property = node.parent().is_some_and(|parent| {
                matches!(parent.kind(), "attribute" | "member_expression")
                    && parent
                        .child_by_field_name("object")
                        .is_none_or(|object| object.id() != node.id())
            });
            if !is_property {
                names.push(node);
            }
        }
    });
    // A request handler's parameters are the framework's (injected settings, the
    // request), not a caller's key.
    if semantic.is_request_handler(function) {
        return false;
    }
    names.into_iter().any(|name| {
        let text = semantic.text(name);
        // `self.secret`: the object's own configuration, not a caller's key.
        if matches!(text, "self" | "cls") {
            return false;
        }
        if declares_parameter(function, text, semantic) {
            return true;
        }
        match semantic.lookup(text, name.start_byte()).map(|b| b.value) {
            Some(BindingValue::Value(value)) if !Semantic::is_function(value) => {
                semantic.enclosing_function(value).map(|f| f.id()) == Some(function.id())
                    && key_from_parameter(value, semantic, depth + 1)
            }
            Some(BindingValue::Unknown) | Some(BindingValue::Member(..)) => {
                destructured_from(function, name, semantic)
                    .is_some_and(|value| key_from_parameter(value, semantic, depth + 1))
            }
            _ => false,
        }
    })
}

/// Whether `function` declares a parameter called `name` (also inside a destructuring
/// pattern: `({ secret }) => ...`).
fn declares_parameter(function: Node<'_>, name: &str, semantic: &Semantic<'_>) -> bool {
    let Some(parameters) = function
        .child_by_field_name("parameters")
        .or_else(|| function.child_by_field_name("parameter"))
    else {
        return false;
    };
    let mut found = false;
    corbel_engine::semantic::walk_preorder(parameters, |node| {
        if !found
            && matches!(
                node.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            )
            && semantic.text(node) == name
        {
            // A default value's identifiers are not parameters: `(key = SECRET)`.
            let in_default = node.parent().is_some_and(|parent| {
                matches!(parent.kind(), "assignment_pattern" | "default_parameter")
                    && parent
                        .child_by_field_name("right")
                        .or_else(|| parent.child_by_field_name("value"))
                        .is_some_and(|right| right.id() == node.id())
            });
            found = !in_default;
        }
    });
    found
}

/// The value a destructuring declaration in `function` unpacks into `name`, before it:
/// `key.split(":")` for `const [id, secret] = key.split(":")`.
fn destructured_from<'t>(
    function: Node<'t>,
    name: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<Node<'t>> {
    let text = semantic.text(name);
    let mut found = None;
    corbel_engine::semantic::walk_preorder(function, |node| {
        if node.start_byte() >= name.start_byte() {
            return;
        }
        let (pattern, value) = match node.kind() {
            "variable_declarator" => (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ),
            "assignment" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ),
            _ => return,
        };
        let (Some(pattern), Some(value)) = (pattern, value) else {
            return;
        };
        if !matches!(
            pattern.kind(),
            "array_pattern" | "object_pattern" | "pattern_list" | "tuple_pattern"
        ) {
            return;
        }
        let mut binds = false;
        corbel_engine::semantic::walk_preorder(pattern, |inner| {
            binds |= matches!(
                inner.kind(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) && semantic.text(inner) == text;
        });
        if binds {
            found = Some(value);
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, kind, algorithm, secret) of every site recorded in `source`.
    fn sites(name: &str, source: &str) -> Vec<(usize, String, String, Option<String>)> {
        let settings = crate::default_settings(std::env::temp_dir());
        let input = corbel_engine::Input::Stdin {
            name: name.into(),
            source: source.as_bytes().to_vec(),
        };
        let result = corbel_engine::run(input, &settings);
        result
            .facts
            .iter()
            .filter(|fact| fact.rule == META.id)
            .map(|fact| {
                (
                    fact.location.start.line,
                    fact.kind.clone(),
                    fact.value("algorithm").unwrap_or("").to_string(),
                    fact.value("secret").map(str::to_string),
                )
            })
            .collect()
    }

    fn algorithms(name: &str, source: &str) -> Vec<String> {
        sites(name, source).into_iter().map(|s| s.2).collect()
    }

    #[test]
    fn python_positional_and_header_algorithms() {
        let source = r#"
import os
import jwt
from jose import jws

KEY = os.environ["JWT_SECRET"]

def f(token, payload, private_key):
    jws.sign(payload, KEY, None, "HS384")
    jwt.encode(payload, KEY, headers={"alg": "RS256"})
    jwt.encode(payload, private_key)
    jwt.encode(payload, KEY, algorithm=None)
    jwt.decode(token, KEY, True)
    jwt.decode(token, KEY, ("HS256", "RS256"))
    jwt.decode(token, verify=False)
"#;
        assert_eq!(
            algorithms("svc.py", source),
            [
                "HS384",
                "RS256",
                "unknown",
                "none",
                "unknown",
                "HS256, RS256"
            ]
        );
        assert_eq!(sites("svc.py", source)[0].3.as_deref(), Some("JWT_SECRET"));
    }

    #[test]
    fn python_env_reads_through_wrappers() {
        let source = r#"
from os import environ, getenv
import jwt

secret = str(getenv("A_SECRET") or "dev").encode()

def f(payload):
    jwt.encode(payload, secret)
    jwt.encode(payload, environ["B_SECRET"], algorithm="HS256")
"#;
        let found = sites("svc.py", source);
        assert_eq!(found[0].3.as_deref(), Some("A_SECRET"));
        assert_eq!(found[1].3.as_deref(), Some("B_SECRET"));
    }

    #[test]
    fn javascript_header_override_and_key_kinds() {
        let source = r#"
import jwt from "jsonwebtoken";
import { readFileSync } from "fs";
const { JWT_SECRET: secret } = process.env;
const pem = readFileSync("key.pem");
export function f(payload: object, token: string, key: string, config: ConfigService) {
  jwt.sign(payload, secret, { header: { alg: "RS256" } });
  jwt.sign(payload, pem);
  jwt.sign(payload, key);
  jwt.sign(payload, "dev-secret", (err, t) => t);
  jwt.verify(token, config.get<string>("JWT_SECRET"));
  jwt.verify(token, key);
  jwt.sign(payload, secret, { algorithm: "HS512" as Algorithm });
}
"#;
        assert_eq!(
            algorithms("svc.ts", source),
            [
                "RS256",
                "unknown",
                "HS256 (default)",
                "HS256 (default)",
                "HS256 (default)",
                "unknown",
                "HS512"
            ]
        );
        let found = sites("svc.ts", source);
        assert_eq!(found[0].3.as_deref(), Some("JWT_SECRET"));
        assert_eq!(found[4].3.as_deref(), Some("JWT_SECRET"));
    }

    #[test]
    fn nest_factories_and_express_jwt() {
        let source = r#"
import { JwtModule } from "@nestjs/jwt";
const jwt = require("express-jwt");
JwtModule.registerAsync({
  useFactory(config) {
    const options = { secret: config.get("JWT_SECRET") };
    return options;
  },
});
JwtModule.registerAsync({ useClass: JwtConfig });
JwtModule.register({ secret: process.env.S, ...extra });
app.use(jwt({ secret: "s3cret", algorithms: ["HS256"] }));
"#;
        assert_eq!(
            algorithms("app.js", source),
            ["HS256 (default)", "unknown", "unknown", "HS256"]
        );
    }

    #[test]
    fn compiled_module_shapes() {
        let source = r#"
const jsonwebtoken_1 = __importDefault(require("jsonwebtoken"));
const jose_1 = require("jose");
function f(token, options) {
    jsonwebtoken_1.default.verify(token, options.secret, { issuer: "x" });
    return (0, jsonwebtoken_1.sign)({ sub: 1 }, process.env.JWT_SECRET);
}
async function g(token, key) {
    return (0, jose_1.jwtVerify)(token, key, { algorithms: ["HS384"] });
}
"#;
        assert_eq!(
            algorithms("verify.js", source),
            ["HS256 (default)", "HS256 (default)", "HS384"]
        );
    }

    #[test]
    fn jose_sign_jwt_through_a_variable() {
        let source = r#"
import { SignJWT } from "jose";
export async function f(key: Uint8Array) {
  const builder = new SignJWT({ sub: "1" });
  const alg = "HS256";
  return builder.setProtectedHeader({ alg }).sign(key);
}
"#;
        assert_eq!(algorithms("a.ts", source), ["HS256"]);
    }

    #[test]
    fn algorithm_names() {
        assert!(is_algorithm_name("HS256"));
        assert!(is_algorithm_name("EdDSA"));
        assert!(!is_algorithm_name("HS"));
        assert!(!is_algorithm_name("sha256"));
        assert!(is_shared_secret("HS512"));
        assert!(!is_shared_secret("RS256"));
        assert_eq!(shared_secret_algorithms("RS256, HS384"), vec!["HS384"]);
        assert_eq!(shared_secret_algorithms("HS256 (default)"), vec!["HS256"]);
        assert!(shared_secret_algorithms("unknown").is_empty());
    }

    #[test]
    fn key_names() {
        assert_eq!(name_kind("JWT_PRIVATE_KEY"), KeyKind::Asymmetric);
        assert_eq!(name_kind("config.jwtSecret"), KeyKind::Secret);
        assert_eq!(name_kind("key"), KeyKind::Unknown);
        assert_eq!(env_kind("TOKEN_KEY"), KeyKind::Secret);
        assert!(is_env_name("JWT_SECRET"));
        assert!(!is_env_name("jwt.secret"));
    }

    #[test]
    fn service_lists() {
        assert_eq!(list_services(&["a"]), "`a`");
        assert_eq!(list_services(&["a", "b"]), "`a` and `b`");
        assert_eq!(
            list_services(&["", "b", "c"]),
            "the repository root, `b` and `c`"
        );
        assert_eq!(
            list_services(&["a", "b", "c", "d", "e"]),
            "`a`, `b`, `c` and 2 more"
        );
    }
}
