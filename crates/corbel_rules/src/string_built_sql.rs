//! `string-built-sql`: SQL text assembled from runtime values (f-strings, `%`,
//! `.format()`, `+`, `+=`, `.concat()`, template literals) that reaches a call executing it.
//!
//! A sink is a call whose argument is executed as SQL: DB-API cursors, SQLAlchemy
//! `text()`/`exec_driver_sql`, Django `raw()`/`extra()`/`RawSQL`, asyncpg, psycopg
//! `sql.SQL`; pg/mysql2/mssql/Sequelize/TypeORM `query()`, knex `raw()`/`whereRaw()`,
//! Prisma `$queryRawUnsafe`, Drizzle/Kysely `sql.raw()`, TypeORM query-builder `where()`.
//!
//! How sure the rule is that a call executes SQL decides how much the text must look like
//! SQL: a library-resolved sink needs nothing more, a database receiver needs SQL words,
//! a generic `execute`/`query`/`raw` on an unknown receiver needs a SQL statement.
//!
//! Values that cannot carry an injection are not counted: literals and constants,
//! numbers (`int(x)`, `len(x)`, `Number(x)`, arithmetic), quoting/escaping helpers,
//! placeholder lists (`", ".join(["%s"] * len(ids))`, `ids.map(() => "?").join()`),
//! lookups in constant mappings and locals only ever assigned such values.

use crate::common::{
    decorators, js_arguments, js_property, literal_str, mentions_identifier, name_words,
    named_children, py_argument, resolve_local, stem_and_dirs, Lookup,
};
use corbel_engine::semantic::{enclosing_class, path_from_root, walk_preorder, Binding};
use corbel_engine::{
    BindingValue, Category, Family, Precision, Rule, RuleContext, RuleMeta, Semantic, Severity,
    Span, Trigger,
};
use tree_sitter::Node;

pub struct StringBuiltSql;

pub static META: RuleMeta = RuleMeta {
    id: "string-built-sql",
    name: "StringBuiltSql",
    summary: "SQL text built from runtime values by string formatting reaches a query call",
    category: Category::Security,
    default_severity: Severity::Error,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[89],
    prod_only: false,
    precision: Precision::High,
    security_severity: Some("8.8"),
    doc: include_str!("../../../rules/string-built-sql.md"),
};

impl Rule for StringBuiltSql {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn triggers(&self, family: Family) -> &'static [Trigger] {
        match family {
            Family::Python => &[
                // Method sinks are attribute calls: `.execute`, `.executemany`, `.fetchrow`.
                Trigger::Any(&[
                    ".execute",
                    "exec_driver_sql",
                    ".raw(",
                    ".extra(",
                    "RawSQL",
                    ".fetch",
                ]),
                // `text(...)` under any import or alias of SQLAlchemy / SQLModel.
                Trigger::All(&[
                    &[
                        "from sqlalchemy",
                        "import sqlalchemy",
                        "from sqlmodel",
                        "import sqlmodel",
                    ],
                    &["text"],
                ]),
                Trigger::All(&[&["psycopg"], &["SQL"]]),
            ],
            // Method sinks are called as `.query(` / `.query<Row>(` (the dot stays with the
            // name whatever the line breaks); `Raw` covers `whereRaw` and `$queryRawUnsafe`.
            Family::JavaScript => &[
                Trigger::Any(&[
                    ".query(",
                    ".query<",
                    ".execute(",
                    ".execute<",
                    "Raw",
                    ".raw(",
                    "createQueryBuilder",
                    "subQuery",
                ]),
                // node `sqlite3` / `better-sqlite3` databases (`sqlite3` matches both).
                Trigger::All(&[
                    &["sqlite3"],
                    &[".run(", ".all(", ".get(", ".each(", ".exec(", ".prepare("],
                ]),
            ],
        }
    }

    fn node_kinds(&self, family: Family) -> &'static [&'static str] {
        match family {
            Family::Python => &["call"],
            Family::JavaScript => &["call_expression"],
        }
    }

    fn check(&self, node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
        if is_migration_path(ctx.path) {
            return;
        }
        let sink = match ctx.family() {
            Family::Python => python_sink(node, ctx.semantic),
            Family::JavaScript => js_sink(node, ctx.semantic),
        };
        if let Some(sink) = sink {
            if is_schema_default(sink.call, ctx.semantic) {
                return;
            }
            check_sink(&sink, ctx);
        }
    }
}

// ------------------------------------------------------------------------------ sinks

/// How sure the rule is that a call runs its argument as SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// A method name other APIs share (`execute`, `query`, `raw`) on a receiver the model
    /// cannot place: the literal text must read as a SQL statement.
    Unknown,
    /// A database connection, cursor or session: the text must contain SQL words.
    Database,
    /// An API whose argument is SQL by definition (`sqlalchemy.text`, `knex.raw`, ...).
    Library,
}

/// The library in use, for the help line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Driver {
    DbApi,
    Sqlite,
    SqlAlchemyText,
    SqlAlchemyExecute,
    ExecDriverSql,
    DjangoRaw,
    DjangoExtra,
    DjangoRawSql,
    Asyncpg,
    PsycopgSql,
    Pg,
    Mysql,
    Mssql,
    Sequelize,
    TypeOrmQuery,
    TypeOrmWhere,
    Knex,
    KnexRawClause,
    Prisma,
    Drizzle,
    Kysely,
    /// node `sqlite3`: `db.run/all/get/each/exec(sql, params)`.
    NodeSqlite,
    /// `better-sqlite3`: `db.prepare(sql).run(params)`, `db.exec(sql)`.
    BetterSqlite,
    /// jsforce's Salesforce SOQL `conn.query(soql)`, which takes no bind parameters.
    Soql,
    JsGeneric,
}

struct Sink<'t> {
    call: Node<'t>,
    /// The arguments holding SQL text (several for Django `extra(where=[...])`).
    queries: Vec<Node<'t>>,
    /// How the call reads in the message, without parentheses: `cur.execute`, `text`.
    callee: String,
    evidence: Evidence,
    driver: Driver,
}

impl<'t> Sink<'t> {
    fn new(
        call: Node<'t>,
        query: Option<Node<'t>>,
        callee: String,
        evidence: Evidence,
        driver: Driver,
    ) -> Option<Sink<'t>> {
        Some(Sink {
            call,
            queries: vec![query?],
            callee,
            evidence,
            driver,
        })
    }
}

/// The display name of a callee: its source text on one line, call arguments elided
/// (`Product.objects.using(...).raw`), shortened from the left when still long.
fn callee_name(function: Node<'_>, semantic: &Semantic<'_>) -> String {
    // The tokens without comments (a chain may carry `// ...` between its links).
    let mut text = String::new();
    walk_preorder(function, |node| {
        if node.child_count() == 0 && !node.kind().contains("comment") {
            text.push_str(semantic.text(node).trim());
        }
    });
    let mut shown = String::new();
    let mut depth = 0usize;
    let mut empty = true;
    for c in text.chars() {
        match c {
            '(' => {
                if depth == 0 {
                    shown.push('(');
                    empty = true;
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    shown.push_str(if empty { ")" } else { "...)" });
                }
            }
            _ if depth > 0 => empty = false,
            _ => shown.push(c),
        }
    }
    if shown.chars().count() <= 48 {
        return shown;
    }
    let tail: Vec<char> = shown.chars().rev().take(40).collect();
    format!("…{}", tail.into_iter().rev().collect::<String>())
}

fn present(lookup: Lookup<'_>) -> Option<Node<'_>> {
    match lookup {
        Lookup::Present(node) => Some(node),
        _ => None,
    }
}

/// Python: a positional argument or one of several keyword names.
fn py_query_argument<'t>(
    call: Node<'t>,
    keywords: &[&str],
    semantic: &Semantic<'t>,
) -> Option<Node<'t>> {
    for (index, keyword) in keywords.iter().enumerate() {
        let position = (index == 0).then_some(0);
        if let Some(node) = present(py_argument(call, keyword, position, semantic)) {
            return Some(node);
        }
    }
    None
}

// ----------------------------------------------------------------------------- Python

/// Factories of connections, pools and engines: their objects run SQL.
const PY_CONNECT: &[(&str, Driver)] = &[
    ("sqlite3.connect", Driver::Sqlite),
    ("aiosqlite.connect", Driver::Sqlite),
    ("psycopg2.connect", Driver::DbApi),
    ("psycopg.connect", Driver::DbApi),
    ("psycopg.Connection.connect", Driver::DbApi),
    ("psycopg.AsyncConnection.connect", Driver::DbApi),
    ("pymysql.connect", Driver::DbApi),
    ("MySQLdb.connect", Driver::DbApi),
    ("mysql.connector.connect", Driver::DbApi),
    ("pyodbc.connect", Driver::DbApi),
    ("cx_Oracle.connect", Driver::DbApi),
    ("oracledb.connect", Driver::DbApi),
    ("duckdb.connect", Driver::DbApi),
    ("snowflake.connector.connect", Driver::DbApi),
    ("asyncpg.connect", Driver::Asyncpg),
    ("asyncpg.create_pool", Driver::Asyncpg),
    ("sqlalchemy.create_engine", Driver::SqlAlchemyExecute),
    (
        "sqlalchemy.ext.asyncio.create_async_engine",
        Driver::SqlAlchemyExecute,
    ),
];

/// Methods that hand out a connection of the same library: `engine.connect()`,
/// `pool.acquire()`, `engine.begin()`.
const PY_CONNECTION_METHODS: &[&str] = &["connect", "begin", "acquire", "raw_connection"];

fn python_sink<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> Option<Sink<'t>> {
    let function = call.child_by_field_name("function")?;
    if let Some(qualified) = semantic.qualified_name(function) {
        let library = match qualified.as_str() {
            "sqlalchemy.text"
            | "sqlalchemy.sql.text"
            | "sqlalchemy.sql.expression.text"
            | "sqlmodel.text" => Some((Driver::SqlAlchemyText, "text")),
            "django.db.models.expressions.RawSQL" | "django.db.models.RawSQL" => {
                Some((Driver::DjangoRawSql, "sql"))
            }
            "psycopg.sql.SQL" | "psycopg2.sql.SQL" => Some((Driver::PsycopgSql, "obj")),
            _ => None,
        };
        if let Some((driver, keyword)) = library {
            let query = py_query_argument(call, &[keyword], semantic);
            let callee = callee_name(function, semantic);
            return Sink::new(call, query, callee, Evidence::Library, driver);
        }
    }
    if function.kind() != "attribute" {
        return None;
    }
    let object = function.child_by_field_name("object")?;
    let method = semantic.text(function.child_by_field_name("attribute")?);
    let callee = || callee_name(function, semantic);
    match method {
        "execute" | "executemany" | "executescript" | "fetch" | "fetchrow" | "fetchval" => {
            let query = py_query_argument(
                call,
                &["sql", "query", "operation", "statement", "sql_script"],
                semantic,
            )
            .filter(|query| may_carry_sql_text(*query, semantic))?;
            let (evidence, driver) = python_receiver(object, method, semantic);
            Sink::new(call, Some(query), callee(), evidence, driver)
        }
        "exec_driver_sql" => {
            let query = py_query_argument(call, &["statement"], semantic);
            Sink::new(
                call,
                query,
                callee(),
                Evidence::Database,
                Driver::ExecDriverSql,
            )
        }
        "raw" => {
            let evidence = if is_django_manager(object, semantic) {
                Evidence::Database
            } else {
                Evidence::Unknown
            };
            let query = py_query_argument(call, &["raw_query"], semantic);
            Sink::new(call, query, callee(), evidence, Driver::DjangoRaw)
        }
        "extra" => django_extra(call, semantic, callee()),
        _ => None,
    }
}

/// Whether a query argument can be reported at all (`check_sink`): a string built in
/// view, or a value taken whole from the request. Checked before the receiver is
/// classified, which costs more and is wasted on `conn.execute(select(...))`.
fn may_carry_sql_text(query: Node<'_>, semantic: &Semantic<'_>) -> bool {
    semantic.string_build(query).is_some()
        || direct_request_value(query, semantic, 0).is_some()
        || handed_parameter(query, semantic).is_some()
}

/// How sure we are that `object.execute(...)` runs SQL, and which library it is.
fn python_receiver(object: Node<'_>, method: &str, semantic: &Semantic<'_>) -> (Evidence, Driver) {
    let guess = python_driver_guess(method, semantic.source());
    if let Some(driver) = py_db_object(object, semantic, 0) {
        let driver = match driver {
            // A cursor of an unknown connection: the file's imports say which.
            Driver::DbApi => guess,
            other => other,
        };
        return (Evidence::Database, driver);
    }
    let name = last_name(object, semantic);
    if name.ends_with("cursor") || matches!(name, "cur" | "curs") {
        return (Evidence::Database, guess);
    }
    (Evidence::Unknown, guess)
}

fn python_driver_guess(method: &str, source: &str) -> Driver {
    if method.starts_with("fetch") || source.contains("asyncpg") {
        Driver::Asyncpg
    } else if source.contains("sqlite3") && !source.contains("django") {
        // Django cursors take `%s` whatever the backend.
        Driver::Sqlite
    } else if method == "execute" && source.contains("sqlalchemy") && !source.contains(".cursor(") {
        Driver::SqlAlchemyExecute
    } else {
        Driver::DbApi
    }
}

/// The library of a database object (connection, cursor, engine, pool), when every
/// origin of `expr` visibly creates one.
fn py_db_object(expr: Node<'_>, semantic: &Semantic<'_>, depth: usize) -> Option<Driver> {
    if depth > 4 {
        return None;
    }
    let expr = semantic.unwrap_expression(expr);
    let origins = if expr.kind() == "call" {
        vec![expr]
    } else {
        semantic.origins(expr)?
    };
    let mut found = None;
    for origin in origins {
        if origin.kind() != "call" {
            return None;
        }
        let function = origin.child_by_field_name("function")?;
        let driver = if let Some(qualified) = semantic.qualified_name(function) {
            PY_CONNECT
                .iter()
                .find(|(name, _)| *name == qualified)
                .map(|(_, driver)| *driver)
        } else {
            None
        };
        let driver = match driver {
            Some(driver) => driver,
            None if function.kind() == "attribute" => {
                let method = semantic.text(function.child_by_field_name("attribute")?);
                let object = function.child_by_field_name("object")?;
                if method == "cursor" {
                    // `conn.cursor()`: a DB-API cursor whatever `conn` is.
                    py_db_object(object, semantic, depth + 1).unwrap_or(Driver::DbApi)
                } else if PY_CONNECTION_METHODS.contains(&method) {
                    py_db_object(object, semantic, depth + 1)?
                } else {
                    return None;
                }
            }
            None => return None,
        };
        found = Some(driver);
    }
    found
}

/// `User.objects`, `User.objects.using("x")`, `Model._default_manager`.
fn is_django_manager(object: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let (_, root) = semantic.call_chain(object);
    let text = semantic.text(root);
    text.ends_with("objects")
        || text.ends_with("_default_manager")
        || text.ends_with("_base_manager")
}

/// `qs.extra(where=[...], select={...})`: every SQL fragment in the lists.
fn django_extra<'t>(call: Node<'t>, semantic: &Semantic<'t>, callee: String) -> Option<Sink<'t>> {
    let mut queries = Vec::new();
    for keyword in ["where", "select"] {
        let Some(value) = present(py_argument(call, keyword, None, semantic)) else {
            continue;
        };
        let value = resolve_local(value, semantic);
        match value.kind() {
            "list" | "tuple" => queries.extend(named_children(value)),
            "dictionary" => queries.extend(
                named_children(value)
                    .into_iter()
                    .filter_map(|pair| pair.child_by_field_name("value")),
            ),
            _ => {}
        }
    }
    if queries.is_empty() {
        return None;
    }
    Some(Sink {
        call,
        queries,
        callee,
        evidence: Evidence::Library,
        driver: Driver::DjangoExtra,
    })
}

// ---------------------------------------------------------------------- TypeScript / JS

/// `new X(...)` constructors whose objects run SQL.
const JS_CONSTRUCTORS: &[(&str, Driver)] = &[
    ("pg.Pool", Driver::Pg),
    ("pg.Client", Driver::Pg),
    ("pg.default.Pool", Driver::Pg),
    ("pg.default.Client", Driver::Pg),
    ("pg-pool", Driver::Pg),
    ("mssql.ConnectionPool", Driver::Mssql),
    ("mssql.Request", Driver::Mssql),
    ("mssql.Transaction", Driver::Mssql),
    ("sequelize.Sequelize", Driver::Sequelize),
    ("sequelize", Driver::Sequelize),
    ("typeorm.DataSource", Driver::TypeOrmQuery),
    ("typeorm.Connection", Driver::TypeOrmQuery),
    ("sqlite3.Database", Driver::NodeSqlite),
    ("sqlite3.verbose.Database", Driver::NodeSqlite),
    ("better-sqlite3", Driver::BetterSqlite),
    ("better-sqlite3.default", Driver::BetterSqlite),
];

/// Factory functions whose results run SQL.
const JS_FACTORIES: &[(&str, Driver)] = &[
    ("mysql.createConnection", Driver::Mysql),
    ("mysql.createPool", Driver::Mysql),
    ("mysql2.createConnection", Driver::Mysql),
    ("mysql2.createPool", Driver::Mysql),
    ("mysql2/promise.createConnection", Driver::Mysql),
    ("mysql2/promise.createPool", Driver::Mysql),
    ("mssql.connect", Driver::Mssql),
    ("typeorm.getConnection", Driver::TypeOrmQuery),
    ("typeorm.getManager", Driver::TypeOrmQuery),
    ("typeorm.createConnection", Driver::TypeOrmQuery),
];

/// Methods handing out a connection or request of the same library.
const JS_CONNECTION_METHODS: &[&str] = &[
    "connect",
    "getConnection",
    "request",
    "createQueryRunner",
    "promise",
];

/// knex clause builders taking raw SQL.
const KNEX_RAW_CLAUSES: &[&str] = &[
    "whereRaw",
    "orWhereRaw",
    "andWhereRaw",
    "whereNotRaw",
    "havingRaw",
    "orHavingRaw",
    "orderByRaw",
    "groupByRaw",
    "joinRaw",
    "fromRaw",
    "onRaw",
];

/// TypeORM query-builder methods whose first argument is a SQL condition.
const TYPEORM_CONDITIONS: &[&str] = &[
    "where",
    "andWhere",
    "orWhere",
    "having",
    "andHaving",
    "orHaving",
];

fn js_sink<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> Option<Sink<'t>> {
    let function = call.child_by_field_name("function")?;
    // A tagged template (`sql\`...${x}\``) parameterizes: never a sink.
    call.child_by_field_name("arguments")
        .filter(|arguments| arguments.kind() == "arguments")?;
    if function.kind() != "member_expression" {
        return None;
    }
    let object = function.child_by_field_name("object")?;
    let method = semantic.text(function.child_by_field_name("property")?);
    let callee = || callee_name(function, semantic);
    let first = js_arguments(call).first().copied();
    match method {
        "query" | "execute" => {
            // pg `query({ text, values })`, mysql `query({ sql, values })`.
            let query = first
                .and_then(|first| {
                    if resolve_local(first, semantic).kind() == "object" {
                        ["text", "sql"]
                            .iter()
                            .find_map(|key| present(js_property(first, key, semantic)))
                    } else {
                        Some(first)
                    }
                })
                .filter(|query| may_carry_sql_text(*query, semantic))?;
            let (evidence, driver) = js_receiver(object, semantic);
            Sink::new(call, Some(query), callee(), evidence, driver)
        }
        "$queryRawUnsafe" | "$executeRawUnsafe" => {
            Sink::new(call, first, callee(), Evidence::Library, Driver::Prisma)
        }
        "raw" => {
            let (evidence, driver) = js_raw_receiver(function, object, semantic);
            Sink::new(call, first, callee(), evidence, driver)
        }
        // node `sqlite3` and `better-sqlite3` databases: names too common to trust on
        // any other receiver.
        "run" | "all" | "get" | "each" | "exec" | "prepare" => {
            let driver = js_db_object(object, semantic, 0)?;
            let takes_sql = match driver {
                Driver::NodeSqlite => true,
                Driver::BetterSqlite => matches!(method, "prepare" | "exec"),
                _ => false,
            };
            if !takes_sql {
                return None;
            }
            Sink::new(call, first, callee(), Evidence::Database, driver)
        }
        m if KNEX_RAW_CLAUSES.contains(&m) => Sink::new(
            call,
            first,
            callee(),
            Evidence::Library,
            Driver::KnexRawClause,
        ),
        m if TYPEORM_CONDITIONS.contains(&m) && is_typeorm_builder(object, semantic, 0) => {
            Sink::new(
                call,
                first,
                callee(),
                Evidence::Library,
                Driver::TypeOrmWhere,
            )
        }
        _ => None,
    }
}

fn js_receiver(object: Node<'_>, semantic: &Semantic<'_>) -> (Evidence, Driver) {
    if let Some(driver) = js_db_object(object, semantic, 0) {
        return (Evidence::Database, driver);
    }
    let name = last_name(object, semantic);
    match name {
        "sequelize" => return (Evidence::Database, Driver::Sequelize),
        "queryRunner" | "entityManager" | "dataSource" => {
            return (Evidence::Database, Driver::TypeOrmQuery)
        }
        _ => {}
    }
    (Evidence::Unknown, js_driver_guess(semantic.source()))
}

/// `new sqlite3.Database(...)` after `const sqlite3 = require("sqlite3").verbose()`, the
/// idiom node-sqlite3's documentation opens with.
fn is_verbose_sqlite3_database(constructor: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if member_name(constructor, semantic) != Some("Database") {
        return false;
    }
    let Some(module) = constructor
        .child_by_field_name("object")
        .filter(|o| o.kind() == "identifier")
    else {
        return false;
    };
    matches!(
        semantic.lookup(semantic.text(module), module.start_byte()).map(|b| b.value),
        Some(BindingValue::Value(value))
            if matches!(
                semantic.text(value),
                "require(\"sqlite3\").verbose()" | "require('sqlite3').verbose()"
            )
    )
}

/// The library of a JS file's SQL calls, from its imports.
fn js_driver_guess(source: &str) -> Driver {
    let imports = |module: &str| {
        source.contains(&format!("'{module}'")) || source.contains(&format!("\"{module}\""))
    };
    if imports("pg") || imports("pg-pool") || imports("postgres") {
        Driver::Pg
    } else if imports("mysql") || imports("mysql2") || imports("mysql2/promise") {
        Driver::Mysql
    } else if imports("mssql") {
        Driver::Mssql
    } else if imports("sequelize") {
        Driver::Sequelize
    } else if imports("typeorm") {
        Driver::TypeOrmQuery
    } else if imports("jsforce") || imports("@jsforce/jsforce-node") {
        Driver::Soql
    } else {
        Driver::JsGeneric
    }
}

fn js_db_object(expr: Node<'_>, semantic: &Semantic<'_>, depth: usize) -> Option<Driver> {
    if depth > 4 {
        return None;
    }
    let expr = semantic.unwrap_expression(expr);
    let origins = if matches!(expr.kind(), "call_expression" | "new_expression") {
        vec![expr]
    } else {
        semantic.origins(expr)?
    };
    let mut found = None;
    for origin in origins {
        let origin = semantic.unwrap_expression(origin);
        let driver = match origin.kind() {
            "new_expression" => {
                let constructor = origin.child_by_field_name("constructor")?;
                match semantic.qualified_name(constructor) {
                    Some(qualified) => JS_CONSTRUCTORS
                        .iter()
                        .find(|(name, _)| *name == qualified)
                        .map(|(_, driver)| *driver)?,
                    None if is_verbose_sqlite3_database(constructor, semantic) => {
                        Driver::NodeSqlite
                    }
                    None => return None,
                }
            }
            "call_expression" => {
                let function = origin.child_by_field_name("function")?;
                let factory = semantic
                    .qualified_name(function)
                    .and_then(|q| JS_FACTORIES.iter().find(|(name, _)| *name == q));
                match factory {
                    Some((_, driver)) => *driver,
                    None if function.kind() == "member_expression" => {
                        let method = semantic.text(function.child_by_field_name("property")?);
                        if !JS_CONNECTION_METHODS.contains(&method) {
                            return None;
                        }
                        let object = function.child_by_field_name("object")?;
                        js_db_object(object, semantic, depth + 1)?
                    }
                    None => return None,
                }
            }
            _ => return None,
        };
        found = Some(driver);
    }
    found
}

/// `knex.raw`, Drizzle `sql.raw`, Kysely `sql.raw`.
fn js_raw_receiver(
    function: Node<'_>,
    object: Node<'_>,
    semantic: &Semantic<'_>,
) -> (Evidence, Driver) {
    if let Some(qualified) = semantic.qualified_name(function) {
        // `Prisma.raw(...)` inserts text into a `Prisma.sql` template unescaped.
        if qualified.starts_with("@prisma/client") {
            return (Evidence::Library, Driver::Prisma);
        }
        if qualified.starts_with("drizzle-orm") {
            return (Evidence::Library, Driver::Drizzle);
        }
        if qualified.starts_with("kysely") {
            return (Evidence::Library, Driver::Kysely);
        }
        if qualified == "knex.raw" || qualified == "knex.knex.raw" {
            return (Evidence::Library, Driver::Knex);
        }
    }
    if is_knex_instance(object, semantic) {
        return (Evidence::Library, Driver::Knex);
    }
    if matches!(last_name(object, semantic), "knex" | "trx") {
        return (Evidence::Database, Driver::Knex);
    }
    let source = semantic.source();
    let driver = if source.contains("knex") {
        Driver::Knex
    } else if source.contains("drizzle-orm") {
        Driver::Drizzle
    } else if source.contains("kysely") {
        Driver::Kysely
    } else {
        Driver::JsGeneric
    };
    (Evidence::Unknown, driver)
}

/// An object made by `knex({...})` / `require('knex')({...})` / `Knex({...})`.
fn is_knex_instance(object: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(origins) = semantic.origins(object) else {
        return false;
    };
    !origins.is_empty()
        && origins.iter().all(|origin| {
            origin.kind() == "call_expression"
                && origin
                    .child_by_field_name("function")
                    .and_then(|f| semantic.qualified_name(f))
                    .is_some_and(|q| matches!(q.as_str(), "knex" | "knex.knex" | "knex.Knex"))
        })
}

/// Whether a TypeORM `createQueryBuilder()` chain (possibly held in a variable) leads here.
fn is_typeorm_builder(object: Node<'_>, semantic: &Semantic<'_>, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    let (links, root) = semantic.call_chain(object);
    if links
        .iter()
        .any(|link| matches!(link.name, "createQueryBuilder" | "subQuery"))
    {
        return true;
    }
    let root = semantic.unwrap_expression(root);
    if root.kind() != "identifier" {
        return false;
    }
    semantic.origins(root).is_some_and(|origins| {
        !origins.is_empty()
            && origins
                .iter()
                .all(|origin| is_typeorm_builder(*origin, semantic, depth + 1))
    })
}

/// The last name of a receiver: `cur` for `cur`, `cursor` for `self.cursor`,
/// `cursor` for `conn.cursor()`.
fn last_name<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> &'t str {
    // A loop, not recursion: `f()()()...` and nested sequences can be arbitrarily deep.
    let mut expr = expr;
    for _ in 0..64 {
        expr = semantic.unwrap_expression(expr);
        let next = match expr.kind() {
            "identifier" => return semantic.text(expr),
            "attribute" | "member_expression" => {
                return expr
                    .child_by_field_name("attribute")
                    .or_else(|| expr.child_by_field_name("property"))
                    .map_or("", |name| semantic.text(name))
            }
            "call" | "call_expression" => expr.child_by_field_name("function"),
            // Compiled TypeScript calls imports as `(0, utils_1.escapeId)(x)`.
            "sequence_expression" => expr.named_child(
                u32::try_from(expr.named_child_count().saturating_sub(1)).unwrap_or(0),
            ),
            _ => None,
        };
        match next {
            Some(next) => expr = next,
            None => return "",
        }
    }
    ""
}

/// The member an attribute or member expression reads: `id` in `user.id`; `None` for any
/// other node.
fn member_name<'t>(node: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    if !matches!(node.kind(), "attribute" | "member_expression") {
        return None;
    }
    node.child_by_field_name("attribute")
        .or_else(|| node.child_by_field_name("property"))
        .map(|name| semantic.text(name))
}

// -------------------------------------------------------------------------- the check

/// Whether the function running `call` also changes the schema, with statements it
/// builds (`f"ALTER TABLE {table} ADD COLUMN {column} {type}"`) or Alembic's operations
/// (`op.add_column(...)`): schema tooling, run at deploy or migration time over names and
/// defaults its callers chose, like a migration.
fn changes_schema(call: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(function) = semantic.enclosing_function(call) else {
        return false;
    };
    let mut found = false;
    walk_preorder(function, |node| {
        if found {
            return;
        }
        // `op.add_column(table_name, column)`: Alembic's schema operations.
        if node.kind() == "call" {
            found = node
                .child_by_field_name("function")
                .and_then(|callee| semantic.qualified_name(callee))
                .is_some_and(|name| name.starts_with("alembic."));
            return;
        }
        if !matches!(node.kind(), "string" | "template_string") {
            return;
        }
        found = semantic.string_build(node).is_some_and(|build| {
            !build.dynamic.is_empty() && {
                let mut words = words(&build.literal_text).into_iter();
                matches!(
                    (words.next().as_deref(), words.next().as_deref()),
                    (
                        Some("ALTER" | "CREATE" | "DROP"),
                        Some("TABLE" | "INDEX" | "VIEW")
                    )
                )
            }
        });
    });
    found
}

/// `message.from_user.id`, `update.effective_chat.id`, `ctx.author.id`: the numeric id a
/// chat platform (Telegram, Discord) assigned to the sender or the chat, which the bot's
/// SDK hands over; the sender cannot choose it.
fn is_platform_user_id(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let value = semantic.unwrap_expression(value);
    if member_name(value, semantic) != Some("id") {
        return false;
    }
    value
        .child_by_field_name("object")
        .and_then(|owner| member_name(owner, semantic))
        .is_some_and(|owner| {
            matches!(
                owner,
                "from_user" | "effective_user" | "effective_chat" | "sender_chat" | "author"
            )
        })
}

/// `${params.add(limit)}` with `pool.query(sql, params.all())`: an object that collects
/// the bind values and hands out their placeholders (`$3`, `?`, `:p3`). The value comes
/// from a method of an object the same call is given as its parameters.
fn hands_out_placeholder(value: Node<'_>, sink: &Sink<'_>, semantic: &Semantic<'_>) -> bool {
    let mut value = semantic.unwrap_expression(value);
    // `const limitPh = params.add(opts.limit)`: its only binding.
    if value.kind() == "identifier" {
        let bindings = semantic.bindings_in_scope_of(semantic.text(value), value.start_byte());
        match bindings {
            [only] => match only.value {
                BindingValue::Value(bound) => value = semantic.unwrap_expression(bound),
                _ => return false,
            },
            _ => return false,
        }
    }
    if !matches!(value.kind(), "call" | "call_expression") {
        return false;
    }
    let collector = value
        .child_by_field_name("function")
        .filter(|f| matches!(f.kind(), "attribute" | "member_expression"))
        .and_then(|f| f.child_by_field_name("object"))
        .filter(|o| o.kind() == "identifier")
        .map(|o| semantic.text(o));
    let Some(collector) = collector else {
        return false;
    };
    let Some(arguments) = sink.call.child_by_field_name("arguments") else {
        return false;
    };
    // The parameters follow the SQL text: any argument but the statement itself.
    named_children(arguments)
        .into_iter()
        .filter(|argument| !sink.queries.iter().any(|q| q.id() == argument.id()))
        .any(|argument| mentions_identifier(argument, collector, semantic))
}

/// The function and parameter `query` names, when it is a parameter the function never
/// reassigns: the statement a helper is handed (`def query_db(query, args=())`).
fn handed_parameter<'t>(query: Node<'t>, semantic: &Semantic<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let query = semantic.unwrap_expression(query);
    if query.kind() != "identifier" {
        return None;
    }
    let declared = parameter_of(query, semantic)?;
    let reassigned = semantic
        .bindings_in_scope_of(semantic.text(query), query.start_byte())
        .iter()
        .any(|binding| !matches!(binding.value, BindingValue::Unknown));
    (!reassigned).then_some(declared)
}

/// When `query` is a parameter of a function in this file that never reassigns it, the
/// calls of that function here, each with the argument it passes for `query`: only
/// arguments built from pieces (a bare name passed on stops the search, so helpers
/// calling each other cannot loop).
fn helper_callers<'t>(query: Node<'t>, semantic: &Semantic<'t>) -> Vec<(Node<'t>, Node<'t>)> {
    let Some((function, parameter)) = handed_parameter(query, semantic) else {
        return Vec::new();
    };
    let Some(calls) = calls_in_file(function, parameter, semantic) else {
        return Vec::new();
    };
    calls
        .arguments
        .into_iter()
        .filter(|argument| semantic.string_build(*argument).is_some())
        .filter_map(|argument| {
            let mut node = argument;
            for _ in 0..3 {
                node = node.parent()?;
                if matches!(node.kind(), "call" | "call_expression") {
                    return Some((node, argument));
                }
            }
            None
        })
        // A file may define helpers of the same name in several scopes: only the calls
        // that reach this one.
        .filter(|(call, _)| calls_this(*call, function, semantic))
        .collect()
}

/// Whether `call`'s callee name resolves, where it is called, to `function`.
fn calls_this(call: Node<'_>, function: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(callee) = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "identifier")
    else {
        // `self._run(...)`: a method of the class, matched by name.
        return true;
    };
    // A JS function declaration is hoisted: called above it, in the block it is
    // declared in, the name is bound to something the model does not name.
    let in_its_block = || {
        function
            .parent()
            .is_some_and(|block| block.byte_range().contains(&call.start_byte()))
    };
    match semantic
        .lookup(semantic.text(callee), call.start_byte())
        .map(|binding| binding.value)
    {
        Some(BindingValue::Value(value)) => {
            let value = semantic.unwrap_expression(value);
            value.byte_range() == function.byte_range()
                || function
                    .parent()
                    .is_some_and(|p| p.byte_range() == value.byte_range())
                || value
                    .parent()
                    .is_some_and(|p| p.byte_range() == function.byte_range())
        }
        Some(BindingValue::Unknown) | None => in_its_block(),
        Some(_) => false,
    }
}

fn check_sink(sink: &Sink<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let operator_tool = is_operator_tool_path(ctx.path);
    for &query in &sink.queries {
        // `def query_db(query, args=()): get_db().execute(query, args)`: a helper of
        // this file that runs its parameter. What its callers here build is checked
        // where they build it.
        let callers = helper_callers(query, semantic);
        if !callers.is_empty() {
            for (call, argument) in callers {
                let Some(function) = call.child_by_field_name("function") else {
                    continue;
                };
                let outer = Sink {
                    call,
                    queries: vec![argument],
                    callee: callee_name(function, semantic),
                    evidence: sink.evidence,
                    driver: sink.driver,
                };
                check_sink(&outer, ctx);
            }
            continue;
        }
        let Some(build) = semantic.string_build(query) else {
            // Not built here, but taken whole from the request: `orderByRaw(req.query.sort)`.
            if sink.evidence != Evidence::Unknown && !ctx.is_test_file {
                if let Some(source) = direct_request_value(query, semantic, 0) {
                    let shown = display(source, semantic);
                    ctx.report(
                        query,
                        format!("SQL text taken from `{shown}` reaches `{}()`", sink.callee),
                    )
                    .help(format!(
                        "build the statement in code and pass `{shown}` as a bound parameter; when the request picks a column or a sort order, map it to SQL from a fixed allowlist"
                    ));
                    return;
                }
            }
            continue;
        };
        let safety = Safety::new(semantic);
        // The first few values are enough to decide and to name in the message.
        let risky: Vec<Node<'_>> = build
            .dynamic
            .iter()
            .copied()
            .filter(|value| !placement(*value, semantic).numeric)
            .filter(|value| !hands_out_placeholder(*value, sink, semantic))
            .filter(|value| !is_platform_user_id(*value, semantic))
            .filter(|value| !is_safe(*value, &safety, &[], 0))
            .take(16)
            .collect();
        if risky.is_empty() {
            continue;
        }
        let sql_like = match sink.evidence {
            Evidence::Library => true,
            Evidence::Database => has_sql_words(&build.literal_text),
            Evidence::Unknown => reads_as_statement(&build.literal_text),
        };
        if !sql_like {
            continue;
        }
        // Values in a value slot (`= {x}`, `'{x}'`, `IN ({x})`, `LIMIT {x}`) are reported
        // everywhere; names and fragments (`FROM {table}`, `ORDER BY {col}`,
        // `WHERE {clause}`) only when they visibly come from the request.
        // Statements that take no bind parameters (`PRAGMA`, `SET`, DDL) cannot be fixed
        // by binding: only request values count there.
        // Statements on the database's catalogs or a migration tool's records splice what
        // the database or the code holds: there too only request values count.
        let bindable =
            !cannot_bind(&build.literal_text) && !on_database_records(&build.literal_text);
        // Test code splices test data, operator tools the operator's own arguments, and
        // schema tooling the names its callers chose, not input: only request values count
        // there. Decided once for the statement, not per value.
        let values_count =
            bindable && !ctx.is_test_file && !operator_tool && !changes_schema(sink.call, semantic);
        let reportable: Vec<Node<'_>> = risky
            .iter()
            .copied()
            .filter(|value| !validated_before(*value, sink.call, semantic))
            .filter(|value| {
                (values_count
                    && slot_of(*value, semantic) == Slot::Value
                    && reaches_input(*value, semantic))
                    || from_request(*value, semantic, 0)
            })
            .collect();
        let Some(&first) = reportable.first() else {
            continue;
        };
        let inline = reportable.iter().copied().find(|value| {
            value.start_byte() >= query.start_byte() && value.end_byte() <= query.end_byte()
        });
        let span = Span::of(&inline.unwrap_or(query));
        let named = inline.unwrap_or(first);
        let how = how_built(named, semantic);
        let values = describe_values(named, &reportable, semantic);
        let identifier =
            slot_of(named, semantic) != Slot::Value && in_identifier_position(named, semantic);
        let message = format!(
            "SQL built from {values} with {how} reaches `{}()`",
            sink.callee
        );
        let statement = statement_kind(&build.literal_text);
        let help = help(sink, &display(named, semantic), identifier, statement);
        ctx.report_span(span, message).help(help);
        // One finding per call: the first query argument that is built is enough.
        return;
    }
}

/// `Column(..., server_default=text(f"..."))`: DDL the code runs at schema creation, from
/// values the code chose.
fn is_schema_default(call: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(parent) = call.parent().filter(|p| p.kind() == "keyword_argument") else {
        return false;
    };
    parent.child_by_field_name("name").is_some_and(|name| {
        matches!(
            semantic.text(name),
            "server_default" | "server_onupdate" | "default" | "onupdate"
        )
    })
}

/// Whether a statement takes no bind parameters: SQLite `PRAGMA`, `SET`/`SHOW`, DDL and
/// `DO` blocks.
fn cannot_bind(text: &str) -> bool {
    let mut words = words(text).into_iter();
    let first = words.next().unwrap_or_default();
    // `EXEC sp_rename 'old', 'new'`: SQL Server's system procedures administer the schema,
    // as DDL does, and take the names of its objects.
    if matches!(first.as_str(), "EXEC" | "EXECUTE")
        && words
            .next()
            .is_some_and(|procedure| procedure.starts_with("SP_"))
    {
        return true;
    }
    // `DO $$ ... $$`: PostgreSQL's anonymous code block, which takes no parameters either.
    matches!(
        first.as_str(),
        "PRAGMA"
            | "SET"
            | "SHOW"
            | "CREATE"
            | "ALTER"
            | "DROP"
            | "TRUNCATE"
            | "GRANT"
            | "REVOKE"
            | "COMMENT"
            | "VACUUM"
            | "ANALYZE"
            | "REINDEX"
            | "CLUSTER"
            | "LISTEN"
            | "NOTIFY"
            | "COPY"
            | "ATTACH"
            | "DETACH"
            | "RENAME"
            | "USE"
            | "DO"
    )
}

/// Tables where migration tools record which revisions ran, and where SQLite keeps its
/// AUTOINCREMENT counters.
const BOOKKEEPING_TABLES: &[&str] = &[
    "alembic_version",
    "django_migrations",
    "schema_migrations",
    "knex_migrations",
    "sequelizemeta",
    "sqlite_sequence",
];

/// The database's own catalogs: PostgreSQL's `pg_catalog` relations and statistics views,
/// the standard `information_schema`, SQLite's schema table.
const SYSTEM_CATALOGS: &[&str] = &[
    "information_schema",
    "pg_catalog",
    "pg_class",
    "pg_namespace",
    "pg_attribute",
    "pg_attrdef",
    "pg_constraint",
    "pg_index",
    "pg_indexes",
    "pg_inherits",
    "pg_depend",
    "pg_description",
    "pg_tables",
    "pg_views",
    "pg_matviews",
    "pg_sequences",
    "pg_proc",
    "pg_type",
    "pg_enum",
    "pg_trigger",
    "pg_policies",
    "pg_extension",
    "pg_user",
    "pg_roles",
    "pg_authid",
    "pg_auth_members",
    "pg_database",
    "pg_tablespace",
    "pg_settings",
    "pg_locks",
    "pg_replication_slots",
    "pg_publication",
    "pg_subscription",
    "pg_stat_activity",
    "pg_stat_replication",
    "pg_stat_user_tables",
    "sqlite_master",
    "sqlite_schema",
    "sqlite_temp_master",
];

/// Whether a statement reads or writes the records a database or a migration tool keeps
/// for itself (`BOOKKEEPING_TABLES`, `SYSTEM_CATALOGS`). Such statements are schema
/// tooling (introspection, role and replication management, stamping revisions): they
/// splice names and numbers the database, the configuration or a migration holds, so,
/// like DDL, only request values count there.
fn on_database_records(text: &str) -> bool {
    words(text).iter().any(|word| {
        let word = word.to_ascii_lowercase();
        BOOKKEEPING_TABLES.contains(&word.as_str()) || SYSTEM_CATALOGS.contains(&word.as_str())
    })
}

/// Commands an operator runs by hand: Django management commands, `scripts/` and
/// `bin/`, a `cli` module, `manage.py`.
fn is_operator_tool_path(path: &str) -> bool {
    let (stem, dirs) = stem_and_dirs(path);
    matches!(stem, "cli" | "manage")
        || dirs.iter().any(|dir| matches!(*dir, "scripts" | "bin"))
        || dirs
            .windows(2)
            .any(|pair| pair == ["commands", "management"])
}

/// Migration scripts splice table and column names the code itself chose.
fn is_migration_path(path: &str) -> bool {
    let (stem, dirs) = stem_and_dirs(path);
    // A module of migrations (`mint/migrations.py`, `db_migration.ts`, `v3migration.py`).
    let migration_module = stem.to_ascii_lowercase().contains("migration");
    migration_module
        || dirs.iter().any(|&dir| {
            matches!(
                dir,
                "migrations" | "migration" | "alembic" | "upgrades" | "upgrade"
            )
                // `migration-utils/`, `migration_helpers/`
                || dir.starts_with("migration-")
                || dir.starts_with("migration_")
        })
}

/// Whether a name spliced into SQL was checked first: an early exit on a failed check
/// (`if not re.fullmatch(..., col): raise`, `if (!ALLOWED.includes(sort)) throw ...`,
/// `assert col in COLUMNS`) or a branch taken only when it passed
/// (`if sort in ("name", "date"): ... text(sort)`).
fn validated_before(value: Node<'_>, sink: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let value = semantic.unwrap_expression(value);
    if !matches!(
        value.kind(),
        "identifier" | "attribute" | "member_expression" | "shorthand_property_identifier"
    ) {
        return false;
    }
    let name = semantic.text(value);
    let Some(function) = semantic.enclosing_function(sink) else {
        return false;
    };
    let lookups = registry_lookups(function, name, sink, semantic);
    let mut validated = false;
    walk_preorder(function, |node| {
        if validated || node.start_byte() >= sink.start_byte() {
            return;
        }
        let (condition, body) = match node.kind() {
            "if_statement" | "elif_clause" => (
                node.child_by_field_name("condition"),
                node.child_by_field_name("consequence"),
            ),
            "assert_statement" => (node.named_child(0), None),
            _ => return,
        };
        let Some(condition) = condition else {
            return;
        };
        let condition_text = semantic.text(condition);
        // `assert shard_id < num_shards`: Python raises on comparing a string with a
        // number, so a passed ordering assert leaves a number.
        if node.kind() == "assert_statement" && compares_in_order(condition, name, semantic) {
            validated = true;
            return;
        }
        let checks_lookup = lookups
            .iter()
            .any(|lookup| checks_presence(condition_text, lookup));
        if !checks_name(condition_text, name) && !checks_lookup {
            return;
        }
        // The query runs in the branch, or the value is spliced there
        // (`if (ALLOWED.includes(sort)) sql += ` ORDER BY ${sort}``).
        let inside = body.is_some_and(|b| {
            let holds =
                |n: Node<'_>| b.start_byte() <= n.start_byte() && n.end_byte() <= b.end_byte();
            holds(sink) || holds(value)
        });
        let negated = {
            let trimmed = condition_text.trim_start_matches('(').trim_start();
            trimmed.starts_with('!')
                || trimmed.starts_with("not ")
                || condition_text.contains(" not in ")
                || (condition_text.contains("typeof") && condition_text.contains("!="))
        };
        let exits = body.is_some_and(|b| {
            let text = semantic.text(b);
            ["raise", "throw", "return", "abort(", "continue"]
                .iter()
                .any(|word| text.contains(word))
                || resets_to_constant(b, name, semantic)
        });
        validated = match node.kind() {
            "assert_statement" => !negated,
            // A branch entered only when the check passed.
            _ if inside => !negated,
            // An early exit when it failed.
            _ => negated && exits,
        };
    });
    validated
}

/// Locals holding an entry of a mapping the code keeps, looked up by `name` before
/// `sink`: `const type = getState().types[pk_type]`.
fn registry_lookups<'t>(
    function: Node<'t>,
    name: &str,
    sink: Node<'_>,
    semantic: &Semantic<'t>,
) -> Vec<&'t str> {
    let mut lookups = Vec::new();
    walk_preorder(function, |node| {
        if node.start_byte() >= sink.start_byte() || node.kind() != "variable_declarator" {
            return;
        }
        let (Some(local), Some(value)) = (
            node.child_by_field_name("name"),
            node.child_by_field_name("value"),
        ) else {
            return;
        };
        let value = semantic.unwrap_expression(value);
        let keyed_by_name = value.kind() == "subscript_expression"
            && value
                .child_by_field_name("index")
                .is_some_and(|index| semantic.text(index) == name)
            && value
                .child_by_field_name("object")
                .is_some_and(|registry| !semantic.text(registry).contains("req"));
        if keyed_by_name && local.kind() == "identifier" {
            lookups.push(semantic.text(local));
        }
    });
    lookups
}

/// Whether a condition tests that `local` holds nothing: `!type`.
fn checks_presence(condition: &str, local: &str) -> bool {
    condition
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim()
        == format!("!{local}")
}

/// Whether a condition orders `name` against a number (`shard_id < 10`, `0 <= offset`)
/// or against a name the function asserts is ordered against a number
/// (`assert num_shards > 1` then `assert shard_id < num_shards`). Strings compare with
/// strings in Python, so the other side must be numeric.
fn compares_in_order(condition: Node<'_>, name: &str, semantic: &Semantic<'_>) -> bool {
    let Some(other) = ordered_against(condition, name, semantic) else {
        return false;
    };
    if matches!(other.kind(), "integer" | "float") {
        return true;
    }
    if other.kind() != "identifier" {
        return false;
    }
    let other_name = semantic.text(other);
    let Some(function) = semantic.enclosing_function(condition) else {
        return false;
    };
    let mut numeric = false;
    walk_preorder(function, |node| {
        if numeric || node.kind() != "assert_statement" {
            return;
        }
        numeric = node.named_child(0).is_some_and(|c| {
            ordered_against(c, other_name, semantic)
                .is_some_and(|o| matches!(o.kind(), "integer" | "float"))
        });
    });
    numeric
}

/// In a two-operand ordering comparison (`<`, `<=`, `>`, `>=`) with `name` on one side,
/// the other side.
fn ordered_against<'t>(
    condition: Node<'t>,
    name: &str,
    semantic: &Semantic<'t>,
) -> Option<Node<'t>> {
    let condition = semantic.unwrap_expression(condition);
    if condition.kind() != "comparison_operator" {
        return None;
    }
    let mut cursor = condition.walk();
    let children: Vec<Node<'t>> = condition.children(&mut cursor).collect();
    let [left, operator, right] = children.as_slice() else {
        return None;
    };
    if !matches!(semantic.text(*operator), "<" | "<=" | ">" | ">=") {
        return None;
    }
    if semantic.text(*left) == name {
        Some(*right)
    } else if semantic.text(*right) == name {
        Some(*left)
    } else {
        None
    }
}

/// Whether a block sets `name` back to a constant: the failed check's fallback
/// (`if order not in ("asc", "desc"): order = "asc"`).
fn resets_to_constant(block: Node<'_>, name: &str, semantic: &Semantic<'_>) -> bool {
    let mut resets = false;
    walk_preorder(block, |node| {
        if resets || !matches!(node.kind(), "assignment" | "assignment_expression") {
            return;
        }
        let left = node.child_by_field_name("left");
        let right = node.child_by_field_name("right");
        if let (Some(left), Some(right)) = (left, right) {
            resets = semantic.text(left) == name && semantic.is_constant_value(right);
        }
    });
    resets
}

/// Whether a condition checks `name` against a pattern or an allowlist: `name in ...`,
/// `name not in ...`, `name.isidentifier()`, or `name` among the arguments of a call
/// such as `re.fullmatch(...)`, `RE.test(...)`, `ALLOWED.includes(...)`, `is_valid(...)`.
fn checks_name(condition: &str, name: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    condition.match_indices(name).any(|(at, _)| {
        let before_text = &condition[..at];
        let after_text = &condition[at + name.len()..];
        if is_word(before_text.chars().next_back()) || before_text.ends_with('.') {
            return false;
        }
        if is_word(after_text.chars().next()) {
            return false;
        }
        let after = after_text.trim_start();
        if after.starts_with("in ") || after.starts_with("not in ") {
            return true;
        }
        // `typeof x === "number"` / `typeof x !== "number"`
        if before_text.trim_end().ends_with("typeof") {
            let compared = after.trim_start_matches(['=', '!', ' ']);
            return compared.starts_with("'number'")
                || compared.starts_with("\"number\"")
                || compared.starts_with("'boolean'");
        }
        if [
            ".isidentifier(",
            ".isalnum(",
            ".isdigit(",
            ".isnumeric(",
            ".isdecimal(",
        ]
        .iter()
        .any(|m| after_text.starts_with(m))
        {
            return true;
        }
        // The call whose argument list `name` is in.
        let Some(open) = before_text.rfind('(') else {
            return false;
        };
        if before_text[open..].contains(')') {
            return false;
        }
        let callee = before_text[..open]
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .next()
            .unwrap_or("");
        let method = callee.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        let numeric_check = matches!(method.as_str(), "isinteger" | "isfinite" | "issafeinteger")
            || (method == "isinstance"
                && (condition.contains("int") || condition.contains("float")));
        numeric_check
            || matches!(
                method.as_str(),
                "test" | "match" | "fullmatch" | "includes" | "has" | "indexof" | "contains"
            )
            || method.contains("valid")
            || method.contains("allowed")
    })
}

/// The expression a chain of members and subscripts starts from: `req` in
/// `req.query.sort`, `request` in `request.args["sort"]`, `options` in `options.db.name`.
fn member_root<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> Node<'t> {
    let mut root = semantic.unwrap_expression(expr);
    for _ in 0..8 {
        let next = match root.kind() {
            "attribute" | "member_expression" => root.child_by_field_name("object"),
            "subscript" | "subscript_expression" => root
                .child_by_field_name("value")
                .or_else(|| root.child_by_field_name("object")),
            _ => None,
        };
        match next {
            Some(next) => root = semantic.unwrap_expression(next),
            None => break,
        }
    }
    root
}

/// The request value an expression is, as a whole: `req.query.sort`,
/// `request.args["sort"]`, `request.GET.get("sort")`, a request handler's parameter,
/// through `String(x)` / `str(x)` / `x.toString()` and plain locals.
fn direct_request_value<'t>(
    expr: Node<'t>,
    semantic: &Semantic<'t>,
    depth: usize,
) -> Option<Node<'t>> {
    if depth > 4 {
        return None;
    }
    let expr = semantic.unwrap_expression(expr);
    match expr.kind() {
        "identifier" => {
            let name = semantic.text(expr);
            if matches!(name, "req" | "request") {
                return None;
            }
            match semantic.lookup(name, expr.start_byte()).map(|b| b.value) {
                Some(BindingValue::Value(value)) => {
                    direct_request_value(value, semantic, depth + 1)
                }
                Some(BindingValue::Unknown) => parameter_of(expr, semantic)
                    .filter(|(function, _)| semantic.is_request_handler(*function))
                    .map(|_| expr),
                _ => None,
            }
        }
        "member_expression" | "attribute" | "subscript" | "subscript_expression" => {
            let name = semantic.text(member_root(expr, semantic));
            let request = matches!(name, "req" | "request")
                || (name == "ctx" && semantic.text(expr).starts_with("ctx.request"));
            request.then_some(expr)
        }
        "call" | "call_expression" => {
            let function = expr.child_by_field_name("function")?;
            let arguments = call_arguments(expr);
            match last_name(function, semantic) {
                "String" | "str" => direct_request_value(*arguments.first()?, semantic, depth + 1),
                "toString" | "strip" | "trim" | "lower" | "upper" => direct_request_value(
                    function.child_by_field_name("object")?,
                    semantic,
                    depth + 1,
                ),
                // `request.GET.get("sort")`, `request.args.get("sort", "id")`
                "get" | "getlist" => {
                    let object = function.child_by_field_name("object")?;
                    direct_request_value(object, semantic, depth + 1).map(|_| expr)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a value visibly comes from the request: it names `request`/`req` (or Koa's
/// `ctx.query`/`ctx.params`), or is a parameter of the request handler it is used in,
/// directly or through the locals it was built from (a few assignments deep).
fn from_request(value: Node<'_>, semantic: &Semantic<'_>, depth: usize) -> bool {
    // A work list with a budget, not recursion: a name reassigned thousands of times
    // (`q = q + x` in generated code) would otherwise make the search exponential.
    let mut pending = vec![(value, depth)];
    let mut seen = std::collections::HashSet::new();
    let mut nodes_left = 5_000usize;
    while let Some((expr, level)) = pending.pop() {
        if !seen.insert(expr.id()) {
            continue;
        }
        let mut found = false;
        let mut locals = Vec::new();
        // The end of a subtree whose request data a schema has validated.
        let mut validated_until = 0usize;
        // The test of a conditional (`"AND user_id = :uid" if user_id else ""`): it picks a
        // branch, and its value never reaches the text.
        let mut tested: Vec<std::ops::Range<usize>> = Vec::new();
        walk_preorder(expr, |node| {
            if found
                || nodes_left == 0
                || node.start_byte() < validated_until
                || tested.iter().any(|test| test.contains(&node.start_byte()))
            {
                return;
            }
            nodes_left -= 1;
            if let Some(test) = conditional_test(node) {
                tested.push(test.byte_range());
            }
            // Rows the database returned are stored data, whatever picked them; what a
            // function of another module returns is out of sight.
            let stored = matches!(node.kind(), "call" | "call_expression")
                && returns_stored_or_unseen(node, semantic);
            let looked_up =
                node.kind() == "call" && maps_through_lookup(node, &Safety::new(semantic), 0);
            if stored
                || looked_up
                || validated_input(node, semantic)
                || key_of_fetched_record(node, semantic)
                || signed_in_user_id(node, semantic)
            {
                validated_until = node.end_byte();
                return;
            }
            match node.kind() {
                "identifier" | "property_identifier" => {
                    let name = semantic.text(node);
                    // `request.user.id` was passed over above (`signed_in_user_id`).
                    if matches!(name, "request" | "req") {
                        found = carries_request_input(node, semantic);
                    } else if node.kind() == "identifier" && locals.len() < 8 {
                        let is_handler_parameter = parameter_of(node, semantic)
                            .is_some_and(|(function, _)| semantic.is_request_handler(function));
                        if is_handler_parameter {
                            found = true;
                        } else {
                            locals.push(node);
                        }
                    }
                }
                "member_expression" => {
                    let object = node.child_by_field_name("object").map(|o| semantic.text(o));
                    let property = node
                        .child_by_field_name("property")
                        .map(|p| semantic.text(p));
                    if object == Some("ctx")
                        && matches!(property, Some("query" | "params" | "request"))
                    {
                        found = true;
                    }
                }
                _ => {}
            }
        });
        if found {
            return true;
        }
        if nodes_left == 0 {
            return false;
        }
        if level >= 3 {
            continue;
        }
        for local in locals {
            let name = semantic.text(local);
            for binding in semantic.bindings_in_scope_of(name, local.start_byte()) {
                if let Some(assigned) = assigned_expression(binding.value) {
                    pending.push((assigned, level + 1));
                }
                // `const { sortBy } = req.query`: a member of what it was taken from.
                if let BindingValue::Member(object, _) = binding.value {
                    pending.push((object, level + 1));
                }
            }
            // `def get_user(user_id)` called as `get_user(request.args["id"])` in this
            // file: what the calls it shows pass.
            let passed = parameter_of(local, semantic)
                .and_then(|(function, parameter)| calls_in_file(function, parameter, semantic));
            if let Some(calls) = passed {
                pending.extend(
                    calls
                        .arguments
                        .into_iter()
                        .filter(|argument| !checked_at_call(*argument, semantic))
                        .map(|a| (a, level + 1)),
                );
            }
        }
    }
    false
}

/// The test of a conditional expression: Python's `a if test else b` (the second named
/// child) or a JS `test ? a : b`.
fn conditional_test(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "conditional_expression" => node.named_child(1),
        "ternary_expression" => node.child_by_field_name("condition"),
        _ => None,
    }
}

/// An argument the caller checked against an allowlist or a pattern before the call
/// (`if table not in ALLOWED: raise` then `_columns(conn, table)`): the helper receives
/// only what passed.
fn checked_at_call(argument: Node<'_>, semantic: &Semantic<'_>) -> bool {
    validated_before(argument, argument, semantic)
}

/// Calls that return the signed-in user as the identity provider knows it: Supabase's
/// `auth.getUser()`/`auth.get_user()`/`auth.getSession()`, NextAuth's
/// `getServerSession()`, Clerk's `currentUser()`, Firebase's `verifyIdToken()`.
const IDENTITY_CALLS: &[&str] = &[
    "getUser",
    "get_user",
    "getSession",
    "get_session",
    "getServerSession",
    "currentUser",
    "verifyIdToken",
    "verify_id_token",
];

/// `user.id` after `const { data: { user } } = await supabase.auth.getUser()`,
/// `session.user.id` after `getServerSession()`, Django's `request.user.id`: the key the
/// server or its identity provider assigned to the signed-in user, looked up from a
/// session or a verified token, not something the client wrote. The user's other fields
/// (name, email, metadata) are still input.
fn signed_in_user_id(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if !matches!(
        member_name(node, semantic),
        Some("id" | "uid" | "sub" | "pk")
    ) {
        return false;
    }
    let Some(mut object) = node.child_by_field_name("object") else {
        return false;
    };
    // `request.user.id`, or `cur_user.id` after `cur_user = request.user`: the signed-in
    // user's primary key, which the server looked up.
    let is_request_user = |expr: Node<'_>| {
        let expr = semantic.unwrap_expression(expr);
        member_name(expr, semantic) == Some("user")
            && expr.child_by_field_name("object").is_some_and(|request| {
                matches!(
                    semantic.text(semantic.unwrap_expression(request)),
                    "request" | "req" | "self.request"
                )
            })
    };
    if is_request_user(object) {
        return true;
    }
    if object.kind() == "identifier" {
        let bindings = semantic.bindings_in_scope_of(semantic.text(object), object.start_byte());
        let aliases_request_user = !bindings.is_empty()
            && bindings
                .iter()
                .all(|b| matches!(b.value, BindingValue::Value(v) if is_request_user(v)));
        if aliases_request_user {
            return true;
        }
    }
    // `session.user.id`, `res.data.user.id`: through the wrappers the call returns.
    for _ in 0..3 {
        if !matches!(
            member_name(object, semantic),
            Some("user" | "data" | "session")
        ) {
            break;
        }
        match object.child_by_field_name("object") {
            Some(inner) => object = inner,
            None => return false,
        }
    }
    let object = semantic.unwrap_expression(object);
    if object.kind() != "identifier" {
        return false;
    }
    let bindings = semantic.bindings_in_scope_of(semantic.text(object), object.start_byte());
    !bindings.is_empty()
        && bindings.iter().all(|binding| {
            let bound = match binding.value {
                BindingValue::Value(value) | BindingValue::Member(value, _) => Some(value),
                // `const { data: { user } } = await supabase.auth.getUser()`
                BindingValue::Unknown => declarator_at(binding.position, semantic)
                    .and_then(|declarator| declarator.child_by_field_name("value")),
                _ => None,
            };
            bound.is_some_and(|value| {
                let mut value = semantic.unwrap_expression(value);
                if matches!(value.kind(), "await_expression" | "await") {
                    match value.named_child(0) {
                        Some(awaited) => value = semantic.unwrap_expression(awaited),
                        None => return false,
                    }
                }
                matches!(value.kind(), "call" | "call_expression")
                    && value
                        .child_by_field_name("function")
                        .is_some_and(|f| IDENTITY_CALLS.contains(&last_name(f, semantic)))
            })
        })
}

/// `record` in `record.id` (or `.pk`, `._id`, `.uuid`): a named record's key.
fn record_of_key<'t>(node: Node<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    matches!(
        member_name(node, semantic),
        Some("id" | "pk" | "_id" | "uuid")
    )
    .then(|| node.child_by_field_name("object"))
    .flatten()
    .filter(|object| object.kind() == "identifier")
}

/// `user.id` after `user = User.objects.get(email=email)`: the key of a row the database
/// returned, a number it assigned, even when the request picked the row.
fn key_of_fetched_record(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(record) = record_of_key(node, semantic) else {
        return false;
    };
    let bindings = semantic.bindings_in_scope_of(semantic.text(record), record.start_byte());
    !bindings.is_empty()
        && bindings.iter().all(|binding| {
            let BindingValue::Value(value) = binding.value else {
                return false;
            };
            let value = semantic.unwrap_expression(value);
            matches!(value.kind(), "call" | "call_expression")
                && matches!(
                    value
                        .child_by_field_name("function")
                        .map(|f| last_name(f, semantic)),
                    Some(
                        "get"
                            | "get_object_or_404"
                            | "first"
                            | "one"
                            | "one_or_none"
                            | "scalar_one"
                            | "findOne"
                            | "findByPk"
                            | "findById"
                            | "findUnique"
                            | "findFirst"
                            | "findOneBy"
                    )
                )
        })
}

/// `record.id` where the parameter is typed as a model class the project imports from
/// its models (`record: GrouparooRecord`, `user: User` from `../models/User`): the key
/// the database assigned to a stored row.
fn key_of_typed_record(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(record) = record_of_key(node, semantic) else {
        return false;
    };
    let Some((_, parameter)) = parameter_of(record, semantic) else {
        return false;
    };
    let Some(annotation) = parameter.child_by_field_name("type") else {
        return false;
    };
    let type_name = semantic
        .text(annotation)
        .trim_start_matches(':')
        .trim()
        .trim_end_matches('?');
    if !type_name.starts_with(|c: char| c.is_ascii_uppercase())
        || !type_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return false;
    }
    semantic
        .lookup(type_name, annotation.start_byte())
        .is_some_and(|binding| match binding.value {
            BindingValue::Import(module, _) => {
                let module = module.to_ascii_lowercase();
                (module.starts_with('.') || module.starts_with('@'))
                    && (module.contains("model") || module.contains("entit"))
            }
            _ => false,
        })
}

/// Request data something validated, whose result the rule trusts where a name or a
/// fragment goes (`ORDER BY ${q.sortDir}`): a schema's `listQuerySchema.parse(request.query)`
/// / `QuerySchema.validate(req.query)`, or the project's own validator named for what it
/// checks (`validate_engine(req.engine)`, `sanitizeSortField(sort)`). Either lives
/// elsewhere and is what pins the value to a few choices.
fn validated_input(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if !matches!(node.kind(), "call" | "call_expression") {
        return false;
    }
    let Some(function) = node.child_by_field_name("function") else {
        return false;
    };
    let words = name_words(last_name(function, semantic));
    if words.len() >= 2
        && matches!(
            words[0].as_str(),
            "validate" | "validated" | "sanitize" | "sanitise" | "sanitized" | "sanitised"
        )
    {
        return true;
    }
    matches!(function.kind(), "attribute" | "member_expression")
        && matches!(
            member_name(function, semantic),
            Some(
                "parse"
                    | "parseAsync"
                    | "safeParse"
                    | "validate"
                    | "validateSync"
                    | "validateAsync"
            )
        )
        && function
            .child_by_field_name("object")
            .is_some_and(|schema| {
                name_words(last_name(schema, semantic))
                    .last()
                    .is_some_and(|w| w == "schema" || w == "validator")
            })
}

/// The expression a binding gives its name: the value assigned, or the right side of
/// `name += ...`. A function or class bound to the name (`new Field({...v})` names
/// `Field`) is code, not a value: its body says nothing about where `v` came from.
fn assigned_expression(value: BindingValue<'_>) -> Option<Node<'_>> {
    match value {
        BindingValue::Value(bound) if !Semantic::is_function(bound) && !is_class(bound) => {
            Some(bound)
        }
        BindingValue::Augmented(assignment) => assignment.child_by_field_name("right"),
        _ => None,
    }
}

/// Members of an Express or Fastify request that carry what the client sent (`req.body`,
/// `req.query`, `request.headers`), or what it stored through earlier requests
/// (`req.user`, `req.session`).
const REQUEST_INPUT_MEMBERS: &[&str] = &[
    "body",
    "query",
    "params",
    "param",
    "headers",
    "header",
    "get",
    "cookies",
    "signedCookies",
    "files",
    "file",
    "url",
    "originalUrl",
    "path",
    "hostname",
    "host",
    "ip",
    "ips",
    "subdomains",
    "rawBody",
    "raw",
    "payload",
    "form",
    "fields",
    "data",
    "input",
    "user",
    "session",
    "auth",
];

/// pytest's `request` fixture (`request.getfixturevalue("db_rows")`, `request.param`): a
/// parameter of a test (`test_*`) or of a `@pytest.fixture`, or a `request` whose
/// fixture methods show. What it hands out is test data.
fn is_pytest_request(name: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if name.kind() != "identifier" || semantic.text(name) != "request" {
        return false;
    }
    let fixture_member = name
        .parent()
        .filter(|parent| parent.kind() == "attribute")
        .and_then(|attribute| attribute.child_by_field_name("attribute"))
        .is_some_and(|member| {
            matches!(
                semantic.text(member),
                "getfixturevalue" | "param" | "fixturename" | "node" | "config" | "addfinalizer"
            )
        });
    if fixture_member {
        return true;
    }
    parameter_of(name, semantic).is_some_and(|(function, _)| {
        let named_test = function
            .child_by_field_name("name")
            .is_some_and(|n| semantic.text(n).starts_with("test"));
        let fixture = decorators(function)
            .into_iter()
            .any(|decorator| semantic.text(decorator).contains("fixture"));
        named_test || fixture
    })
}

/// Whether a `req`/`request` name stands for what the client sent. The request object
/// whole (`build(req)`) does, and so does every field of a protocol message (gRPC's
/// `request.username`). Express and Fastify hand a handler `(req, res)`: there a member
/// the server attached (`req.app`, `req.constructive.useModule("agentChat")`) holds the
/// server's own state, not input.
fn carries_request_input(name: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if is_pytest_request(name, semantic) {
        return false;
    }
    // Starlette's `request.state` and `request.app` hold what the server's middleware
    // and startup attached (`request.state.org_id` from the API key), not what was sent.
    if let Some(attribute) = name.parent().filter(|p| p.kind() == "attribute") {
        let on_request = attribute
            .child_by_field_name("object")
            .is_some_and(|object| object.id() == name.id());
        let member = attribute
            .child_by_field_name("attribute")
            .map(|a| semantic.text(a));
        if !(on_request && matches!(member, Some("state" | "app"))) {
            return true;
        }
        // A gRPC servicer's `(self, request, context)` gets a message whose fields,
        // whatever their names, are input.
        return parameter_of(name, semantic)
            .is_some_and(|(function, _)| parameter_names(function, semantic).contains(&"context"));
    }
    let Some(parent) = name.parent().filter(|p| p.kind() == "member_expression") else {
        return true;
    };
    if parent
        .child_by_field_name("object")
        .is_none_or(|object| object.id() != name.id())
    {
        return true;
    }
    let takes_response = parameter_of(name, semantic).is_some_and(|(function, _)| {
        function
            .child_by_field_name("parameters")
            .and_then(|parameters| named_children(parameters).into_iter().nth(1))
            .is_some_and(|second| {
                matches!(
                    semantic.text(second).split(':').next().unwrap_or("").trim(),
                    "res" | "response" | "reply"
                )
            })
    });
    !takes_response
        || parent
            .child_by_field_name("property")
            .is_none_or(|property| REQUEST_INPUT_MEMBERS.contains(&semantic.text(property)))
}

/// Whether a value could carry input: it reads a parameter, a loop or unpacking target,
/// or the request, directly or through locals and the assignments of `self.x`. A value
/// built only from imports, other modules' results and attributes the file never assigns
/// cannot be resolved here, and the rule stays silent about it.
fn reaches_input(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let mut pending = vec![(value, 0usize)];
    let mut seen = std::collections::HashSet::new();
    let mut nodes_left = 5_000usize;
    while let Some((expr, level)) = pending.pop() {
        if !seen.insert(expr.id()) || level > 6 {
            continue;
        }
        let mut stack = vec![expr];
        while let Some(node) = stack.pop() {
            if nodes_left == 0 {
                // Out of budget: assume the worst, as the rest of the rule does.
                return true;
            }
            nodes_left -= 1;
            match node.kind() {
                "identifier" | "shorthand_property_identifier" => {
                    let name = semantic.text(node);
                    if matches!(name, "request" | "req") {
                        if carries_request_input(node, semantic) {
                            return true;
                        }
                        continue;
                    }
                    if matches!(name, "self" | "cls" | "this") {
                        continue;
                    }
                    let bindings = semantic.bindings_in_scope_of(name, node.start_byte());
                    for binding in bindings {
                        // Bound inside the value itself: a comprehension's loop variable or a
                        // callback's parameter, whose values come from what the value iterates.
                        if (expr.start_byte()..expr.end_byte()).contains(&binding.position) {
                            continue;
                        }
                        match binding.value {
                            // `let timeFormat;`: nothing yet, the later assignments count.
                            BindingValue::Unknown if declared_without_value(binding, semantic) => {}
                            // A loop or unpacking target carries what it iterates or
                            // unpacks; a parameter is input.
                            BindingValue::Unknown => {
                                if let Some(source) = unpacked_source(binding.position, semantic) {
                                    pending.push((source, level + 1));
                                    continue;
                                }
                                // A private helper's parameter carries what its callers
                                // in this file pass.
                                let passed = parameter_of(node, semantic).and_then(
                                    |(function, parameter)| {
                                        private_helper_arguments(function, parameter, semantic)
                                    },
                                );
                                match passed {
                                    Some(arguments) => pending.extend(
                                        arguments
                                            .into_iter()
                                            .filter(|a| !checked_at_call(*a, semantic))
                                            .map(|a| (a, level + 1)),
                                    ),
                                    None => return true,
                                }
                            }
                            BindingValue::Member(object, _) => pending.push((object, level + 1)),
                            value => {
                                if let Some(assigned) = assigned_expression(value) {
                                    pending.push((assigned, level + 1));
                                }
                            }
                        }
                    }
                    // `lst = []` then `lst.append(cell)`: what the list is given.
                    let a_list = bindings.iter().any(|binding| {
                        matches!(binding.value, BindingValue::Value(bound)
                            if matches!(bound.kind(), "list" | "array" | "set" | "tuple"))
                    });
                    if a_list {
                        for addition in additions(node, name, semantic) {
                            let (Addition::Item(added) | Addition::Items(added)) = addition;
                            pending.push((added, level + 1));
                        }
                    }
                }
                "attribute" | "member_expression" => {
                    let Some(object) = node.child_by_field_name("object") else {
                        continue;
                    };
                    // Keys the database assigned: the signed-in user's, a typed model's,
                    // a row the function fetched (`(await repo.findOne(...)).id`).
                    if signed_in_user_id(node, semantic)
                        || key_of_typed_record(node, semantic)
                        || key_of_fetched_record(node, semantic)
                    {
                        continue;
                    }
                    if matches!(semantic.text(object), "self" | "cls" | "this") {
                        // `self.x`: what the class assigns to it, or what its getter
                        // returns; nothing when the file shows neither.
                        for assigned in semantic.attribute_values(node).unwrap_or_default() {
                            match assigned {
                                BindingValue::Value(bound) => pending.push((*bound, level + 1)),
                                BindingValue::Unknown => return true,
                                _ => {}
                            }
                        }
                        if let Some(getter) = property_getter(node, semantic) {
                            if let Some(body) = getter.child_by_field_name("body") {
                                for returned in own_returns(getter, body, semantic) {
                                    pending.push((returned, level + 1));
                                }
                            }
                        }
                    } else {
                        stack.push(object);
                    }
                }
                "keyword_argument" | "pair" => {
                    if let Some(value) = node.child_by_field_name("value") {
                        stack.push(value);
                    }
                }
                // Rows the database returned: stored data, not input (second-order values
                // are not followed, as in CodeQL's and semgrep's default sources).
                "call" | "call_expression" if returns_stored_or_unseen(node, semantic) => {}
                _ => stack.extend(named_children(node).into_iter().rev()),
            }
        }
    }
    false
}

/// A call whose result the input walks stop at: rows the database stored
/// ([`reads_database_rows`]) or what a function of another module returns
/// ([`opaque_project_call`]).
fn returns_stored_or_unseen(call: Node<'_>, semantic: &Semantic<'_>) -> bool {
    reads_database_rows(call, semantic) || opaque_project_call(call, semantic)
}

/// A call of a function in another module of the project (`format_default_clause(req.default)`
/// from `lagun.db.utils`): this file does not show what it does with its arguments, so
/// what it returns is not followed back to them. One handed the request whole
/// (`load_json_body(req)`) reads the request, and its result is input.
fn opaque_project_call(call: Node<'_>, semantic: &Semantic<'_>) -> bool {
    semantic.calls_project_function(call)
        && !call
            .child_by_field_name("arguments")
            .is_some_and(|arguments| {
                named_children(arguments).into_iter().any(|argument| {
                    argument.kind() == "identifier"
                        && matches!(semantic.text(argument), "request" | "req")
                })
            })
}

/// `cur.fetchall()`, `res.fetchone()`, asyncpg's `conn.fetch(...)`, SQLAlchemy's
/// `result.scalars()`: a call that hands back rows the database stored.
fn reads_database_rows(call: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(callee) = call.child_by_field_name("function") else {
        return false;
    };
    let method = member_name(callee, semantic);
    // `get_role_ids(cursor, roles)` imported from another module: a helper handed the
    // cursor or connection looks up what it returns, even when the request named what to
    // look up. A helper of this file is followed instead (it may build a name and return
    // it).
    // Asked last: it looks the callee up, and this runs on every call of a walk.
    let handed_cursor = || {
        let imported = member_root(callee, semantic);
        call_arguments(call).first().is_some_and(|first| {
            matches!(
                semantic.text(*first),
                "cursor" | "cur" | "curs" | "conn" | "connection" | "txn" | "trx" | "tx"
            )
        }) && imported.kind() == "identifier"
            && is_module_binding(imported, semantic)
    };
    // Django's `Product.objects.raw(sql)`: the rows of a raw query.
    let django_raw = call.kind() == "call"
        && method == Some("raw")
        && callee
            .child_by_field_name("object")
            .is_some_and(|manager| member_name(manager, semantic) == Some("objects"));
    // node-postgres, mysql2, jsforce: `(await pool.query(sql)).rows` are stored rows.
    let js_query_result = call.kind() == "call_expression" && method == Some("query");
    django_raw
        || js_query_result
        || (call.kind() == "call" && orm_read(callee, method, semantic))
        // asyncpg's `conn.fetch(sql)`; a JS `.fetch()` is more often HTTP.
        || (call.kind() == "call" && method == Some("fetch"))
        || matches!(
            method,
            Some(
                "fetchone"
                    | "fetchall"
                    | "fetchmany"
                    | "fetchrow"
                    | "fetchval"
                    | "scalar"
                    | "scalars"
                    | "scalar_one"
                    | "scalar_one_or_none"
            )
        )
        || handed_cursor()
}

/// An ORM read that hands back stored rows: SQLAlchemy's `session.query(Status)...first()`,
/// Flask-SQLAlchemy's `Status.query.filter(...).one()`, Django's
/// `Status.objects.filter(...).first()` or `.get(...)`.
fn orm_read(callee: Node<'_>, method: Option<&str>, semantic: &Semantic<'_>) -> bool {
    if !matches!(
        method,
        Some("first" | "one" | "one_or_none" | "all" | "get" | "last")
    ) {
        return false;
    }
    let mut members = Vec::new();
    let mut current = callee.child_by_field_name("object");
    while let Some(node) = current {
        current = match node.kind() {
            "attribute" => {
                members.extend(member_name(node, semantic));
                node.child_by_field_name("object")
            }
            "call" => node.child_by_field_name("function"),
            "identifier" => {
                // `request.query.get("name")` (aiohttp) is the query string, not a table.
                if matches!(semantic.text(node), "request" | "req") {
                    return false;
                }
                break;
            }
            _ => return false,
        };
    }
    members.iter().any(|m| matches!(*m, "query" | "objects"))
}

/// What the callers of a module-private helper (Python `def _count(type_=None)`, a JS
/// function the module does not export) pass for `parameter`, found at every call in the
/// file, with the Python default where a call leaves it out. `None` when the function is
/// public, when its name is used other than by a call (handed on as a callback, imported
/// elsewhere as `module._count`), when no call is in the file, or when a call spreads its
/// arguments (`*args`, `**kwargs`, `...rest`).
fn private_helper_arguments<'t>(
    function: Node<'t>,
    parameter: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<Vec<Node<'t>>> {
    if function.kind() == "function_definition" {
        let name = semantic.text(function.child_by_field_name("name")?);
        if !name.starts_with('_') || name.starts_with("__") {
            return None;
        }
    }
    let calls = calls_in_file(function, parameter, semantic)?;
    (calls.complete && calls.count > 0).then_some(calls.arguments)
}

/// The name a JS function is declared under, when the module keeps it to itself:
/// `function merge(...)` or `const merge = (...) => ...`, not exported.
fn js_private_function_name<'t>(function: Node<'t>) -> Option<Node<'t>> {
    let (name, statement) = match function.kind() {
        "function_declaration" | "generator_function_declaration" => {
            (function.child_by_field_name("name")?, function)
        }
        "arrow_function" | "function_expression" | "function" => {
            let declarator = function
                .parent()
                .filter(|p| p.kind() == "variable_declarator")?;
            (
                declarator.child_by_field_name("name")?,
                declarator.parent()?,
            )
        }
        _ => return None,
    };
    let exported = statement
        .parent()
        .is_some_and(|p| p.kind() == "export_statement");
    (name.kind() == "identifier" && !exported).then_some(name)
}

/// What the calls of a module-private JS function in this file pass for `parameter`.
/// Incomplete when the name is used other than by a call (`module.exports = { merge }`,
/// handed on as a callback) or a call spreads its arguments.
fn js_calls_in_file<'t>(
    function: Node<'t>,
    parameter: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<CallsInFile<'t>> {
    let name_node = js_private_function_name(function)?;
    let name = semantic.text(name_node);
    let declared: Vec<Node<'t>> = named_children(function.child_by_field_name("parameters")?)
        .into_iter()
        .filter(|p| p.kind() != "comment")
        .collect();
    let position = declared.iter().position(|p| p.id() == parameter.id())?;
    let mut calls = CallsInFile {
        arguments: Vec::new(),
        count: 0,
        complete: true,
    };
    walk_preorder(semantic.root(), |node| {
        if !matches!(node.kind(), "identifier" | "shorthand_property_identifier")
            || node.id() == name_node.id()
            || semantic.text(node) != name
        {
            return;
        }
        let list = node
            .parent()
            .filter(|call| call.kind() == "call_expression")
            .filter(|call| call.child_by_field_name("function") == Some(node))
            .and_then(|call| call.child_by_field_name("arguments"));
        let Some(list) = list else {
            calls.complete = false;
            return;
        };
        let given: Vec<Node<'t>> = named_children(list)
            .into_iter()
            .filter(|a| a.kind() != "comment")
            .collect();
        if given.iter().any(|a| a.kind() == "spread_element") {
            calls.complete = false;
            return;
        }
        calls.count += 1;
        if let Some(argument) = given.get(position) {
            calls.arguments.push(*argument);
        }
    });
    Some(calls)
}

/// The calls of a Python function that this file shows.
struct CallsInFile<'t> {
    /// What each call passes for the parameter asked about, or its default.
    arguments: Vec<Node<'t>>,
    count: usize,
    /// Every use of the function's name is a call whose arguments could be matched.
    complete: bool,
}

/// What the calls of `function` in this file (`_count(...)`, `self._count(...)` for a
/// method) pass for `parameter`. JS functions go to `js_calls_in_file`.
fn calls_in_file<'t>(
    function: Node<'t>,
    parameter: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<CallsInFile<'t>> {
    if function.kind() != "function_definition" {
        return js_calls_in_file(function, parameter, semantic);
    }
    let name_node = function.child_by_field_name("name")?;
    let name = semantic.text(name_node);
    let declared = named_children(function.child_by_field_name("parameters")?);
    let index = declared.iter().position(|p| p.id() == parameter.id())?;
    let parameter_name = parameter
        .child_by_field_name("name")
        .or_else(|| (parameter.kind() == "typed_parameter").then(|| parameter.named_child(0))?)
        .map_or(semantic.text(parameter), |n| semantic.text(n));
    let default = parameter.child_by_field_name("value");
    // Positions count only up to the first `*`, `*args` or `**kwargs`.
    let positional = !declared[..index].iter().any(|p| {
        matches!(
            p.kind(),
            "list_splat_pattern" | "dictionary_splat_pattern" | "keyword_separator"
        )
    });
    // A method is called on `self`/`cls`, which fills the first parameter.
    let method = function
        .parent()
        .and_then(|p| p.parent())
        .is_some_and(|p| p.kind() == "class_definition");
    let position = index.checked_sub(usize::from(method));
    let mut calls = CallsInFile {
        arguments: Vec::new(),
        count: 0,
        complete: true,
    };
    walk_preorder(semantic.root(), |node| {
        if node.kind() != "identifier" || node.id() == name_node.id() {
            return;
        }
        if semantic.text(node) != name {
            return;
        }
        // `_count(...)` for a function, `self._count(...)` for a method.
        let callee = match node.parent() {
            Some(attribute) if method && attribute.kind() == "attribute" => attribute
                .child_by_field_name("object")
                .filter(|o| matches!(semantic.text(*o), "self" | "cls"))
                .map(|_| attribute),
            Some(_) if !method => Some(node),
            _ => None,
        };
        let call = callee.and_then(|callee| {
            callee
                .parent()
                .filter(|call| call.kind() == "call")
                .filter(|call| call.child_by_field_name("function") == Some(callee))
        });
        let Some(list) = call.and_then(|call| call.child_by_field_name("arguments")) else {
            calls.complete = false;
            return;
        };
        let given = named_children(list);
        if given.iter().any(|a| {
            matches!(
                a.kind(),
                "list_splat" | "dictionary_splat" | "generator_expression"
            )
        }) {
            calls.complete = false;
            return;
        }
        calls.count += 1;
        let by_keyword = given.iter().find_map(|a| {
            (a.kind() == "keyword_argument"
                && a.child_by_field_name("name")
                    .is_some_and(|n| semantic.text(n) == parameter_name))
            .then(|| a.child_by_field_name("value"))
            .flatten()
        });
        let by_position = || {
            let position = position.filter(|_| positional)?;
            given
                .iter()
                .filter(|a| a.kind() != "keyword_argument")
                .nth(position)
                .copied()
        };
        if let Some(argument) = by_keyword.or_else(by_position).or(default) {
            calls.arguments.push(argument);
        }
    });
    Some(calls)
}

/// For a name bound at `position` by a `for` loop, a comprehension or an unpacking
/// assignment, the expression it takes its values from: `rows` in `for row in rows`,
/// `pair` in `key, value = pair`. `None` for parameters and anything else.
fn unpacked_source<'t>(position: usize, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    let root = semantic.root();
    // A loop binds at the start of its target.
    let mut node = root.descendant_for_byte_range(position, position);
    for _ in 0..8 {
        let Some(parent) = node.and_then(|n| n.parent()) else {
            break;
        };
        match parent.kind() {
            "for_statement" | "for_in_clause" | "for_in_statement" => {
                let left = parent.child_by_field_name("left")?;
                if (left.start_byte()..left.end_byte()).contains(&position) {
                    return parent.child_by_field_name("right");
                }
                break;
            }
            "parameters" | "formal_parameters" | "lambda_parameters" => return None,
            _ => node = Some(parent),
        }
    }
    // An assignment binds where it ends: `a, b = pair`, `const [a, b] = pair`.
    let node = node_ending_at(position, &["assignment", "variable_declarator"], semantic)?;
    node.child_by_field_name("right")
        .or_else(|| node.child_by_field_name("value"))
}

fn is_class(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "class_definition" | "class_declaration" | "class" | "abstract_class_declaration"
    )
}

/// Where a spliced value stands in the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Where a literal value goes: a parameter belongs there.
    Value,
    /// A name, a fragment, or a place the rule cannot tell.
    Other,
}

fn slot_of(value: Node<'_>, semantic: &Semantic<'_>) -> Slot {
    // `WHERE table_name = '{table}'`, `PRAGMA index_list('{table_name}')`: a schema
    // object's name, even where a literal goes.
    if names_schema_object(value, semantic) {
        return Slot::Other;
    }
    let Placement { before, after, .. } = placement(value, semantic);
    // `WHERE table_name = '${this.name}'`: the catalog column says it is a name.
    if compared_with_catalog_name(&before) {
        return Slot::Other;
    }
    let slot = classify_slot(&before, &after);
    // `IN (${subQuerySql})`, `<= ${dbNowLiteral()}`: unquoted, and named for SQL, it is a
    // piece of the statement being composed, not a value.
    // Right after an opening quote, LIKE wildcards aside (`'{term}'`, `'%{term}%'`).
    let quoted = opens_quote(before.trim_end_matches(['%', '_']));
    if slot == Slot::Value && !quoted && names_sql_fragment(value, semantic) {
        return Slot::Other;
    }
    // `IN (%s)` of `"'%s'" % h for h in diff_hashes`: hex digests, UUIDs and rowids cannot
    // hold a quote, so like names they count only when they visibly come from the request.
    if slot == Slot::Value && names_fixed_format(value, semantic) {
        return Slot::Other;
    }
    // `INTERVAL '${hoursAgo} hours'`: a value named as a number of time units is a number,
    // unless its declared type says otherwise (`days: string`).
    if slot == Slot::Value && names_time_quantity(value, semantic) {
        return Slot::Other;
    }
    if slot == Slot::Value && !quoted && names_numeric_key(value, semantic) {
        return Slot::Other;
    }
    // `LIMIT ${limit}`: where SQL takes only a row count, a value named as one.
    if slot == Slot::Value && !quoted && names_row_count(value, &before, semantic) {
        return Slot::Other;
    }
    slot
}

/// A name for a key or a list of keys (`workspace_id`, `pk`, a process's `pid`,
/// `product_ids`), unless declared as a string. Only a name: where the items of a list
/// are visible (`pkIds.join(",")` of `rows.map((r) => r[this.pk_name])`), they are
/// judged instead.
fn names_numeric_key(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let mut value = semantic.unwrap_expression(value);
    // `str(user_id)`, `String(userId)`: the same key as text.
    if matches!(value.kind(), "call" | "call_expression") {
        let converts = value
            .child_by_field_name("function")
            .is_some_and(|f| matches!(semantic.text(f), "str" | "String"));
        match call_arguments(value).as_slice() {
            [only] if converts => value = semantic.unwrap_expression(*only),
            _ => return false,
        }
    }
    if !matches!(
        value.kind(),
        "identifier" | "attribute" | "member_expression"
    ) {
        return false;
    }
    value_name_words(value, semantic)
        .last()
        .is_some_and(|word| matches!(word.as_str(), "id" | "ids" | "pk" | "pks" | "pid" | "pids"))
        && !declared_as_string(value, semantic)
}

/// Last words of a name for a number of rows: `limit`, `pageSize`, `max_count`.
const ROW_COUNT_WORDS: &[&str] = &["limit", "offset", "count", "size", "skip", "take", "top"];

fn names_row_count(value: Node<'_>, before: &str, semantic: &Semantic<'_>) -> bool {
    let value = semantic.unwrap_expression(value);
    let words = value_name_words(value, semantic);
    let count = match words.as_slice() {
        // `top_k`, `secondary_top_k`: search code's name for how many rows to keep.
        [.., top, k] if top == "top" && k == "k" => true,
        [.., last] => ROW_COUNT_WORDS.contains(&last.as_str()),
        [] => false,
    };
    matches!(last_word(before).as_str(), "LIMIT" | "OFFSET" | "TOP")
        && count
        && !declared_as_string(value, semantic)
}

/// Plural time units: the last word of a name for a duration (`retention_days`,
/// `timeoutMs`), or the one before `ago`/`back`/`old` (`hoursAgo`, `days_back`).
const TIME_UNIT_WORDS: &[&str] = &[
    "ms",
    "millis",
    "milliseconds",
    "secs",
    "seconds",
    "mins",
    "minutes",
    "hrs",
    "hours",
    "days",
    "weeks",
    "months",
    "years",
];

fn names_time_quantity(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let value = semantic.unwrap_expression(value);
    let words = value_name_words(value, semantic);
    let unit = match words.as_slice() {
        [.., unit, last] if matches!(last.as_str(), "ago" | "back" | "old") => unit,
        [.., unit] => unit,
        [] => return false,
    };
    if !TIME_UNIT_WORDS.contains(&unit.as_str()) {
        return false;
    }
    !declared_as_string(value, semantic)
}

/// A parameter annotated as a string (`days: string`, `limit: str | None`).
fn declared_as_string(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    value.kind() == "identifier"
        && parameter_of(value, semantic)
            .and_then(|(_, parameter)| parameter.child_by_field_name("type"))
            .is_some_and(|annotation| {
                semantic
                    .text(annotation)
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|token| matches!(token, "str" | "string" | "String"))
            })
}

/// Last words of a name that say it holds a hex digest, a UUID, SQLite's integer
/// `rowid`, a PostgreSQL `oid`, or a date.
const FIXED_FORMAT_WORDS: &[&str] = &[
    "rowid",
    "rowids",
    // PostgreSQL's object identifiers: `pg_class.oid`, `attrelid`.
    "oid",
    "oids",
    "relid",
    "attrelid",
    "hash",
    "hashes",
    "digest",
    "digests",
    "checksum",
    "checksums",
    "sha",
    "sha1",
    "sha256",
    "md5",
    "uuid",
    "uuids",
    "guid",
    "guids",
    // Dates and timestamps the code computed: ISO text or numbers.
    "date",
    "dates",
    "datetime",
    "timestamp",
    "timestamps",
];

fn names_fixed_format(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let value = semantic.unwrap_expression(value);
    let named = match joined_items(value, semantic) {
        Some(items) => {
            let items = semantic.unwrap_expression(items);
            // `"'%s'" % h for h in diff_hashes`: named by what it iterates.
            match named_children(items)
                .into_iter()
                .find(|c| c.kind() == "for_in_clause")
            {
                Some(clause) => match clause.child_by_field_name("right") {
                    Some(iterated) => iterated,
                    None => return false,
                },
                None => items,
            }
        }
        None => value,
    };
    value_name_words(semantic.unwrap_expression(named), semantic)
        .last()
        .is_some_and(|word| FIXED_FORMAT_WORDS.contains(&word.as_str()))
}

/// Columns of the database catalogs (`information_schema`, `pg_catalog`, SQLite's
/// `sqlite_master`) that hold the name of a table, schema, column or other object.
const CATALOG_NAME_COLUMNS: &[&str] = &[
    "table_name",
    "table_schema",
    "column_name",
    "constraint_name",
    "sequence_name",
    "index_name",
    "schema_name",
    "schemaname",
    "tablename",
    "indexname",
    "relname",
    "nspname",
    "attname",
    "tbl_name",
    "viewname",
    "matviewname",
    "sequencename",
    "indexrelname",
    "routine_name",
    "trigger_name",
    // PostgreSQL's roles, databases, constraints, functions, types, extensions,
    // tablespaces, triggers, policies, replication slots, publications, subscriptions
    // and foreign servers.
    "usename",
    "rolname",
    "datname",
    "conname",
    "proname",
    "typname",
    "extname",
    "spcname",
    "tgname",
    "polname",
    "slot_name",
    "pubname",
    "subname",
    "srvname",
];

/// Whether the SQL right before a value compares a catalog name column with it:
/// `table_name = '`, `"column_name" = '`, `c.relname = `.
fn compared_with_catalog_name(before: &str) -> bool {
    let text = before.trim_end_matches(['\'', '"']).trim_end();
    let Some(text) = text.strip_suffix('=') else {
        return false;
    };
    let column = text
        .trim_end()
        .trim_end_matches(['"', '`'])
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    CATALOG_NAME_COLUMNS.contains(&column.as_str())
}

/// Last words of a name that say it holds SQL text: `subQuery`, `where_clause`,
/// `dbNowLiteral()`, `claimableSql()`.
const SQL_FRAGMENT_WORDS: &[&str] = &[
    "sql",
    "query",
    "subquery",
    "clause",
    "expression",
    "expr",
    "literal",
    "fragment",
    // `{db.timestamp_placeholder("now")}`, `VALUES ({", ".join(placeholders)})`: the
    // driver's parameter markers, which the values are bound to.
    "placeholder",
    "placeholders",
    // `< {db.timestamp_now}`: unquoted, a clock value is SQL (`now()`) or a number.
    "now",
    // `VALUES (:id, {embedding_template})`: unquoted, a template is SQL text.
    "template",
];

fn names_sql_fragment(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let value = semantic.unwrap_expression(value);
    // `", ".join(placeholders)` / `placeholders.join(", ")`: named by the list it joins.
    if let Some(items) = joined_items(value, semantic) {
        return names_sql_fragment(items, semantic);
    }
    let named = match value.kind() {
        "call" | "call_expression" => match value.child_by_field_name("function") {
            // Compiled TypeScript calls imports as `(0, module_1.name)(...)`.
            Some(function) => {
                let function = semantic.unwrap_expression(function);
                if function.kind() == "sequence_expression" {
                    match named_children(function).last() {
                        Some(last) => *last,
                        None => return false,
                    }
                } else {
                    function
                }
            }
            None => return false,
        },
        // `const now = dbNowLiteral()`: a local holding what a SQL helper returned.
        "identifier" => match semantic
            .lookup(semantic.text(value), value.start_byte())
            .map(|b| b.value)
        {
            Some(BindingValue::Value(bound))
                if matches!(
                    semantic.unwrap_expression(bound).kind(),
                    "call" | "call_expression"
                ) && names_sql_fragment(bound, semantic) =>
            {
                return true;
            }
            _ => value,
        },
        _ => value,
    };
    // `dbNowLiteral` → literal, `where_clause` → clause; `inline_template_func(...)` is
    // named by what the function makes.
    let words = value_name_words(named, semantic);
    let words = match words.as_slice() {
        [rest @ .., last] if !rest.is_empty() && matches!(last.as_str(), "func" | "fn") => rest,
        all => all,
    };
    words
        .last()
        .is_some_and(|word| SQL_FRAGMENT_WORDS.contains(&word.as_str()))
}

/// The list a `join` call joins: `sep.join(items)` in Python, `items.join(sep)` in JS.
fn joined_items<'t>(call: Node<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    let function = call.child_by_field_name("function")?;
    if !matches!(function.kind(), "attribute" | "member_expression")
        || last_name(function, semantic) != "join"
    {
        return None;
    }
    if call.kind() == "call" {
        call_arguments(call).first().copied()
    } else {
        function.child_by_field_name("object")
    }
}

/// Words in a value's name that say it holds a table, schema or column name.
const SCHEMA_OBJECT_WORDS: &[&str] = &[
    "table",
    "tablename",
    "tables",
    "schema",
    "column",
    "columns",
    "col",
    "cols",
    "sequence",
    "seq",
    "database",
    "db",
    "relation",
];

fn names_schema_object(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    value_name_words(semantic.unwrap_expression(value), semantic)
        .iter()
        .any(|w| SCHEMA_OBJECT_WORDS.contains(&w.as_str()))
}

/// The words of a name or attribute's last name: `table_name`, `tableName`,
/// `self.fromTable` → …, table; nothing for other expressions.
fn value_name_words(value: Node<'_>, semantic: &Semantic<'_>) -> Vec<String> {
    match value.kind() {
        "identifier" | "attribute" | "member_expression" => name_words(last_name(value, semantic)),
        // `collectionSchema()`: named by what it returns.
        "call" | "call_expression" => name_words(last_name(value, semantic)),
        // `tableInfo.schema || "public"`: named by the value it falls back from.
        "binary_expression" | "boolean_operator" => {
            let operator = value
                .child_by_field_name("operator")
                .map_or("", |o| semantic.text(o));
            match (operator, value.child_by_field_name("left")) {
                ("||" | "??" | "or", Some(left)) => {
                    value_name_words(semantic.unwrap_expression(left), semantic)
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// Where a spliced value sits: the SQL text right before and right after it, as far as
/// it is written next to it (interpolation, `+`, `%` and `.format()` placeholders), and
/// whether its placeholder formats only numbers (`%d`, `{:d}`, `{x:.2f}`).
#[derive(Default)]
struct Placement {
    before: String,
    after: String,
    numeric: bool,
}

fn placement(value: Node<'_>, semantic: &Semantic<'_>) -> Placement {
    let mut path = path_from_root(semantic.root(), value);
    // `"... %d" % (invoice.id)`: parentheses around the value change nothing.
    while path.len() >= 2 && path[path.len() - 2].kind() == "parenthesized_expression" {
        path.pop();
    }
    let value = match path.last() {
        Some(outer) => *outer,
        None => return Placement::default(),
    };
    let len = path.len();
    if len < 2 {
        return Placement::default();
    }
    let parent = path[len - 2];
    let grandparent = len.checked_sub(3).map(|i| path[i]);
    match parent.kind() {
        "interpolation" | "template_substitution" => {
            let text_of = |sibling: Option<Node<'_>>| {
                sibling
                    .filter(|s| {
                        matches!(
                            s.kind(),
                            "string_content" | "string_fragment" | "escape_sequence"
                        )
                    })
                    .map(|s| semantic.text(s).to_string())
                    .unwrap_or_default()
            };
            // `f"{x:d}"`, `f"{x:.2f}"`: a numeric format specifier.
            let numeric = named_children(parent)
                .iter()
                .find(|c| c.kind() == "format_specifier")
                .is_some_and(|spec| is_numeric_spec(semantic.text(*spec)));
            Placement {
                before: text_of(parent.prev_sibling()),
                after: text_of(parent.next_sibling()),
                numeric,
            }
        }
        "binary_operator" | "binary_expression" => {
            let operator = parent
                .child_by_field_name("operator")
                .map_or("", |o| semantic.text(o));
            let left = parent.child_by_field_name("left");
            let right = parent.child_by_field_name("right");
            match operator {
                "+" => {
                    let is_right = right.is_some_and(|r| r.id() == value.id());
                    if is_right {
                        let before = left
                            .map(|l| edge_literal(l, semantic, true, 0))
                            .unwrap_or_default();
                        // `(... + value) + "after"`
                        let after = grandparent
                            .filter(|g| {
                                matches!(g.kind(), "binary_operator" | "binary_expression")
                                    && g.child_by_field_name("left")
                                        .is_some_and(|l| l.id() == parent.id())
                            })
                            .and_then(|g| g.child_by_field_name("right"))
                            .map(|r| edge_literal(r, semantic, false, 0))
                            .unwrap_or_default();
                        Placement {
                            before,
                            after,
                            numeric: false,
                        }
                    } else {
                        let after = right
                            .map(|r| edge_literal(r, semantic, false, 0))
                            .unwrap_or_default();
                        Placement {
                            after,
                            ..Placement::default()
                        }
                    }
                }
                "%" => match left {
                    Some(format) => percent_neighbours(format, 0, None, semantic),
                    None => Placement::default(),
                },
                _ => Placement::default(),
            }
        }
        "tuple" | "dictionary" | "pair" => {
            // `"..." % (a, b)` / `"..." % {"k": v}`
            let (container, key) = if parent.kind() == "pair" {
                let key = parent
                    .child_by_field_name("key")
                    .map(|k| literal_content(k, semantic));
                (grandparent, key)
            } else {
                (Some(parent), None)
            };
            let Some(container) = container else {
                return Placement::default();
            };
            let operator_node = path.iter().rev().find(|n| {
                n.kind() == "binary_operator" && n.start_byte() <= container.start_byte()
            });
            let Some(format) = operator_node
                .filter(|op| {
                    op.child_by_field_name("right")
                        .is_some_and(|r| r.id() == container.id())
                })
                .and_then(|op| op.child_by_field_name("left"))
            else {
                return Placement::default();
            };
            let index = named_children(container)
                .iter()
                .position(|item| item.id() == value.id())
                .unwrap_or(0);
            percent_neighbours(format, index, key.as_deref(), semantic)
        }
        "argument_list" | "keyword_argument" => {
            // `"...{}...{name}".format(a, name=b)`
            let (arguments, key) = if parent.kind() == "keyword_argument" {
                let key = parent
                    .child_by_field_name("name")
                    .map(|n| semantic.text(n).to_string());
                (grandparent, key)
            } else {
                (Some(parent), None)
            };
            let Some(arguments) = arguments else {
                return Placement::default();
            };
            let call = path.iter().rev().find(|n| {
                n.kind() == "call"
                    && n.child_by_field_name("arguments")
                        .is_some_and(|a| a.id() == arguments.id())
            });
            let Some(object) = call
                .and_then(|c| c.child_by_field_name("function"))
                .filter(|f| f.kind() == "attribute")
                .filter(|f| {
                    f.child_by_field_name("attribute")
                        .is_some_and(|a| semantic.text(a) == "format")
                })
                .and_then(|f| f.child_by_field_name("object"))
            else {
                return Placement::default();
            };
            let index = named_children(arguments)
                .iter()
                .filter(|a| a.kind() != "keyword_argument")
                .position(|a| a.id() == value.id())
                .unwrap_or(0);
            brace_neighbours(object, index, key.as_deref(), semantic)
        }
        _ => Placement::default(),
    }
}

/// The literal text at the end (or start) of a string operand: `"... WHERE id = "`.
fn edge_literal(node: Node<'_>, semantic: &Semantic<'_>, end: bool, depth: usize) -> String {
    if depth > 4 {
        return String::new();
    }
    let node = semantic.unwrap_expression(node);
    match node.kind() {
        "string" | "template_string" => {
            // Python strings also hold `string_start` / `string_end` nodes.
            let children: Vec<Node<'_>> = named_children(node)
                .into_iter()
                .filter(|c| !matches!(c.kind(), "string_start" | "string_end"))
                .collect();
            let piece = if end {
                children.last()
            } else {
                children.first()
            };
            piece
                .filter(|p| {
                    matches!(
                        p.kind(),
                        "string_content" | "string_fragment" | "escape_sequence"
                    )
                })
                .map(|p| semantic.text(*p).to_string())
                .unwrap_or_default()
        }
        "concatenated_string" => {
            let parts = named_children(node);
            let part = if end { parts.last() } else { parts.first() };
            part.map(|p| edge_literal(*p, semantic, end, depth + 1))
                .unwrap_or_default()
        }
        "binary_operator" | "binary_expression" => {
            let side = if end { "right" } else { "left" };
            node.child_by_field_name(side)
                .map(|n| edge_literal(n, semantic, end, depth + 1))
                .unwrap_or_default()
        }
        "identifier" => {
            let resolved = resolve_local(node, semantic);
            if resolved.id() == node.id() {
                String::new()
            } else {
                edge_literal(resolved, semantic, end, depth + 1)
            }
        }
        _ => String::new(),
    }
}

/// The literal text of a plain string (its content pieces), through one local.
fn literal_content(node: Node<'_>, semantic: &Semantic<'_>) -> String {
    let node = resolve_local(node, semantic);
    match node.kind() {
        // `/'/g`
        "regex" => node
            .child_by_field_name("pattern")
            .map(|p| semantic.text(p).to_string())
            .unwrap_or_default(),
        "string" => named_children(node)
            .iter()
            .filter(|c| {
                matches!(
                    c.kind(),
                    "string_content" | "string_fragment" | "escape_sequence"
                )
            })
            .map(|c| semantic.text(*c))
            .collect(),
        "concatenated_string" => named_children(node)
            .iter()
            .map(|part| literal_content(*part, semantic))
            .collect(),
        _ => String::new(),
    }
}

/// Text around the `index`-th `%s` (or `%(key)s`) of a `%` format string.
fn percent_neighbours(
    format: Node<'_>,
    index: usize,
    key: Option<&str>,
    semantic: &Semantic<'_>,
) -> Placement {
    let text = literal_content(format, semantic);
    let bytes = text.as_bytes();
    let mut seen = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'%' {
            at += 1;
            continue;
        }
        if bytes.get(at + 1) == Some(&b'%') {
            at += 2;
            continue;
        }
        // The placeholder runs to its conversion letter.
        let mut end = at + 1;
        let mut name = None;
        if bytes.get(end) == Some(&b'(') {
            let close = text[end..].find(')').map(|c| end + c);
            if let Some(close) = close {
                name = text.get(end + 1..close);
                end = close + 1;
            }
        }
        while end < bytes.len() && !bytes[end].is_ascii_alphabetic() {
            end += 1;
        }
        end = (end + 1).min(bytes.len());
        let matches = match (key, name) {
            (Some(key), Some(name)) => key == name,
            (None, None) => seen == index,
            _ => false,
        };
        if matches {
            // `%d`, `%5.2f`, `%x`: Python formats only a number there, or raises.
            let conversion = bytes.get(end - 1).copied().unwrap_or(b's');
            return Placement {
                before: text.get(..at).unwrap_or("").to_string(),
                after: text.get(end..).unwrap_or("").to_string(),
                numeric: b"diufFeEgGxXo".contains(&conversion),
            };
        }
        if name.is_none() {
            seen += 1;
        }
        at = end;
    }
    Placement::default()
}

/// Text around the `index`-th `{}` (or `{key}` / `{index}`) of a `.format()` string.
fn brace_neighbours(
    format: Node<'_>,
    index: usize,
    key: Option<&str>,
    semantic: &Semantic<'_>,
) -> Placement {
    let text = literal_content(format, semantic);
    let mut auto = 0;
    let mut at = 0;
    while let Some(open) = text
        .get(at..)
        .and_then(|rest| rest.find('{'))
        .map(|o| at + o)
    {
        if text.get(open + 1..open + 2) == Some("{") {
            at = open + 2;
            continue;
        }
        let Some(close) = text
            .get(open..)
            .and_then(|rest| rest.find('}'))
            .map(|c| open + c)
        else {
            break;
        };
        let whole = text.get(open + 1..close).unwrap_or("");
        let field = whole.split([':', '!']).next().unwrap_or("");
        let spec = whole.split_once(':').map_or("", |(_, spec)| spec);
        let matches = match key {
            Some(key) => field == key,
            None if field.is_empty() => {
                auto += 1;
                auto - 1 == index
            }
            None => field.parse::<usize>().is_ok_and(|n| n == index),
        };
        if matches {
            return Placement {
                before: text.get(..open).unwrap_or("").to_string(),
                after: text.get(close + 1..).unwrap_or("").to_string(),
                numeric: is_numeric_spec(spec),
            };
        }
        at = close + 1;
    }
    Placement::default()
}

/// A format specification whose presentation type formats only numbers: `d`, `.2f`,
/// `05x`, `,` grouping (`:,`), `%`.
fn is_numeric_spec(spec: &str) -> bool {
    let spec = spec.trim_start_matches(':').trim();
    spec.chars()
        .last()
        .is_some_and(|c| "bcdoxXneEfFgG%".contains(c) || (c == ',' && spec.len() == 1))
}

/// Whether the text around a value makes it a literal value: inside single quotes, after
/// a comparison, in an `IN (...)`/`VALUES (...)` list, after `LIKE`/`LIMIT`/`OFFSET`/...
/// Whether text ends with a quote that opens a literal: `name = '`, not the closing
/// quote of `kind = 'sell'` written in the same piece of text.
fn opens_quote(before: &str) -> bool {
    let Some(body) = before.strip_suffix(['\'', '"']) else {
        return false;
    };
    let quote = &before[body.len()..];
    let closes_word = body
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    !(closes_word && body.contains(quote))
}

fn classify_slot(before: &str, after: &str) -> Slot {
    if (before.ends_with('\'') && opens_quote(before)) || before.ends_with("'%") {
        return Slot::Value;
    }
    let trimmed = before.trim_end();
    if trimmed.ends_with(['"', '`', '[', '.']) || after.starts_with('.') {
        return Slot::Other;
    }
    let Some(last) = trimmed.chars().last() else {
        return Slot::Other;
    };
    // A comparison or arithmetic operand: `= {x}`, `qty + {n}`.
    // `SELECT * {rest}`, `t.* {rest}`: a star that selects columns, not a product.
    let star_column = last == '*' && {
        let before_star = trimmed[..trimmed.len() - 1].trim_end();
        before_star.ends_with(['.', ',', '(']) || last_word(before_star) == "SELECT"
    };
    if matches!(last, '=' | '<' | '>' | '+' | '-' | '*' | '/')
        && !trimmed.ends_with("--")
        && !star_column
    {
        return Slot::Value;
    }
    if matches!(last, '(' | ',') {
        // Inside `IN (` / `VALUES (` lists (possibly after earlier items).
        let open = trimmed.rfind('(');
        let closed_after = open.is_some_and(|o| trimmed[o..].contains(')'));
        if let (Some(open), false) = (open, closed_after) {
            let word = last_word(&trimmed[..open]);
            return if matches!(word.as_str(), "IN" | "VALUES" | "ANY") {
                Slot::Value
            } else {
                Slot::Other
            };
        }
        return Slot::Other;
    }
    let word = last_word(trimmed);
    if matches!(
        word.as_str(),
        "LIKE" | "ILIKE" | "LIMIT" | "OFFSET" | "THEN" | "ELSE" | "BETWEEN" | "INTERVAL" | "TOP"
    ) {
        return Slot::Value;
    }
    // `BETWEEN {a} AND {b}`
    if word == "AND"
        && words(trimmed)
            .iter()
            .rev()
            .nth(2)
            .is_some_and(|w| w == "BETWEEN")
    {
        return Slot::Value;
    }
    Slot::Other
}

fn last_word(text: &str) -> String {
    text.trim_end()
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and 2 more values ``.
fn describe_values(named: Node<'_>, risky: &[Node<'_>], semantic: &Semantic<'_>) -> String {
    let mut names = vec![format!("`{}`", display(named, semantic))];
    for value in risky {
        if value.id() == named.id() {
            continue;
        }
        let shown = format!("`{}`", display(*value, semantic));
        if !names.contains(&shown) {
            names.push(shown);
        }
    }
    match names.len() {
        1 => names.remove(0),
        2 => format!("{} and {}", names[0], names[1]),
        n => format!("{}, {} and {} more values", names[0], names[1], n - 2),
    }
}

/// A value's source text on one line, shortened.
fn display(node: Node<'_>, semantic: &Semantic<'_>) -> String {
    let text = semantic
        .text(node)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.chars().count() <= 40 {
        text
    } else {
        let head: String = text.chars().take(37).collect();
        format!("{head}…")
    }
}

/// How a value got into the text, from where it sits.
fn how_built(value: Node<'_>, semantic: &Semantic<'_>) -> &'static str {
    let path = path_from_root(semantic.root(), value);
    let mut ancestors = path.iter().rev().skip(1);
    for _ in 0..3 {
        let Some(&parent) = ancestors.next() else {
            break;
        };
        match parent.kind() {
            "interpolation" => return "an f-string",
            "template_substitution" => return "a template literal",
            "augmented_assignment" | "augmented_assignment_expression" => return "`+=`",
            "binary_operator" | "binary_expression" => {
                let operator = parent
                    .child_by_field_name("operator")
                    .map(|o| semantic.text(o));
                return match operator {
                    Some("%") => "`%` formatting",
                    _ => "concatenation",
                };
            }
            "argument_list" | "arguments" => {
                let method = call_method(parent, semantic);
                return match method {
                    Some("format") => "`.format()`",
                    Some("concat") => "`.concat()`",
                    _ => "string building",
                };
            }
            "tuple" | "dictionary" | "pair" | "keyword_argument" | "parenthesized_expression" => {}
            _ => break,
        }
    }
    "string building"
}

/// The method called with `arguments`: `format` for `"...".format(x)`.
fn call_method<'t>(arguments: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    let call = arguments.parent()?;
    let function = call.child_by_field_name("function")?;
    function
        .child_by_field_name("attribute")
        .or_else(|| function.child_by_field_name("property"))
        .map(|m| semantic.text(m))
}

/// Whether the value stands where a table or column name goes (`FROM {t}`,
/// `ORDER BY {c}`): those cannot be bound as parameters, the help says so.
fn in_identifier_position(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let source = semantic.source();
    let start = value.start_byte();
    let from = start.saturating_sub(120);
    let Some(before) = source.get(from..start).or_else(|| {
        // Not a char boundary: look at less.
        (from..start).find_map(|at| source.get(at..start))
    }) else {
        return false;
    };
    let before = before.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '{' | '$' | '+' | '"' | '\'' | '`' | '(')
    });
    let after = source.get(value.end_byte()..).unwrap_or("");
    let after = after.trim_start_matches(['}', '"', '\'', '`', ' ', '+']);
    if before.ends_with('.') || after.starts_with('.') {
        return true;
    }
    let last_word = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    matches!(
        last_word.as_str(),
        "FROM"
            | "JOIN"
            | "INTO"
            | "UPDATE"
            | "TABLE"
            | "BY"
            | "EXISTS"
            | "INDEX"
            | "VIEW"
            | "SCHEMA"
            | "DATABASE"
    )
}

// ------------------------------------------------------------------ does it read as SQL

/// Statement keywords that open a SQL statement.
const STATEMENTS: &[&str] = &[
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE", "DROP", "ALTER", "MERGE", "TRUNCATE",
    "REPLACE", "UPSERT", "GRANT", "REVOKE", "EXPLAIN", "SHOW", "DESCRIBE", "PRAGMA", "VACUUM",
    "ANALYZE", "CALL", "EXEC", "COPY", "DECLARE", "LOCK", "COMMENT", "REFRESH", "OPTIMIZE",
    "RENAME", "REINDEX", "CLUSTER", "ATTACH", "DETACH", "UNLOAD",
];

/// Words that only SQL puts together with a statement keyword.
const SCHEMA_OBJECTS: &[&str] = &[
    "TABLE",
    "INDEX",
    "VIEW",
    "SCHEMA",
    "DATABASE",
    "SEQUENCE",
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "ROLE",
    "USER",
    "EXTENSION",
    "TYPE",
    "MATERIALIZED",
    "TEMPORARY",
    "TEMP",
    "UNIQUE",
    "COLUMN",
    "CONSTRAINT",
    "PARTITION",
];

/// Words a fragment of SQL is made of.
const SQL_WORDS: &[&str] = &[
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "JOIN",
    "ON",
    "ORDER",
    "GROUP",
    "BY",
    "LIMIT",
    "OFFSET",
    "HAVING",
    "VALUES",
    "INTO",
    "SET",
    "LIKE",
    "ILIKE",
    "IN",
    "IS",
    "NULL",
    "BETWEEN",
    "UNION",
    "DISTINCT",
    "AS",
    "CASE",
    "WHEN",
    "RETURNING",
    "TABLE",
    "ASC",
    "DESC",
    "COUNT",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}

/// Any SQL word at all: enough when the receiver is a database object.
fn has_sql_words(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| STATEMENTS.contains(&w.as_str()) || SQL_WORDS.contains(&w.as_str()))
}

/// A SQL statement: a keyword with its companion (`SELECT ... FROM`, `INSERT INTO`,
/// `UPDATE ... SET`, `DELETE FROM`, `CREATE TABLE`, ...), or text that opens with an
/// upper-case statement keyword.
fn reads_as_statement(text: &str) -> bool {
    let leading = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let first: String = leading
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if first.len() > 1
        && first.chars().all(|c| c.is_ascii_uppercase())
        && STATEMENTS.contains(&first.as_str())
    {
        return true;
    }
    let words = words(text);
    let after = |index: usize, wanted: &[&str]| {
        words[index + 1..]
            .iter()
            .any(|w| wanted.contains(&w.as_str()))
    };
    words
        .iter()
        .enumerate()
        .any(|(index, word)| match word.as_str() {
            "SELECT" => after(index, &["FROM"]),
            "INSERT" | "MERGE" | "UPSERT" => after(index, &["INTO"]),
            "UPDATE" => after(index, &["SET"]),
            "DELETE" => after(index, &["FROM"]),
            "CREATE" | "DROP" | "ALTER" | "TRUNCATE" | "COMMENT" | "REFRESH" => {
                words.get(index + 1).is_some_and(|next| {
                    SCHEMA_OBJECTS.contains(&next.as_str()) || matches!(next.as_str(), "IF" | "OR")
                })
            }
            "WITH" => after(index, &["AS"]) && after(index, &["SELECT"]),
            "GRANT" | "REVOKE" => after(index, &["ON"]),
            _ => false,
        })
}

// ------------------------------------------------------------- values that cannot inject

/// Functions whose result is a number.
const NUMERIC_FUNCTIONS: &[&str] = &[
    "int",
    "float",
    "len",
    "round",
    "abs",
    "bool",
    "Number",
    "parseInt",
    "parseFloat",
    "BigInt",
    "Boolean",
    "min",
    "max",
    "sum",
    "ord",
    "floor",
    "ceil",
    "trunc",
];

/// Methods whose result is a number or a fixed-format string.
const FIXED_FORMAT_METHODS: &[&str] = &[
    "toFixed",
    "toPrecision",
    "getTime",
    "toISOString",
    "isoformat",
    "count",
    "hex",
    "toNumber",
    "timestamp",
    "index",
    "indexOf",
    "bit_length",
    // Werkzeug's and Django's filename and slug makers keep only `[A-Za-z0-9_.-]`.
    "secure_filename",
    "slugify",
    // Hex digits only.
    "hexdigest",
    // Dates and times parsed or built from a number (`datetime.strptime(s, "%Y-%m-%d")`
    // raises on anything else): their text is digits, dashes and colons.
    "strptime",
    "fromisoformat",
    "fromtimestamp",
    "utcfromtimestamp",
];

/// Attributes holding a driver's parameter marker (`%s` or `?`), spliced where a bound
/// parameter goes: `"... WHERE id = %s" % self.db.arg`.
const PLACEHOLDER_ATTRIBUTES: &[&str] = &[
    "arg",
    "placeholder",
    "param_placeholder",
    "paramstyle",
    "param_marker",
    "bind_marker",
];

/// Database-backend helpers that return SQL for the dialect in use (`db.cast('col',
/// 'int64')`, `db.like()`): safe when every argument is a literal.
const DIALECT_HELPERS: &[&str] = &[
    "cast",
    "like",
    "like_escape",
    "concat",
    "prefix_match",
    "quote",
];

/// Receivers of those helpers: a database or connection object.
const DIALECT_RECEIVERS: &[&str] = &["db", "conn", "connection", "dialect", "ops", "database"];

/// Attributes that name a model's table (framework metadata, not input).
const MODEL_METADATA: &[&str] = &["db_table", "__tablename__", "_meta", "length"];

/// Numbers the database hands back about a statement it ran: the new row's id and the
/// count of rows it touched (DB-API, mysql, sqlite3 and better-sqlite3 names).
const DATABASE_ASSIGNED: &[&str] = &[
    "lastrowid",
    "rowcount",
    "insertId",
    "affectedRows",
    "lastID",
    "lastInsertRowid",
    "changes",
];

/// The safe-value analysis of one query, with a step budget: names bound many times
/// over (`q = q + x` in a loop) would otherwise make the search exponential.
struct Safety<'a, 't> {
    semantic: &'a Semantic<'t>,
    budget: std::cell::Cell<usize>,
    /// Names whose bindings are being checked: `x = f"rowid, {x}"` refers to itself, and
    /// a cycle adds nothing the other bindings do not already decide.
    visiting: std::cell::RefCell<Vec<(usize, String)>>,
}

impl<'a, 't> Safety<'a, 't> {
    fn new(semantic: &'a Semantic<'t>) -> Self {
        Safety {
            semantic,
            budget: std::cell::Cell::new(2_000),
            visiting: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Takes one step; `false` once the budget is spent (the value is then unsafe).
    fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }
}

/// Whether a value spliced into SQL text cannot carry an injection. `numeric` lists
/// names known to hold numbers (the index parameter of a `.map` callback).
fn is_safe(value: Node<'_>, cx: &Safety<'_, '_>, numeric: &[&str], depth: usize) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    if depth > 8 {
        return false;
    }
    let value = semantic.unwrap_expression(value);
    if semantic.is_constant_value(value) {
        return true;
    }
    let next = depth + 1;
    match value.kind() {
        "integer" | "float" | "number" | "true" | "false" | "none" | "null" | "undefined" => true,
        "string" | "template_string" | "concatenated_string" => {
            semantic.string_build(value).is_some_and(|build| {
                build
                    .dynamic
                    .iter()
                    .all(|part| is_safe(*part, cx, numeric, next))
            })
        }
        // `{ pk_type }` reads the local `pk_type`.
        "identifier" | "shorthand_property_identifier" => {
            let name = semantic.text(value);
            numeric.contains(&name) || is_constant_name(name) || safe_name(value, cx, next)
        }
        "attribute" | "member_expression" => {
            let name = last_name(value, semantic);
            if is_constant_name(name)
                || MODEL_METADATA.contains(&name)
                || DATABASE_ASSIGNED.contains(&name)
                || PLACEHOLDER_ATTRIBUTES.contains(&name)
            {
                return true;
            }
            let object = value.child_by_field_name("object");
            // `Status.ACTIVE.value`: an enum member's value or name.
            if matches!(name, "value" | "name")
                && object.is_some_and(|o| is_constant_name(last_name(o, semantic)))
            {
                return true;
            }
            if object.is_some_and(|o| MODEL_METADATA.contains(&last_name(o, semantic))) {
                return true;
            }
            // `i.id` / `p.pk` of records the code iterates (`str(i.id) for i in groups`,
            // `groups.map((p) => p.id)`): database keys, unless the records come from
            // the request.
            if (matches!(name, "id" | "pk") || name.ends_with("_id"))
                && object.is_some_and(|o| record_key_of_loaded_rows(o, semantic))
            {
                return true;
            }
            // `request.user.pk`: a Django model instance's primary key, a number the
            // database assigned (request data is a mapping, with no `.pk`).
            if name == "pk" && object.is_some() {
                return true;
            }
            // `EventTypes.Retention`: a capitalised member of an imported class, a
            // constant of the codebase's vocabulary.
            if name.starts_with(|c: char| c.is_ascii_uppercase())
                && object.is_some_and(|o| is_imported_class(o, semantic))
            {
                return true;
            }
            // `self.table = "users"`: every assignment of the attribute is safe.
            let receiver = object.map(|o| semantic.text(o));
            if !matches!(receiver, Some("self" | "this" | "cls")) {
                return false;
            }
            let safe_origins = semantic.origins(value).is_some_and(|origins| {
                !origins.is_empty()
                    && origins
                        .iter()
                        .all(|origin| is_safe(*origin, cx, numeric, next))
            });
            safe_origins
                || semantic.attribute_values(value).is_some_and(|values| {
                    !values.is_empty()
                        && values.iter().all(|assigned| match assigned {
                            BindingValue::Value(assigned) => {
                                configured_at_construction(*assigned, semantic)
                            }
                            _ => false,
                        })
                })
                // `self.prune_date` of a `@property` the class defines to return `None`
                // until a subclass overrides it: a hook the code fills in.
                || property_getter(value, semantic)
                    .is_some_and(|getter| function_returns_only_safe(getter, cx, next, false))
        }
        "call" | "call_expression" => safe_call(value, cx, numeric, next),
        "binary_operator" | "binary_expression" => {
            let operator = value
                .child_by_field_name("operator")
                .map_or("", |o| semantic.text(o));
            let left = value.child_by_field_name("left");
            let right = value.child_by_field_name("right");
            let both = || {
                left.is_some_and(|l| is_safe(l, cx, numeric, next))
                    && right.is_some_and(|r| is_safe(r, cx, numeric, next))
            };
            match operator {
                // String concatenation or addition: both sides must be safe. In Python a
                // number on one side makes the sum a number (or a `TypeError`).
                "+" if value.kind() == "binary_operator"
                    && [left, right].iter().flatten().any(|side| {
                        matches!(
                            semantic.unwrap_expression(*side).kind(),
                            "integer" | "float"
                        )
                    }) =>
                {
                    true
                }
                "+" => {
                    both()
                        || semantic.string_build(value).is_some_and(|b| {
                            b.dynamic.iter().all(|p| is_safe(*p, cx, numeric, next))
                        })
                }
                // `"%s" % x` formats a string; `a % b` on numbers is a number.
                "%" => {
                    let formats = left.is_some_and(|l| {
                        matches!(
                            resolve_local(l, semantic).kind(),
                            "string" | "concatenated_string"
                        )
                    });
                    // `"(%d, %%s)" % setting_id`: a placeholder that formats only numbers.
                    if formats {
                        semantic.string_build(value).is_some_and(|b| {
                            b.dynamic.iter().all(|p| {
                                placement(*p, semantic).numeric || is_safe(*p, cx, numeric, next)
                            })
                        })
                    } else {
                        true
                    }
                }
                // `"?, " * n` repeats a safe string; `a * b` is a number.
                "*" => {
                    both()
                        || left.is_some_and(|l| {
                            matches!(
                                semantic.unwrap_expression(l).kind(),
                                "integer" | "number" | "float"
                            )
                        })
                        || right.is_some_and(|r| {
                            matches!(
                                semantic.unwrap_expression(r).kind(),
                                "integer" | "number" | "float"
                            )
                        }) && left.is_some_and(|l| is_safe(l, cx, numeric, next))
                }
                "-" | "/" | "//" | "**" | "<<" | ">>" | "&" | "|" | "^" | ">>>" => true,
                "??" | "||" | "&&" | "or" | "and" => both(),
                _ => false,
            }
        }
        "boolean_operator" => {
            let left = value.child_by_field_name("left");
            let right = value.child_by_field_name("right");
            left.is_some_and(|l| is_safe(l, cx, numeric, next))
                && right.is_some_and(|r| is_safe(r, cx, numeric, next))
        }
        "unary_expression" | "unary_operator" | "not_operator" | "comparison_operator" => true,
        // `sql % {"user_id": str(user.pk)}` through a name: a mapping of safe values.
        "dictionary" | "object" => named_children(value).iter().all(|item| {
            item.kind() == "pair"
                && item
                    .child_by_field_name("value")
                    .is_some_and(|v| is_safe(v, cx, numeric, next))
        }),
        "conditional_expression" => {
            // `a if cond else b`
            let children = named_children(value);
            children.len() == 3
                && is_safe(children[0], cx, numeric, next)
                && is_safe(children[2], cx, numeric, next)
        }
        "ternary_expression" => {
            let consequence = value.child_by_field_name("consequence");
            let alternative = value.child_by_field_name("alternative");
            consequence.is_some_and(|c| is_safe(c, cx, numeric, next))
                && alternative.is_some_and(|a| is_safe(a, cx, numeric, next))
        }
        "subscript" | "subscript_expression" => {
            // A lookup in a constant mapping: `ORDER_COLUMNS[sort]`, or in a table another
            // module of the codebase exports (`PeriodUnitToNumber[unit]`).
            let object = value
                .child_by_field_name("value")
                .or_else(|| value.child_by_field_name("object"));
            object.is_some_and(|o| {
                is_constant_mapping(o, cx, next)
                    || is_imported_class(o, cx.semantic)
                    || splits_safe_text(o, cx, next)
            })
        }
        _ => false,
    }
}

/// `filename.split(".")[1]` of a safe `filename`: a piece of safe text is safe.
fn splits_safe_text(object: Node<'_>, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let object = cx.semantic.unwrap_expression(object);
    if !matches!(object.kind(), "call" | "call_expression") {
        return false;
    }
    let Some(callee) = object.child_by_field_name("function") else {
        return false;
    };
    matches!(
        member_name(callee, cx.semantic),
        Some("split" | "rsplit" | "partition" | "rpartition")
    ) && callee
        .child_by_field_name("object")
        .is_some_and(|receiver| is_safe(receiver, cx, &[], depth))
}

/// Words naming a constructor parameter that carries the deployment's configuration.
const CONFIGURATION_WORDS: &[&str] = &[
    "config",
    "conf",
    "cfg",
    "settings",
    "options",
    "opts",
    "hs",
    "homeserver",
];

/// `self.server_name = hs.hostname` in `__init__(self, hs)`, `this.prefix =
/// options.prefix` in `constructor(options)`: read from the configuration the object is
/// built with, once per process, not from a request.
fn configured_at_construction(origin: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let origin = semantic.unwrap_expression(origin);
    if !matches!(origin.kind(), "attribute" | "member_expression") {
        return false;
    }
    let root = member_root(origin, semantic);
    if root.kind() != "identifier" {
        return false;
    }
    let configuration = name_words(semantic.text(root))
        .iter()
        .any(|word| CONFIGURATION_WORDS.contains(&word.as_str()));
    configuration
        && parameter_of(root, semantic).is_some_and(|(function, _)| {
            function
                .child_by_field_name("name")
                .is_some_and(|name| matches!(semantic.text(name), "__init__" | "constructor"))
        })
}

/// Whether `object` is the loop variable of a comprehension / `for` statement, or the
/// first parameter of a `.map` callback, over a collection not taken from the request.
fn record_key_of_loaded_rows(object: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let object = semantic.unwrap_expression(object);
    if object.kind() != "identifier" {
        return false;
    }
    let name = semantic.text(object);
    let mut node = object.parent();
    for _ in 0..32 {
        let Some(current) = node else {
            return false;
        };
        let iterable = match current.kind() {
            "list_comprehension" | "generator_expression" | "set_comprehension" => {
                named_children(current)
                    .into_iter()
                    .filter(|c| c.kind() == "for_in_clause")
                    .find(|clause| {
                        clause
                            .child_by_field_name("left")
                            .is_some_and(|l| semantic.text(l) == name)
                    })
                    .and_then(|clause| clause.child_by_field_name("right"))
            }
            // `for g in groups:`, `for (const job of this.jobsToSave.values())`
            "for_statement" | "for_in_statement" => current
                .child_by_field_name("left")
                .filter(|l| semantic.text(*l) == name)
                .and_then(|_| current.child_by_field_name("right")),
            "arrow_function" | "function_expression" => {
                let first = current
                    .child_by_field_name("parameters")
                    .and_then(|p| named_children(p).into_iter().next())
                    .or_else(|| current.child_by_field_name("parameter"));
                let declares = first.is_some_and(|p| {
                    let p = p.child_by_field_name("pattern").unwrap_or(p);
                    semantic.text(p) == name
                });
                if !declares {
                    return false;
                }
                // `items.map((p) => p.id)`: the call's receiver.
                current
                    .parent()
                    .filter(|a| a.kind() == "arguments")
                    .and_then(|a| a.parent())
                    .filter(|call| call.kind() == "call_expression")
                    .and_then(|call| call.child_by_field_name("function"))
                    .filter(|f| {
                        f.kind() == "member_expression"
                            && f.child_by_field_name("property")
                                .is_some_and(|p| semantic.text(p) == "map")
                    })
                    .and_then(|f| f.child_by_field_name("object"))
            }
            "function_definition" | "function_declaration" | "method_definition" | "lambda" => {
                return false;
            }
            _ => None,
        };
        if let Some(iterable) = iterable {
            return !from_request(iterable, semantic, 0)
                && direct_request_value(iterable, semantic, 0).is_none();
        }
        node = current.parent();
    }
    false
}

/// A capitalised name bound by an import: `EventTypes` after
/// `from synapse.api.constants import EventTypes`.
fn is_imported_class(object: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let object = semantic.unwrap_expression(object);
    // `enums.Status` / compiled `status_1.Status`: a class of an imported module.
    if matches!(object.kind(), "member_expression" | "attribute") {
        let member = object
            .child_by_field_name("property")
            .or_else(|| object.child_by_field_name("attribute"))
            .map(|m| semantic.text(m));
        let module = object.child_by_field_name("object");
        return member.is_some_and(|m| m.starts_with(|c: char| c.is_ascii_uppercase()))
            && module.is_some_and(|m| {
                let m = semantic.unwrap_expression(m);
                m.kind() == "identifier" && is_module_binding(m, semantic)
            });
    }
    if object.kind() != "identifier" {
        return false;
    }
    let name = semantic.text(object);
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    match semantic.lookup(name, object.start_byte()).map(|b| b.value) {
        Some(BindingValue::Import(..)) => true,
        // `const { EventTypes } = require("./constants")`
        Some(BindingValue::Member(value, _)) => is_require_call(value, semantic),
        _ => false,
    }
}

/// A name bound by an import or a `require(...)`.
fn is_module_binding(name: Node<'_>, semantic: &Semantic<'_>) -> bool {
    match semantic
        .lookup(semantic.text(name), name.start_byte())
        .map(|b| b.value)
    {
        Some(BindingValue::Import(..)) => true,
        Some(BindingValue::Value(value) | BindingValue::Member(value, _)) => {
            is_require_call(value, semantic)
        }
        _ => false,
    }
}

/// `require(...)`, whatever it loads.
fn is_require_call(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let value = semantic.unwrap_expression(value);
    value.kind() == "call_expression"
        && value
            .child_by_field_name("function")
            .is_some_and(|f| semantic.text(f) == "require")
}

/// `ORDER_BY`, `TABLE_NAME`: a constant by naming convention.
fn is_constant_name(name: &str) -> bool {
    name.len() > 1
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A local name every binding of which (in its scope) is safe; a `for` loop variable over
/// a constant list.
fn safe_name(name: Node<'_>, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    let text = semantic.text(name);
    // `let limit;` holds nothing until the assignments that follow it.
    let bindings: Vec<&Binding<'_>> = live_bindings(
        semantic.bindings_in_scope_of(text, name.start_byte()),
        name,
        semantic,
    )
    .into_iter()
    .filter(|binding| !declared_without_value(binding, semantic))
    .collect();
    if bindings.is_empty() {
        return false;
    }
    let key = (semantic.scope_at(name.start_byte()), text.to_string());
    if cx.visiting.borrow().contains(&key) {
        return true;
    }
    cx.visiting.borrow_mut().push(key.clone());
    // `ids = rows.values_list("pk", flat=True)` then `ids = ", ".join(ids)`: a list and
    // the text joined from it are as safe as the list's items.
    let self_joined = bindings.iter().any(|binding| {
        matches!(binding.value, BindingValue::Value(value) if is_self_join(value, text, semantic))
    });
    let safe = if self_joined {
        safe_iterable(name, cx, depth)
    } else {
        bindings.iter().all(|binding| match binding.value {
            BindingValue::Value(value) => {
                // A `def`/class bound to the name is not a string.
                !Semantic::is_function(value) && is_safe(value, cx, &[], depth)
            }
            BindingValue::Augmented(node) => node
                .child_by_field_name("right")
                .is_some_and(|right| is_safe(right, cx, &[], depth)),
            // `const { pk_type } = Table.pkSqlType(fields)`
            BindingValue::Member(object, key) => returned_member_is_safe(object, key, cx, depth),
            BindingValue::Unknown => {
                loop_over_constants(name, text, cx, depth)
                    || parameter_of(name, semantic).is_some_and(|(_, parameter)| {
                        has_safe_annotation(parameter, semantic) || has_numeric_default(parameter)
                    })
            }
            _ => false,
        })
    };
    cx.visiting.borrow_mut().retain(|k| *k != key);
    safe
}

/// The bindings that can reach `use`: a plain assignment later in a block that also holds
/// `use` (`cur = cur - spent` on the line before) replaces every earlier value.
fn live_bindings<'b, 't>(
    bindings: &'b [Binding<'t>],
    use_node: Node<'_>,
    semantic: &Semantic<'t>,
) -> Vec<&'b Binding<'t>> {
    let at = use_node.start_byte();
    let killers: Vec<(usize, Node<'t>)> = bindings
        .iter()
        .filter(|k| k.position < at)
        .filter_map(|k| Some((k.position, assignment_block(k, semantic)?)))
        .filter(|(_, block)| block.start_byte() <= at && use_node.end_byte() <= block.end_byte())
        .collect();
    bindings
        .iter()
        .filter(|b| {
            !killers
                .iter()
                .any(|(position, _)| b.position < *position && *position < at)
        })
        .collect()
}

/// A JS declaration that gives its name no value: `let limit;`.
fn declared_without_value(binding: &Binding<'_>, semantic: &Semantic<'_>) -> bool {
    matches!(binding.value, BindingValue::Unknown)
        && declarator_at(binding.position, semantic).is_some_and(|declarator| {
            declarator.child_by_field_name("value").is_none()
                && declarator
                    .child_by_field_name("name")
                    .is_some_and(|name| name.kind() == "identifier")
        })
}

/// The JS declarator whose name or pattern binds at `position` (its end).
fn declarator_at<'t>(position: usize, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    node_ending_at(position, &["variable_declarator"], semantic)
}

/// The innermost node of one of `kinds` that ends exactly at `position`, where an
/// assignment or a declaration binds its names: `x = ...`, `const { a } = ...`.
fn node_ending_at<'t>(
    position: usize,
    kinds: &[&str],
    semantic: &Semantic<'t>,
) -> Option<Node<'t>> {
    let mut node = semantic
        .root()
        .descendant_for_byte_range(position.checked_sub(1)?, position);
    while let Some(current) = node.filter(|n| n.end_byte() == position) {
        if kinds.contains(&current.kind()) {
            return Some(current);
        }
        node = current.parent();
    }
    None
}

/// The block whose statement a plain assignment binding is: `x = ...` / `const x = ...`.
fn assignment_block<'t>(binding: &Binding<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    if !matches!(binding.value, BindingValue::Value(_)) {
        return None;
    }
    let node = node_ending_at(
        binding.position,
        &["assignment", "variable_declarator", "assignment_expression"],
        semantic,
    )?;
    let statement = node.parent().filter(|statement| {
        matches!(
            statement.kind(),
            "lexical_declaration" | "variable_declaration" | "expression_statement"
        )
    })?;
    statement.parent()
}

/// `ids = ", ".join(ids)` / `ids = ", ".join(map(str, ids))`: the name rebound to the
/// text joined from itself.
fn is_self_join(value: Node<'_>, name: &str, semantic: &Semantic<'_>) -> bool {
    let Some(items) = joined_items(semantic.unwrap_expression(value), semantic) else {
        return false;
    };
    let items = semantic.unwrap_expression(items);
    let iterated = match items.kind() {
        "call"
            if matches!(
                semantic.text(items.child_by_field_name("function").unwrap_or(items)),
                "map" | "list" | "sorted" | "set" | "tuple"
            ) =>
        {
            call_arguments(items).last().copied()
        }
        _ => Some(items),
    };
    iterated.is_some_and(|iterated| semantic.text(semantic.unwrap_expression(iterated)) == name)
}

/// `const { pk_type } = cond ? {} : Table.pkSqlType(fields)`: the member `key` of what
/// a function of this file returns, safe when every return gives a safe value for it, or
/// one the function checked before returning (`if (!types[pk_type]) throw ...`).
fn returned_member_is_safe(object: Node<'_>, key: &str, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() || depth > 8 {
        return false;
    }
    let object = semantic.unwrap_expression(object);
    match object.kind() {
        "ternary_expression" => {
            let consequence = object.child_by_field_name("consequence");
            let alternative = object.child_by_field_name("alternative");
            [consequence, alternative].iter().all(|branch| {
                branch.is_some_and(|b| returned_member_is_safe(b, key, cx, depth + 1))
            })
        }
        "object" => match object_member(object, key, semantic) {
            // `{}`: the member is `undefined`.
            None => !has_spread(object),
            Some(value) => is_safe(value, cx, &[], depth + 1),
        },
        "call_expression" => {
            let Some(function) = object
                .child_by_field_name("function")
                .and_then(|callee| same_file_function(callee, semantic))
            else {
                return false;
            };
            let Some(body) = function.child_by_field_name("body") else {
                return false;
            };
            let returns = own_returns(function, body, semantic);
            !returns.is_empty()
                && returns.iter().all(|ret| {
                    let Some(returned) = named_children(*ret).first().copied() else {
                        return false;
                    };
                    let returned = semantic.unwrap_expression(returned);
                    if returned.kind() != "object" || has_spread(returned) {
                        return false;
                    }
                    match object_member(returned, key, semantic) {
                        None => true,
                        Some(value) => {
                            is_safe(value, cx, &[], depth + 1)
                                || validated_before(value, *ret, semantic)
                        }
                    }
                })
        }
        _ => false,
    }
}

/// The value of `key` in an object literal: `{ key: value }` or the shorthand `{ key }`.
fn object_member<'t>(object: Node<'t>, key: &str, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    named_children(object)
        .into_iter()
        .find_map(|member| match member.kind() {
            "shorthand_property_identifier" => (semantic.text(member) == key).then_some(member),
            "pair" => {
                let name = member.child_by_field_name("key")?;
                (literal_content(name, semantic) == key || semantic.text(name) == key)
                    .then(|| member.child_by_field_name("value"))
                    .flatten()
            }
            _ => None,
        })
}

fn has_spread(object: Node<'_>) -> bool {
    named_children(object)
        .iter()
        .any(|member| member.kind() == "spread_element")
}

/// The function or method of this file a callee names: `helper`, `this.helper`,
/// `Table.pkSqlType` (a static method of a class declared here).
fn same_file_function<'t>(callee: Node<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    let callee = semantic.unwrap_expression(callee);
    // `(() => { switch (status) { ... } })()`: called where it is written.
    if matches!(
        callee.kind(),
        "arrow_function" | "function_expression" | "function" | "lambda"
    ) {
        return Some(callee);
    }
    if callee.kind() == "identifier" {
        let name = semantic.text(callee);
        if let BindingValue::Value(function) = semantic.lookup(name, callee.start_byte())?.value {
            return Semantic::is_function(function).then_some(function);
        }
        // A helper defined further down the file: called from a function body, it is
        // defined by the time the call runs. Only a name bound once is followed.
        semantic.enclosing_function(callee)?;
        return match semantic.bindings_in_scope_of(name, callee.start_byte()) {
            [only] => match only.value {
                BindingValue::Value(function) if Semantic::is_function(function) => Some(function),
                _ => None,
            },
            _ => None,
        };
    }
    if callee.kind() != "member_expression" {
        return None;
    }
    let object = semantic.unwrap_expression(callee.child_by_field_name("object")?);
    let method = semantic.text(callee.child_by_field_name("property")?);
    let class = match object.kind() {
        "this" => enclosing_class(semantic.root(), callee)?,
        "identifier" => match semantic
            .lookup(semantic.text(object), object.start_byte())?
            .value
        {
            BindingValue::Value(class) if is_class(class) => class,
            _ => return None,
        },
        _ => return None,
    };
    let body = class.child_by_field_name("body")?;
    named_children(body).into_iter().find(|member| {
        member.kind() == "method_definition"
            && member
                .child_by_field_name("name")
                .is_some_and(|name| semantic.text(name) == method)
    })
}

/// The getter that `self.name` / `this.name` reads: a method of the enclosing class
/// decorated `@property` (or `@cached_property`), or a JS `get name()`.
fn property_getter<'t>(attribute: Node<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    let name = last_name(attribute, semantic);
    let class = enclosing_class(semantic.root(), attribute)?;
    let body = class.child_by_field_name("body")?;
    named_children(body)
        .into_iter()
        .find_map(|member| match member.kind() {
            "decorated_definition" => {
                let function = member.child_by_field_name("definition")?;
                let named = function
                    .child_by_field_name("name")
                    .is_some_and(|n| semantic.text(n) == name);
                let property = named_children(member).iter().any(|d| {
                    d.kind() == "decorator"
                        && matches!(
                            semantic.text(*d).trim_start_matches('@').trim(),
                            "property" | "cached_property" | "functools.cached_property"
                        )
                });
                (named && property).then_some(function)
            }
            "method_definition" => {
                let named = member
                    .child_by_field_name("name")
                    .is_some_and(|n| semantic.text(n) == name);
                let getter = (0..member.child_count())
                    .filter_map(|i| member.child(i))
                    .any(|c| c.kind() == "get");
                (named && getter).then_some(member)
            }
            _ => None,
        })
}

/// The function parameter an identifier refers to, with that function: the innermost
/// enclosing function declaring a parameter of that name.
fn parameter_of<'t>(name: Node<'t>, semantic: &Semantic<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let text = semantic.text(name);
    let mut function = semantic.enclosing_function(name);
    for _ in 0..6 {
        let current = function?;
        let parameters = current
            .child_by_field_name("parameters")
            .or_else(|| current.child_by_field_name("parameter"));
        if let Some(parameters) = parameters {
            let declared = if parameters.kind() == "identifier" {
                // `x => ...`
                (semantic.text(parameters) == text).then_some(parameters)
            } else {
                named_children(parameters).into_iter().find(|parameter| {
                    let declared = parameter
                        .child_by_field_name("name")
                        .or_else(|| parameter.child_by_field_name("pattern"))
                        .or_else(|| {
                            (parameter.kind() == "typed_parameter")
                                .then(|| parameter.named_child(0))
                                .flatten()
                        })
                        .unwrap_or(*parameter);
                    semantic.text(declared) == text
                })
            };
            if let Some(parameter) = declared {
                return Some((current, parameter));
            }
        }
        function = semantic.enclosing_function(current);
    }
    None
}

/// A parameter typed as a number or boolean (`limit: int`, `offset: number`,
/// `int | None`), or as a union of literals (`Literal["asc", "desc"]`, `'asc' | 'desc'`).
/// An unannotated parameter whose default is a number: `batch_size=10000`,
/// `(limit = 100) =>`.
fn has_numeric_default(parameter: Node<'_>) -> bool {
    let default = match parameter.kind() {
        "default_parameter" => parameter.child_by_field_name("value"),
        "assignment_pattern" => parameter.child_by_field_name("right"),
        "required_parameter" | "optional_parameter"
            if parameter.child_by_field_name("type").is_none() =>
        {
            parameter.child_by_field_name("value")
        }
        _ => None,
    };
    default.is_some_and(|d| matches!(d.kind(), "integer" | "float" | "number"))
}

/// Types whose text form is digits, signs, dashes, colons and letters, never a quote:
/// numbers, booleans, dates and times (`datetime`, `datetime.date`, a JS `Date`), UUIDs
/// and decimals. The module a type is named through (`datetime.`, `uuid.`, `decimal.`) is
/// allowed beside it.
const SAFE_TYPES: &[&str] = &[
    "int",
    "float",
    "bool",
    "number",
    "bigint",
    "boolean",
    "PositiveInt",
    "NonNegativeInt",
    "datetime",
    "date",
    "time",
    "Date",
    "UUID",
    "UUID4",
    "Decimal",
];

fn has_safe_annotation(parameter: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(annotation) = parameter.child_by_field_name("type") else {
        return false;
    };
    let text = semantic.text(annotation).trim_start_matches(':').trim();
    if let Some(inner) = text
        .strip_prefix("Literal[")
        .and_then(|t| t.strip_suffix(']'))
    {
        return inner.split(',').all(|item| {
            let item = item.trim();
            item.starts_with(['"', '\'']) || item.parse::<f64>().is_ok()
        });
    }
    let is_literal_union = text.split('|').all(|item| {
        let item = item.trim();
        item.starts_with(['"', '\'']) || matches!(item, "undefined" | "null")
    });
    if is_literal_union {
        return true;
    }
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect();
    !tokens.is_empty()
        && tokens.iter().any(|t| SAFE_TYPES.contains(t))
        && tokens.iter().all(|t| {
            SAFE_TYPES.contains(t)
                || matches!(
                    *t,
                    "None" | "Optional" | "Union" | "undefined" | "null" | "uuid" | "decimal"
                )
        })
}

/// `for table in ("a", "b"):` / `for (const t of ["a", "b"])`: the loop variable holds
/// only constants.
fn loop_over_constants(use_site: Node<'_>, name: &str, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    let path = path_from_root(semantic.root(), use_site);
    path.iter().rev().any(|ancestor| {
        let loops: Vec<Node<'_>> = match ancestor.kind() {
            "for_statement" | "for_in_statement" => vec![*ancestor],
            // `[f":v{i}" for i in range(n)]`
            "list_comprehension"
            | "generator_expression"
            | "set_comprehension"
            | "dictionary_comprehension" => named_children(*ancestor)
                .into_iter()
                .filter(|c| c.kind() == "for_in_clause")
                .collect(),
            _ => return false,
        };
        loops.into_iter().any(|loop_node| {
            let left = loop_node.child_by_field_name("left");
            let right = loop_node.child_by_field_name("right");
            let (Some(left), Some(right)) = (left, right) else {
                return false;
            };
            if left.kind() == "identifier" {
                return semantic.text(left) == name && safe_iterable(right, cx, depth + 1);
            }
            let targets = named_children(left);
            let position = targets
                .iter()
                .position(|n| n.kind() == "identifier" && semantic.text(*n) == name);
            match position {
                // `for key, value in MAPPING.items()`
                Some(position) if targets.len() == 2 => {
                    mapping_item_is_safe(right, position, cx, depth + 1)
                }
                Some(_) => false,
                // `for (const t of ...)`: the declarator's name
                None => semantic.text(left).trim() == name && safe_iterable(right, cx, depth + 1),
            }
        })
    })
}

/// `for k, v in MAPPING.items()`: the keys (position 0) or values (1) of a constant
/// mapping.
fn mapping_item_is_safe(
    items: Node<'_>,
    position: usize,
    cx: &Safety<'_, '_>,
    depth: usize,
) -> bool {
    let semantic = cx.semantic;
    let items = semantic.unwrap_expression(items);
    let Some(function) = items.child_by_field_name("function") else {
        return false;
    };
    // `for i, item in enumerate(items)` / `for (const [i, item] of items.entries())`: the
    // index is a number.
    if semantic.text(function) == "enumerate"
        || (last_name(function, semantic) == "entries"
            && function
                .child_by_field_name("object")
                .is_some_and(|o| semantic.text(o) != "Object"))
    {
        return position == 0;
    }
    if last_name(function, semantic) != "items" {
        return false;
    }
    let Some(object) = function.child_by_field_name("object") else {
        return false;
    };
    let mapping = resolve_local(object, semantic);
    if !matches!(mapping.kind(), "dictionary" | "object") {
        return false;
    }
    let field = if position == 0 { "key" } else { "value" };
    let entries = named_children(mapping);
    // A value may itself be a list of constants: `"point": ("'ST_Point'", "'ST_MultiPoint'")`.
    !entries.is_empty()
        && entries.iter().all(|entry| {
            entry.kind() == "pair"
                && entry.child_by_field_name(field).is_some_and(|v| {
                    v.kind() == "property_identifier"
                        || is_safe(v, cx, &[], depth)
                        || safe_iterable(v, cx, depth)
                })
        })
}

/// A dict / object literal (through a name) whose values are all constants.
fn is_constant_mapping(object: Node<'_>, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    let mapping = resolve_local(object, semantic);
    match mapping.kind() {
        "dictionary" | "object" => {
            let entries = named_children(mapping);
            !entries.is_empty()
                && entries.iter().all(|entry| match entry.kind() {
                    "pair" => entry
                        .child_by_field_name("value")
                        .is_some_and(|v| is_safe(v, cx, &[], depth)),
                    _ => false,
                })
        }
        "list" | "tuple" | "array" => safe_iterable(mapping, cx, depth),
        _ => false,
    }
}

/// `map(columns.__getitem__, fields)`, Falcon's `req.get_param_as_list("fields",
/// transform=columns.__getitem__)`: every item is looked up in a mapping of the codebase
/// (defined in the file, or imported from another of its modules).
fn maps_through_lookup(call: Node<'_>, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let semantic = cx.semantic;
    call_arguments(call).iter().any(|argument| {
        let argument = match argument.kind() {
            "keyword_argument" => argument.child_by_field_name("value"),
            _ => Some(*argument),
        };
        argument
            .filter(|a| a.kind() == "attribute" && member_name(*a, semantic) == Some("__getitem__"))
            .and_then(|a| a.child_by_field_name("object"))
            .is_some_and(|mapping| {
                (mapping.kind() == "identifier" && is_module_binding(mapping, semantic))
                    || is_constant_mapping(mapping, cx, depth + 1)
            })
    })
}

fn safe_call(call: Node<'_>, cx: &Safety<'_, '_>, numeric: &[&str], depth: usize) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    let arguments = call_arguments(call);
    let name = last_name(function, semantic);
    let lower = name.to_ascii_lowercase();
    if NUMERIC_FUNCTIONS.contains(&name) || FIXED_FORMAT_METHODS.contains(&name) {
        return true;
    }
    if maps_through_lookup(call, cx, depth) {
        return true;
    }
    // Quoting and escaping helpers: `quote_ident(t)`, `connection.ops.quote_name(c)`,
    // `pg.escapeIdentifier(t)`, `mysql.escape(v)`, `sql.Identifier(t)`, and a project's
    // own `ident(name)` (PostgreSQL's word for a quoted identifier).
    if lower.contains("quote")
        || lower.contains("escape")
        || lower == "identifier"
        || name_words(name).last().is_some_and(|word| word == "ident")
    {
        return true;
    }
    if let Some(qualified) = semantic.qualified_name(function) {
        if qualified.starts_with("uuid.")
            || qualified.starts_with("math.")
            || qualified.starts_with("Math.")
        {
            return true;
        }
    }
    if function.kind() == "identifier" && name == "Math" {
        return true;
    }
    let object = function.child_by_field_name("object");
    if object.is_some_and(|o| semantic.text(o) == "Math") {
        return true;
    }
    // `subQuery.getQuery()`: SQL a query builder wrote, values kept as bound parameters
    // (TypeORM's documented way to splice a subquery into `where`).
    if matches!(name, "getQuery" | "getSql") && arguments.is_empty() && object.is_some() {
        return true;
    }
    if DIALECT_HELPERS.contains(&name)
        && object.is_some_and(|o| DIALECT_RECEIVERS.contains(&last_name(o, semantic)))
        && arguments.iter().all(|a| semantic.is_constant_value(*a))
    {
        return true;
    }
    match name {
        // `str(x)`, `String(x)`, `x.toString()`, `x.strip()`, `x.lower()`: as safe as `x`.
        "str" | "String" | "repr" => arguments
            .first()
            .is_some_and(|a| is_safe(*a, cx, numeric, depth)),
        "toString" | "strip" | "lower" | "upper" | "trim" | "toLowerCase" | "toUpperCase" => {
            object.is_some_and(|o| is_safe(o, cx, numeric, depth))
        }
        // `parsed.date()`: the date or time of a safe datetime.
        "date" | "time"
            if arguments.is_empty() && object.is_some_and(|o| is_safe(o, cx, numeric, depth)) =>
        {
            true
        }
        // `", ".join(parts)` / `parts.join(", ")`
        "join" => {
            let Some(object) = object else {
                return false;
            };
            let first = arguments.first().copied();
            if call.kind() == "call" {
                is_safe(object, cx, numeric, depth)
                    && first.is_some_and(|items| safe_iterable(items, cx, depth))
            } else {
                safe_iterable(object, cx, depth)
                    && first.is_none_or(|sep| is_safe(sep, cx, numeric, depth))
            }
        }
        // `"?".repeat(n)`
        "repeat" => object.is_some_and(|o| is_safe(o, cx, numeric, depth)),
        // An array spliced whole is joined with commas: `${ids.map(() => "?")}`.
        "map" | "fill" | "from" => safe_iterable(call, cx, depth),
        // `name.replace("'", "''")`: the quoting idiom for string literals.
        "replace" | "replaceAll" => {
            let quote = arguments.first().map(|a| literal_content(*a, semantic));
            let escaped = arguments.get(1).map(|a| literal_content(*a, semantic));
            let escapes = match (quote.as_deref(), escaped.as_deref()) {
                (Some(q @ ("'" | "\"")), Some(e)) => {
                    e == format!("{q}{q}") || e == format!("\\{q}") || e == format!("\\\\{q}")
                }
                _ => false,
            };
            // Replacing with constants keeps a value as safe as it was: `.replace("\0", "")`
            // after the quote escaping.
            escapes
                || arguments
                    .first()
                    .is_some_and(|pattern| keeps_only_safe_characters(*pattern, semantic))
                    && matches!(escaped.as_deref(), Some("" | "_"))
                || (arguments.len() == 2
                    && arguments.iter().all(|a| semantic.is_constant_value(*a))
                    && object.is_some_and(|o| is_safe(o, cx, numeric, depth)))
        }
        // `re.sub(r"[^\w-]", "", name)`: Python's substitution is global.
        "sub"
            if semantic
                .qualified_name(function)
                .is_some_and(|q| q == "re.sub") =>
        {
            arguments
                .first()
                .is_some_and(|pattern| keeps_only_safe_characters(*pattern, semantic))
                && arguments
                    .get(1)
                    .is_some_and(|r| matches!(literal_content(*r, semantic).as_str(), "" | "_"))
                && arguments.len() == 3
        }
        // `"...".format(...)` / `"...".concat(...)`
        "format" | "concat" => semantic.string_build(call).is_some_and(|build| {
            build
                .dynamic
                .iter()
                .all(|part| is_safe(*part, cx, numeric, depth))
        }),
        // `getattr(settings, "SEARCH_CONFIG", "english")` reads `settings.SEARCH_CONFIG`,
        // an `UPPER_CASE` constant, with a safe fallback.
        "getattr" if function.kind() == "identifier" => {
            arguments.get(1).is_some_and(|attribute| {
                literal_str(*attribute, semantic).is_some_and(|name| is_constant_name(&name))
            }) && arguments
                .get(2)
                .is_none_or(|fallback| is_safe(*fallback, cx, numeric, depth))
        }
        // `random.choice(string.ascii_lowercase)`: a pick from a safe list.
        "choice"
            if semantic
                .qualified_name(function)
                .is_some_and(|q| q.starts_with("random.") || q.starts_with("secrets.")) =>
        {
            arguments
                .first()
                .is_some_and(|items| safe_iterable(*items, cx, depth))
        }
        // `TABLE_FOR.get(kind)` / `defaults.get(c)` on a mapping of safe values.
        "get" => {
            object.is_some_and(|o| is_constant_mapping(o, cx, depth))
                && arguments
                    .get(1)
                    .is_none_or(|fallback| is_safe(*fallback, cx, numeric, depth))
        }
        // `get_current_time_millis()`, `time.time()`, `datetime.now()`: the clock.
        _ if arguments.is_empty() && names_clock(&lower) => true,
        _ if function.kind() == "identifier" => {
            // A helper of this file given only safe values (`decorate(default)` where
            // `def decorate(s): return repr(s)`) is as safe as what it returns from them.
            let safe_arguments = arguments.iter().all(|a| {
                !matches!(
                    a.kind(),
                    "keyword_argument" | "list_splat" | "dictionary_splat" | "spread_element"
                ) && is_safe(*a, cx, numeric, depth)
            });
            returns_only_safe(function, cx, depth, false)
                || (safe_arguments && returns_only_safe(function, cx, depth, true))
        }
        // `(() => { switch (status) { case "active": return "WHERE ..."; } })()`.
        _ if Semantic::is_function(semantic.unwrap_expression(function)) => {
            returns_only_safe(function, cx, depth, false)
        }
        _ => false,
    }
}

/// A global regex deleting every character outside a class of word characters and
/// harmless punctuation: `/[^A-Za-z0-9_]/g`, `/[^\w]+/g`, `/[^a-zA-Z0-9-_\/.]/g`, Python's
/// `r"[^\w-]"` (`re.sub` is global). What is left cannot leave a quoted literal or add
/// SQL syntax.
fn keeps_only_safe_characters(pattern: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let pattern = resolve_local(pattern, semantic);
    let global = match pattern.kind() {
        "regex" => pattern
            .child_by_field_name("flags")
            .is_some_and(|flags| semantic.text(flags).contains('g')),
        "string" => true,
        _ => false,
    };
    let source = literal_content(pattern, semantic);
    let Some(class) = source
        .strip_prefix("[^")
        .and_then(|rest| rest.strip_suffix("]+").or_else(|| rest.strip_suffix(']')))
    else {
        return false;
    };
    // Ranges other than these three could span a quote or a backslash (`.-_`, `A-z`):
    // a `-` is read as literal only first, last, or right after a range or a class.
    const SETS: &[&str] = &["A-Z", "a-z", "0-9", "\\w", "\\d"];
    const SINGLES: &[&str] = &["_", "\\-", "\\/", "\\.", ".", "/", ":", "@", "+"];
    let mut rest = class;
    let mut after_set = true;
    while !rest.is_empty() {
        if let Some(set) = SETS.iter().find(|token| rest.starts_with(**token)) {
            rest = &rest[set.len()..];
            after_set = true;
        } else if rest.starts_with('-') && (after_set || rest.len() == 1) {
            rest = &rest[1..];
            after_set = false;
        } else if let Some(single) = SINGLES.iter().find(|token| rest.starts_with(**token)) {
            rest = &rest[single.len()..];
            after_set = false;
            if rest.starts_with('-') && rest.len() > 1 {
                return false;
            }
        } else {
            return false;
        }
    }
    global && !class.is_empty()
}

/// A function of this file every `return` of which gives a safe value:
/// `const localtime = (t) => t === "timestamp" ? " AT TIME ZONE 'UTC'" : ""`.
/// With `parameters_safe`, the function's own parameters count as safe values (its
/// caller checked the arguments).
fn returns_only_safe(
    name: Node<'_>,
    cx: &Safety<'_, '_>,
    depth: usize,
    parameters_safe: bool,
) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    match same_file_function(name, semantic) {
        Some(function) => function_returns_only_safe(function, cx, depth, parameters_safe),
        None => false,
    }
}

/// Whether every `return` of `function` (or its expression body) gives a safe value;
/// with `parameters_safe`, its parameters count as safe.
fn function_returns_only_safe(
    function: Node<'_>,
    cx: &Safety<'_, '_>,
    depth: usize,
    parameters_safe: bool,
) -> bool {
    let semantic = cx.semantic;
    let Some(body) = function.child_by_field_name("body") else {
        return false;
    };
    let parameters: Vec<&str> = if parameters_safe {
        parameter_names(function, semantic)
    } else {
        Vec::new()
    };
    if !matches!(body.kind(), "block" | "statement_block") {
        // An arrow function's expression body.
        return is_safe(body, cx, &parameters, depth + 1);
    }
    let returns = own_returns(function, body, semantic);
    !returns.is_empty()
        && returns.iter().all(|ret| {
            named_children(*ret)
                .first()
                .is_some_and(|value| is_safe(*value, cx, &parameters, depth + 1))
        })
}

/// The `return` statements of `function` itself (those of nested functions excluded).
fn own_returns<'t>(function: Node<'t>, body: Node<'t>, semantic: &Semantic<'t>) -> Vec<Node<'t>> {
    let mut returns = Vec::new();
    walk_preorder(body, |node| {
        if node.kind() == "return_statement"
            && semantic
                .enclosing_function(node)
                .is_some_and(|f| f.id() == function.id())
        {
            returns.push(node);
        }
    });
    returns
}

/// The plain names a function declares as parameters (`s`, `s: str`, `s=None`, `s = 1`).
fn parameter_names<'t>(function: Node<'t>, semantic: &Semantic<'t>) -> Vec<&'t str> {
    let Some(parameters) = function
        .child_by_field_name("parameters")
        .or_else(|| function.child_by_field_name("parameter"))
    else {
        return Vec::new();
    };
    if parameters.kind() == "identifier" {
        return vec![semantic.text(parameters)];
    }
    named_children(parameters)
        .into_iter()
        .filter_map(|parameter| {
            let name = match parameter.kind() {
                "identifier" => Some(parameter),
                "typed_parameter" => parameter.named_child(0),
                "default_parameter" | "typed_default_parameter" => {
                    parameter.child_by_field_name("name")
                }
                "required_parameter" | "optional_parameter" => {
                    parameter.child_by_field_name("pattern")
                }
                "assignment_pattern" => parameter.child_by_field_name("left"),
                _ => None,
            }?;
            (name.kind() == "identifier").then(|| semantic.text(name))
        })
        .collect()
}

/// A function name that reads the clock: its result is a number or a timestamp.
fn names_clock(lower: &str) -> bool {
    matches!(lower, "time" | "now" | "utcnow" | "monotonic" | "today")
        || lower.contains("millis")
        || lower.contains("timestamp")
        || lower.ends_with("_time")
}

/// A call's arguments; `f(x for x in y)` has the generator as its one argument.
fn call_arguments(call: Node<'_>) -> Vec<Node<'_>> {
    match call.child_by_field_name("arguments") {
        Some(arguments) if arguments.kind() == "generator_expression" => vec![arguments],
        Some(arguments) => named_children(arguments),
        None => Vec::new(),
    }
}

/// A list whose items are all safe: a literal, `["%s"] * n`, a comprehension of
/// constants, `ids.map(() => "?")`, `Array(n).fill("?")`, a local list only ever given
/// safe items.
/// `x in ALLOWED`, `ALLOWED.includes(x)`, `ALLOWED.has(x)` with `ALLOWED` a safe list:
/// the name `x` it holds to that list.
fn member_of_safe_list<'t>(
    condition: Node<'t>,
    cx: &Safety<'_, 't>,
    depth: usize,
) -> Option<&'t str> {
    let semantic = cx.semantic;
    let condition = semantic.unwrap_expression(condition);
    let (member, list) = match condition.kind() {
        "comparison_operator" => {
            let operators: Vec<&str> = (0..condition.child_count())
                .filter_map(|i| condition.child(i))
                .filter(|c| !c.is_named())
                .map(|c| semantic.text(c))
                .collect();
            if operators != ["in"] {
                return None;
            }
            (condition.named_child(0)?, condition.named_child(1)?)
        }
        "call_expression" => {
            let callee = condition.child_by_field_name("function")?;
            let method = callee
                .child_by_field_name("property")
                .map(|p| semantic.text(p));
            if !matches!(method, Some("includes" | "has")) {
                return None;
            }
            let arguments = call_arguments(condition);
            let [member] = arguments.as_slice() else {
                return None;
            };
            (*member, callee.child_by_field_name("object")?)
        }
        _ => return None,
    };
    let member = semantic.unwrap_expression(member);
    (member.kind() == "identifier" && safe_iterable(list, cx, depth)).then(|| semantic.text(member))
}

/// A `.filter` callback that keeps only members of a safe list:
/// `(k) => allowed.includes(k)`.
fn admits_only_listed(callback: Node<'_>, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let semantic = cx.semantic;
    let callback = semantic.unwrap_expression(callback);
    if !matches!(callback.kind(), "arrow_function" | "function_expression") {
        return false;
    }
    let parameter = callback
        .child_by_field_name("parameters")
        .and_then(|p| named_children(p).into_iter().next())
        .or_else(|| callback.child_by_field_name("parameter"))
        .map(|p| semantic.text(p.child_by_field_name("pattern").unwrap_or(p)));
    let Some(body) = callback.child_by_field_name("body") else {
        return false;
    };
    // `(k) => allowed.includes(k)` or `(k) => { return allowed.includes(k); }`
    let condition = if body.kind() == "statement_block" {
        match named_children(body).as_slice() {
            [only] if only.kind() == "return_statement" => only.named_child(0),
            _ => None,
        }
    } else {
        Some(body)
    };
    condition
        .and_then(|c| member_of_safe_list(c, cx, depth))
        .is_some_and(|member| Some(member) == parameter)
}

/// Whether a Python mapping's keys are all written as literals: a dict literal with no
/// `**` spread, or a comprehension keeping the keys of one
/// (`{k: v for k, v in data.items() if v is not None}`), through a local name.
fn has_literal_keys(mapping: Node<'_>, semantic: &Semantic<'_>, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    let mapping = semantic.unwrap_expression(mapping);
    match mapping.kind() {
        "dictionary" => named_children(mapping).iter().all(|entry| {
            matches!(entry.kind(), "pair" | "comment")
                && entry.child_by_field_name("key").is_some_and(|key| {
                    matches!(key.kind(), "string" | "integer")
                        && semantic.string_build(key).is_none_or(|b| b.is_constant())
                })
        }),
        "dictionary_comprehension" => {
            let children = named_children(mapping);
            let key = children
                .first()
                .filter(|pair| pair.kind() == "pair")
                .and_then(|pair| pair.child_by_field_name("key"));
            let clauses: Vec<Node<'_>> = children
                .iter()
                .copied()
                .filter(|c| c.kind() == "for_in_clause")
                .collect();
            let [clause] = clauses.as_slice() else {
                return false;
            };
            let (Some(key), Some(left), Some(iterated)) = (
                key,
                clause.child_by_field_name("left"),
                clause.child_by_field_name("right"),
            ) else {
                return false;
            };
            // `for k, v in data.items()` / `for k in data`, keyed by `k`.
            let first_target = match left.kind() {
                "identifier" => Some(left),
                "pattern_list" | "tuple_pattern" => left.named_child(0),
                _ => None,
            };
            let source = match semantic.unwrap_expression(iterated).kind() {
                "call" => {
                    let function = iterated.child_by_field_name("function");
                    function
                        .filter(|f| matches!(last_name(*f, semantic), "items" | "keys"))
                        .and_then(|f| f.child_by_field_name("object"))
                }
                _ => Some(iterated),
            };
            first_target.is_some_and(|target| semantic.text(target) == semantic.text(key))
                && source.is_some_and(|source| has_literal_keys(source, semantic, depth + 1))
        }
        "identifier" => {
            let bindings =
                semantic.bindings_in_scope_of(semantic.text(mapping), mapping.start_byte());
            !bindings.is_empty()
                && bindings.iter().all(|binding| match binding.value {
                    BindingValue::Value(value) => has_literal_keys(value, semantic, depth + 1),
                    _ => false,
                })
        }
        _ => false,
    }
}

fn safe_iterable(items: Node<'_>, cx: &Safety<'_, '_>, depth: usize) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    if depth > 8 {
        return false;
    }
    let items = semantic.unwrap_expression(items);
    let next = depth + 1;
    match items.kind() {
        // `",".join("?" * n)`: the characters of a constant string.
        "string" | "concatenated_string" => semantic.is_constant_value(items),
        // `string.ascii_lowercase`, `string.digits`: the standard library's alphabets.
        "attribute" => semantic
            .qualified_name(items)
            .is_some_and(|q| q.starts_with("string.")),
        "list" | "tuple" | "array" | "set" => named_children(items).iter().all(|item| {
            item.kind() != "spread_element"
                && item.kind() != "list_splat"
                && is_safe(*item, cx, &[], next)
        }),
        // `["'%s'" % t for t in ROLE_TYPES]`: a loop variable over a safe list is safe, and
        // so is one a condition holds to a safe list (`[f for f in data if f in ALLOWED]`).
        "list_comprehension" | "generator_expression" | "set_comprehension" => {
            let children = named_children(items);
            let listed: Vec<&str> = children
                .iter()
                .filter(|c| c.kind() == "if_clause")
                .filter_map(|clause| clause.named_child(0))
                .filter_map(|condition| member_of_safe_list(condition, cx, next))
                .collect();
            let mut safe_names = Vec::new();
            let mut unsafe_names = Vec::new();
            for clause in children.iter().filter(|c| c.kind() == "for_in_clause") {
                let (Some(left), Some(iterated)) = (
                    clause.child_by_field_name("left"),
                    clause.child_by_field_name("right"),
                ) else {
                    continue;
                };
                if left.kind() != "identifier" {
                    continue;
                }
                let name = semantic.text(left);
                if listed.contains(&name) || safe_iterable(iterated, cx, next) {
                    safe_names.push(name);
                } else {
                    unsafe_names.push(name);
                }
            }
            let Some(body) = items.child_by_field_name("body") else {
                return false;
            };
            // The comprehension's own variable over an unsafe list, spliced as it is
            // (`f"{f} = %s" for f in fields`), is unsafe whatever another loop of the file
            // binds to the same name. Inside a call (`int(x)`), the call decides.
            let mut uses_unsafe = false;
            let mut pending = vec![body];
            while let Some(node) = pending.pop() {
                match node.kind() {
                    "call" => {}
                    "identifier" => {
                        uses_unsafe |= unsafe_names.contains(&semantic.text(node));
                    }
                    // `filters[field]`: the key picks an entry; what is spliced is the
                    // entry, which `is_safe` judges with the mapping.
                    "subscript" => pending.extend(node.child_by_field_name("value")),
                    _ => pending.extend(named_children(node)),
                }
            }
            !uses_unsafe && is_safe(body, cx, &safe_names, next)
        }
        "binary_operator" | "binary_expression" => {
            let operator = items
                .child_by_field_name("operator")
                .map_or("", |o| semantic.text(o));
            let left = items.child_by_field_name("left");
            let right = items.child_by_field_name("right");
            match operator {
                "*" => left.is_some_and(|l| safe_iterable(l, cx, next)),
                "+" => {
                    left.is_some_and(|l| safe_iterable(l, cx, next))
                        && right.is_some_and(|r| safe_iterable(r, cx, next))
                }
                _ => false,
            }
        }
        "identifier" => {
            let name = semantic.text(items);
            if is_constant_name(name) || loop_over_constants(items, name, cx, next) {
                return true;
            }
            let bindings = semantic.bindings_in_scope_of(name, items.start_byte());
            !bindings.is_empty()
                && bindings.iter().all(|binding| match binding.value {
                    // `ids = ", ".join(ids)`: the name reused for the joined text says
                    // nothing about the items.
                    BindingValue::Value(value) if is_self_join(value, name, semantic) => true,
                    BindingValue::Value(value) => safe_iterable(value, cx, next),
                    BindingValue::Augmented(node) => node
                        .child_by_field_name("right")
                        .is_some_and(|r| safe_iterable(r, cx, next)),
                    _ => false,
                })
                && appended_items_are_safe(items, name, cx, next)
        }
        "call" | "call_expression" => {
            let Some(function) = items.child_by_field_name("function") else {
                return false;
            };
            let arguments = call_arguments(items);
            let name = last_name(function, semantic);
            let object = function.child_by_field_name("object");
            match name {
                // `ids.map(() => "?")`, `ids.map((_, i) => `$${i + 1}`)`, and
                // `ROLE_TYPES.map((t) => `'${t}'`)`: an element of a safe list is safe.
                // Python's `map(str, ids)` / `map(int, ids)`.
                "map" if items.kind() == "call" => match arguments.as_slice() {
                    [function, iterable] => match semantic.text(*function) {
                        "int" | "float" => true,
                        "str" => safe_iterable(*iterable, cx, next),
                        _ => false,
                    },
                    _ => false,
                },
                "map" | "flatMap" => arguments.first().is_some_and(|callback| {
                    let element_safe = object.is_some_and(|o| safe_iterable(o, cx, next));
                    safe_callback(*callback, element_safe, cx, next)
                }),
                // `Array.from({ length: n }, (_, i) => ...)`
                "from" if object.is_some_and(|o| semantic.text(o) == "Array") => {
                    match arguments.get(1) {
                        Some(callback) => safe_callback(*callback, false, cx, next),
                        None => arguments
                            .first()
                            .is_some_and(|a| safe_iterable(*a, cx, next)),
                    }
                }
                // `Object.keys(req.body).filter((k) => allowed.includes(k))`: only what a
                // safe list holds passes; a filtered safe list stays safe.
                "filter" if items.kind() == "call_expression" => {
                    object.is_some_and(|o| safe_iterable(o, cx, next))
                        || arguments
                            .first()
                            .is_some_and(|callback| admits_only_listed(*callback, cx, next))
                }
                // `Array(n).fill("?")`
                "fill" => arguments
                    .first()
                    .is_some_and(|v| is_safe(*v, cx, &[], next)),
                "list" | "tuple" | "sorted" | "set" => arguments
                    .first()
                    .is_some_and(|a| safe_iterable(*a, cx, next)),
                // `products.values_list("pk", flat=True)`: the keys of rows the database
                // holds.
                "values_list" => {
                    arguments.len() == 2
                        && arguments.first().is_some_and(|field| {
                            literal_str(*field, semantic).is_some_and(|field| {
                                matches!(field.as_str(), "pk" | "id") || field.ends_with("_id")
                            })
                        })
                        && semantic.text(arguments[1]).replace(' ', "") == "flat=True"
                }
                // The keys of a mapping are names (of columns, of bind parameters), and
                // names count only when the request supplies them: `parameters.keys()`
                // after `parameters = {k: v for k, v in data.items() if v is not None}`.
                "keys"
                    if items.kind() == "call"
                        && object.is_some_and(|o| {
                            has_literal_keys(o, semantic, next) || !from_request(o, semantic, 0)
                        }) =>
                {
                    true
                }
                // `M.keys()` / `M.values()` of a constant mapping
                "keys" | "values" => object.is_some_and(|o| {
                    let mapping = resolve_local(o, semantic);
                    matches!(mapping.kind(), "dictionary" | "object")
                        && named_children(mapping).iter().all(|entry| {
                            let field = if name == "keys" { "key" } else { "value" };
                            entry.kind() == "pair"
                                && entry.child_by_field_name(field).is_some_and(|v| {
                                    v.kind() == "property_identifier" || is_safe(v, cx, &[], next)
                                })
                        })
                }),
                "range" => true,
                // `itertools.repeat("%s", n)`
                "repeat" => arguments
                    .first()
                    .is_some_and(|v| is_safe(*v, cx, &[], next)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// A `.map` callback whose result is safe; its second parameter is the numeric index, and
/// its first is safe when `element_safe` says the mapped list holds only safe values.
fn safe_callback(
    callback: Node<'_>,
    element_safe: bool,
    cx: &Safety<'_, '_>,
    depth: usize,
) -> bool {
    let semantic = cx.semantic;
    if !cx.spend() {
        return false;
    }
    let callback = semantic.unwrap_expression(callback);
    if !matches!(
        callback.kind(),
        "arrow_function" | "function_expression" | "function"
    ) {
        return false;
    }
    // `(t, i) => ...` lists its parameters; `t => ...` has just one.
    let parameters = match callback.child_by_field_name("parameters") {
        Some(parameters) => named_children(parameters),
        None => callback
            .child_by_field_name("parameter")
            .into_iter()
            .collect(),
    };
    let numeric: Vec<&str> = parameters
        .iter()
        .enumerate()
        .filter(|(position, _)| *position == 1 || (*position == 0 && element_safe))
        .map(|(_, parameter)| {
            let parameter = parameter
                .child_by_field_name("pattern")
                .unwrap_or(*parameter);
            semantic.text(parameter)
        })
        .collect();
    let Some(body) = callback.child_by_field_name("body") else {
        return false;
    };
    let result = if body.kind() == "statement_block" {
        // `{ return "?"; }`
        named_children(body)
            .into_iter()
            .find(|s| s.kind() == "return_statement")
            .and_then(|s| s.named_child(0))
    } else {
        Some(body)
    };
    result.is_some_and(|r| is_safe(r, cx, &numeric, depth))
}

/// What the function holding `use_site` adds to the list `name`: the items of
/// `name.append(x)` / `.push(x)` / `.add(x)` / `.unshift(x)` / `.insert(i, x)`, and the
/// collections of `name.extend(xs)`.
enum Addition<'t> {
    Item(Node<'t>),
    Items(Node<'t>),
}

fn additions<'t>(use_site: Node<'t>, name: &str, semantic: &Semantic<'t>) -> Vec<Addition<'t>> {
    let scope = semantic
        .enclosing_function(use_site)
        .unwrap_or_else(|| semantic.root());
    let mut found = Vec::new();
    walk_preorder(scope, |node| {
        if !matches!(node.kind(), "call" | "call_expression") {
            return;
        }
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        let Some(object) = function.child_by_field_name("object") else {
            return;
        };
        if semantic.text(object) != name {
            return;
        }
        let arguments = call_arguments(node);
        match last_name(function, semantic) {
            "append" | "push" | "add" | "unshift" => {
                found.extend(arguments.into_iter().map(Addition::Item));
            }
            // Without its argument, the call itself stands for what it adds: nothing
            // that can be shown safe.
            "insert" => found.push(match arguments.get(1) {
                Some(item) => Addition::Item(*item),
                None => Addition::Items(node),
            }),
            "extend" => found.push(match arguments.first() {
                Some(items) => Addition::Items(*items),
                None => Addition::Items(node),
            }),
            _ => {}
        }
    });
    found
}

/// Every `name.append(x)` / `name.push(x)` / `name.extend([...])` in the function that
/// holds `use_site` adds safe items.
fn appended_items_are_safe(
    use_site: Node<'_>,
    name: &str,
    cx: &Safety<'_, '_>,
    depth: usize,
) -> bool {
    if !cx.spend() {
        return false;
    }
    additions(use_site, name, cx.semantic)
        .into_iter()
        .all(|addition| match addition {
            Addition::Item(item) => is_safe(item, cx, &[], depth),
            Addition::Items(items) => safe_iterable(items, cx, depth),
        })
}

// ------------------------------------------------------------------------------- help

/// The SQL in a help example: what the user's statement does, with a placeholder.
fn example(statement: &str, placeholder: &str) -> String {
    match statement {
        "INSERT" => format!("INSERT ... VALUES ({placeholder})"),
        "UPDATE" => format!("UPDATE ... SET name = {placeholder}"),
        _ => format!("... WHERE id = {placeholder}"),
    }
}

/// The statement keyword the literal text opens with (`INSERT`, `UPDATE`, ...).
fn statement_kind(text: &str) -> &'static str {
    let first = words(text).into_iter().next().unwrap_or_default();
    // `DO $$ ... $$`: PostgreSQL's anonymous code block, which takes no parameters either.
    match first.as_str() {
        "INSERT" | "REPLACE" => "INSERT",
        "UPDATE" => "UPDATE",
        _ => "SELECT",
    }
}

fn help(sink: &Sink<'_>, value: &str, identifier: bool, statement: &str) -> String {
    let simple = value
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    let value = if simple { value } else { "value" };
    let key = value.rsplit('.').next().unwrap_or(value);
    let callee = &sink.callee;
    let sql = |placeholder: &str| example(statement, placeholder);
    if identifier {
        let quoting = match sink.driver {
            Driver::PsycopgSql | Driver::DbApi => "`psycopg.sql.Identifier`",
            Driver::DjangoRaw | Driver::DjangoExtra | Driver::DjangoRawSql => {
                "`connection.ops.quote_name`"
            }
            Driver::SqlAlchemyText | Driver::SqlAlchemyExecute | Driver::ExecDriverSql => {
                "the dialect's `identifier_preparer.quote`"
            }
            Driver::Pg => "`client.escapeIdentifier`",
            Driver::Mysql => "`mysql.escapeId` or a `??` placeholder",
            Driver::Knex | Driver::KnexRawClause => "a `??` binding",
            Driver::Drizzle => "`sql.identifier`",
            Driver::Kysely => "`sql.ref` / `sql.table`",
            _ => "the driver's identifier quoting",
        };
        return format!(
            "table and column names cannot be bound as parameters: map `{value}` to a name from a fixed allowlist, or quote it with {quoting}; pass every value as a bound parameter"
        );
    }
    match sink.driver {
        Driver::DbApi => format!(
            "pass values as parameters and let the driver quote them: `{callee}(\"{}\", ({value},))`",
            sql("%s")
        ),
        Driver::Sqlite => format!(
            "pass values as parameters and let the driver quote them: `{callee}(\"{}\", ({value},))`",
            sql("?")
        ),
        Driver::SqlAlchemyText => format!(
            "bind the value instead: `text(\"{}\").bindparams({key}={value})`",
            sql(&format!(":{key}"))
        ),
        Driver::SqlAlchemyExecute => format!(
            "bind the value instead: `{callee}(text(\"{}\"), {{\"{key}\": {value}}})`",
            sql(&format!(":{key}"))
        ),
        Driver::ExecDriverSql => format!(
            "pass values as driver parameters: `{callee}(\"{}\", ({value},))`",
            sql("%s")
        ),
        Driver::DjangoRaw => format!(
            "pass values as params: `{callee}(\"{}\", [{value}])`",
            sql("%s")
        ),
        Driver::DjangoExtra => format!(
            "use an ORM filter, or pass values through `params`: `.extra(where=[\"id = %s\"], params=[{value}])`"
        ),
        Driver::DjangoRawSql => format!(
            "pass values as params: `RawSQL(\"{}\", ({value},))`",
            sql("%s")
        ),
        Driver::Asyncpg => format!(
            "pass values as query arguments: `await {callee}(\"{}\", {value})`",
            sql("$1")
        ),
        Driver::PsycopgSql => format!(
            "compose with placeholders: `sql.SQL(\"... WHERE {{}} = %s\").format(sql.Identifier(col))` and pass `{value}` to `execute()` as a parameter"
        ),
        Driver::Pg => format!(
            "pass values as parameters: `{callee}(\"{}\", [{value}])`",
            sql("$1")
        ),
        Driver::Mysql | Driver::NodeSqlite => format!(
            "pass values as parameters: `{callee}(\"{}\", [{value}])`",
            sql("?")
        ),
        Driver::Mssql => format!(
            "bind inputs instead: `request.input(\"{key}\", {value}).query(\"{}\")`",
            sql(&format!("@{key}"))
        ),
        Driver::Sequelize => format!(
            "use replacements: `{callee}(\"{}\", {{ replacements: {{ {key}: {value} }} }})`",
            sql(&format!(":{key}"))
        ),
        Driver::TypeOrmQuery => format!(
            "pass values as parameters: `{callee}(\"{}\", [{value}])` (`?` on MySQL)",
            sql("$1")
        ),
        Driver::TypeOrmWhere => format!(
            "use a named parameter: `{callee}(\"user.id = :{key}\", {{ {key}: {value} }})`"
        ),
        Driver::Knex => format!(
            "use bindings: `{callee}(\"{}\", [{value}])`",
            sql("?")
        ),
        Driver::KnexRawClause => format!("use bindings: `{callee}(\"id = ?\", [{value}])`"),
        Driver::Prisma => format!(
            "use the `$queryRaw` / `$executeRaw` tagged template, which sends `${{{value}}}` as a parameter, or pass `{value}` as an argument: `{callee}(\"{}\", {value})`",
            sql("$1")
        ),
        Driver::Drizzle | Driver::Kysely => format!(
            "use the `sql` tagged template, which sends `${{{value}}}` as a parameter, instead of `sql.raw()`"
        ),
        Driver::BetterSqlite => format!(
            "prepare with placeholders and pass values when running: `db.prepare(\"{}\").all({value})`",
            sql("?")
        ),
        Driver::Soql => format!(
            "SOQL takes no bind parameters: query through `conn.sobject(...).find({{ {key}: {value} }})`, which quotes values, or escape quotes and backslashes in `{value}` before splicing it"
        ),
        Driver::JsGeneric => format!(
            "pass values as bound parameters (`$1` for pg, `?` for mysql2): `{callee}(\"{}\", [{value}])`",
            sql("$1")
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn statements_are_told_from_prose_and_other_query_languages() {
        assert!(reads_as_statement("SELECT id FROM users WHERE id = "));
        assert!(reads_as_statement("  insert into t (a) values ("));
        assert!(reads_as_statement("update accounts set name = '"));
        assert!(reads_as_statement("DELETE FROM sessions WHERE token = '"));
        assert!(reads_as_statement("CREATE TABLE IF NOT EXISTS "));
        assert!(reads_as_statement("TRUNCATE "));
        assert!(reads_as_statement(
            "WITH recent AS (SELECT 1) SELECT * FROM recent"
        ));
        assert!(!reads_as_statement("query { user(id: \"\") { name } }"));
        assert!(!reads_as_statement("update the  dashboard"));
        assert!(!reads_as_statement("name: AND in_stock:true"));
        assert!(!reads_as_statement("rebuild  for "));
    }

    #[test]
    fn operator_tools_and_migrations_are_told_by_path() {
        assert!(is_operator_tool_path("app/management/commands/rebuild.py"));
        assert!(is_operator_tool_path("scripts/backfill.py"));
        assert!(is_operator_tool_path("ckanext/ga/cli.py"));
        assert!(is_operator_tool_path("manage.py"));
        assert!(!is_operator_tool_path("app/commands.py"));
        assert!(!is_operator_tool_path("bot/commands/ban.py"));
        assert!(!is_operator_tool_path("app/views/client.py"));
        assert!(is_migration_path("mint/migrations.py"));
        assert!(is_migration_path("app/utils/v3migration.py"));
        assert!(is_migration_path("db/upgrade/v02.py"));
        assert!(!is_migration_path("app/views/emigrate.py"));
    }

    #[test]
    fn slots_where_a_literal_goes() {
        assert_eq!(
            classify_slot("SELECT * FROM t WHERE id = ", ""),
            Slot::Value
        );
        assert_eq!(classify_slot("WHERE name = '", "'"), Slot::Value);
        assert_eq!(classify_slot("WHERE name LIKE '%", "%'"), Slot::Value);
        assert_eq!(classify_slot("WHERE id IN (", ")"), Slot::Value);
        assert_eq!(classify_slot("VALUES (1, ", ")"), Slot::Value);
        assert_eq!(classify_slot("ORDER BY id LIMIT ", ""), Slot::Value);
        assert_eq!(classify_slot("SET qty = qty + ", ""), Slot::Value);
        assert_eq!(classify_slot("SELECT * FROM ", ""), Slot::Other);
        assert_eq!(classify_slot("SELECT * FROM \"", "\""), Slot::Other);
        assert_eq!(classify_slot("ORDER BY ", ""), Slot::Other);
        assert_eq!(classify_slot("SELECT id FROM t WHERE ", ""), Slot::Other);
        assert_eq!(classify_slot("", ".id = :id"), Slot::Other);
        assert_eq!(classify_slot("SELECT pg_size(", ")"), Slot::Other);
        assert_eq!(classify_slot("SELECT * ", ""), Slot::Other);
        // The closing quote of a literal written in the same text opens nothing.
        assert_eq!(classify_slot("WHERE t.kind = 'sell'", ""), Slot::Other);
        assert_eq!(classify_slot("', name = '", "'"), Slot::Value);
        assert_eq!(classify_slot("VALUES ('a', '", "')"), Slot::Value);
    }

    #[test]
    fn conditions_that_check_a_name() {
        assert!(checks_name("sort not in ALLOWED", "sort"));
        assert!(checks_name("!ALLOWED.includes(sort)", "sort"));
        assert!(checks_name("not re.fullmatch(r\"\\w+\", col)", "col"));
        assert!(checks_name("!SAFE_KEY.test(key)", "key"));
        assert!(checks_name("typeof value.$inc === 'number'", "value.$inc"));
        assert!(checks_name("col.isidentifier()", "col"));
        // Mentioned, but not what is checked.
        assert!(!checks_name("order and sort in ALLOWED", "order"));
        assert!(!checks_name("sorted(x) in ALLOWED", "sort"));
        assert!(!checks_name("len(name) > 3", "name"));
    }

    #[test]
    fn numbers_and_literal_unions_are_safe_annotations() {
        let check = |annotation: &str| {
            let source = format!("def f(x: {annotation}):\n    pass\n");
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&corbel_engine::Grammar::Python.ts_language())
                .unwrap();
            let tree = parser.parse(&source, None).unwrap();
            let semantic = Semantic::build(&tree, &source, corbel_engine::Grammar::Python);
            let mut parameter = None;
            walk_preorder(semantic.root(), |node| {
                if node.kind() == "typed_parameter" {
                    parameter = Some(node);
                }
            });
            has_safe_annotation(parameter.unwrap(), &semantic)
        };
        assert!(check("int"));
        assert!(check("Optional[int]"));
        assert!(check("int | None"));
        assert!(check("Literal[\"asc\", \"desc\"]"));
        assert!(!check("str"));
        assert!(!check("Optional[str]"));
        assert!(!check("Literal[\"asc\", x]"));
        assert!(check("datetime"));
        assert!(check("Optional[datetime.date]"));
        assert!(check("uuid.UUID | None"));
        assert!(!check("uuid"));
        assert!(!check("dict[str, datetime]"));
    }
}
