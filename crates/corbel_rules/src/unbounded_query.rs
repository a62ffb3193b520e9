//! `unbounded-query`: a query that can return every row of a table, materialized at once.
//!
//! Python: SQLAlchemy (`session.query(M)...all()`, `session.scalars(select(M)).all()`,
//! `session.execute(select(M)).scalars().all()`, Flask-SQLAlchemy `M.query...all()`),
//! Django querysets that are materialized (`list()`, iteration, `many=True`, returned from
//! a view), Django REST framework list views nothing pages (with a project part that reads
//! the `REST_FRAMEWORK` settings), pymongo/Motor/Beanie `find()` turned into a list, and a
//! raw `SELECT` read with `fetchall()`.
//! TS/JS: Prisma `findMany`, TypeORM `find`/`findBy`/query builder `getMany`, Sequelize
//! (and MikroORM) `findAll`, Mongoose `find`, the MongoDB driver's `find().toArray()`,
//! knex, Kysely and Drizzle selects.
//!
//! Precision: the query must be visibly built *and* materialized here. Anything that
//! bounds it (a limit, a slice, a paginator, a key filter, an aggregate) or that the model
//! cannot see (options from a spread or a parameter, a builder handed to another function)
//! keeps the rule silent. Only reads the code shows on a request path are reported: in a
//! request handler, a `(req, res)` controller, or a same-file helper whose rows a handler
//! hands to its response; service and storage functions whose callers are elsewhere are
//! silent. Queries scoped to what the request names (`filter(task=task)`,
//! `where: { authorId }`) are silent: nearly always a handful of children. Lookup tables (roles,
//! countries, settings...), migrations, seeds, scripts, CLIs, management commands and
//! import-time code are skipped: they legitimately read whole, small tables.

use crate::common::{
    decorators, js_arguments, js_property, literal_str, mentions_identifier, name_words,
    named_children, py_argument, resolve_local, stem_and_dirs, Lookup,
};
use corbel_engine::semantic::{walk_preorder, Binding, ChainLink};
use corbel_engine::{
    BindingValue, Category, Family, Precision, Rule, RuleContext, RuleMeta, RuleOption, Semantic,
    Severity, Span, Trigger,
};
use tree_sitter::Node;

mod drf_pagination;
pub use drf_pagination::UnboundedQueryDrfPagination;

pub struct UnboundedQuery;

pub static META: RuleMeta = RuleMeta {
    id: "unbounded-query",
    name: "UnboundedQuery",
    summary: "query that can load every row of a table in one go, with no limit or pagination",
    category: Category::Performance,
    default_severity: Severity::Warning,
    families: &[Family::Python, Family::JavaScript],
    cwe: &[],
    prod_only: true,
    precision: Precision::High,
    security_severity: None,
    doc: include_str!("../../../rules/unbounded-query.md"),
};

/// Tables a team knows stay small, which nothing in the code says.
const SMALL_TABLES: &str = "small-tables";

/// Tables a team knows grow, which their names do not say.
const LARGE_TABLES: &str = "large-tables";

impl Rule for UnboundedQuery {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> &'static [RuleOption] {
        &[
            RuleOption {
                name: SMALL_TABLES,
                takes: "model or table names that stay small, e.g. [\"Room\", \"auth_group\"]",
            },
            RuleOption {
                name: LARGE_TABLES,
                takes:
                    "model or table names that grow with use, e.g. [\"Consignment\", \"gl_entry\"]",
            },
        ]
    }

    fn triggers(&self, family: Family) -> &'static [Trigger] {
        match family {
            Family::Python => &[Trigger::Any(&[
                ".objects",
                "_default_manager",
                ".query",
                "scalars(",
                // SQLModel's `session.exec(select(User)).all()`.
                ".exec(",
                "fetchall(",
                ".find(",
                ".find_all(",
                ".find_many(",
                "to_list(",
                // DRF list views' settings (`DEFAULT_PAGINATION_CLASS`).
                "REST_FRAMEWORK",
            ])],
            Family::JavaScript => &[Trigger::Any(&[
                "findMany",
                "findAll",
                "findAndCount",
                ".find(",
                "findBy(",
                "getMany",
                "getRawMany",
                "getRawAndEntities",
                "selectFrom",
                "toArray",
                "knex",
                "drizzle",
            ])],
        }
    }

    fn node_kinds(&self, family: Family) -> &'static [&'static str] {
        match family {
            Family::Python => &[
                "call",
                "for_statement",
                "for_in_clause",
                "return_statement",
                "class_definition",
                "expression_statement",
            ],
            Family::JavaScript => &["call_expression", "await_expression"],
        }
    }

    fn check(&self, node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
        if is_batch_path(ctx.path) {
            return;
        }
        match ctx.family() {
            Family::Python => check_python(node, ctx),
            Family::JavaScript => check_javascript(node, ctx),
        }
    }
}

// ------------------------------------------------------------------------------ shared

/// How many variable hops are followed before giving up.
const MAX_HOPS: usize = 8;

/// How many nodes a filter walk looks at.
const WALK_BUDGET: usize = 2_000;

/// Columns that identify one row whatever the model.
const KEY_NAMES: &[&str] = &["id", "pk", "uuid", "guid", "_id"];

/// Directories whose code runs once, by hand or at deploy time, over tables it means to
/// read whole: data migrations, seeds, one-off scripts, CLIs, Django management commands,
/// imports and exports, `setup.py`/`manage.py`.
fn is_batch_path(path: &str) -> bool {
    let mut dirs: Vec<&str> = path.split('/').collect();
    let file = dirs.pop().unwrap_or("");
    if matches!(
        file,
        "setup.py" | "manage.py" | "noxfile.py" | "fabfile.py" | "testing.py"
    ) {
        return true;
    }
    dirs.iter().any(|dir| {
        let dir = dir.to_ascii_lowercase();
        dir.contains("migration")
            || matches!(
                dir.as_str(),
                "alembic"
                    | "seeds"
                    | "seed"
                    | "seeders"
                    | "seeding"
                    | "scripts"
                    | "script"
                    | "bin"
                    | "cli"
                    | "management"
                    | "commands"
                    | "upgrades"
                    | "upgrade"
                    | "import"
                    | "imports"
                    | "importer"
                    | "importers"
                    | "export"
                    | "exports"
                    | "exporter"
                    | "exporters"
                    // Schema deltas (`storage/schema/main/delta/30/as_users.py`) and
                    // contributed one-off tools (`contrib/dump_comments.py`).
                    | "delta"
                    | "deltas"
                    | "contrib"
            )
    }) || {
        // `dashboard_import_export.py`, `csv_exporter.ts`: import and export code reads
        // whole tables on purpose; so do migration helpers (`ipam/utils/migrations.py`).
        let stem = file.split('.').next().unwrap_or("");
        name_words(stem).iter().any(|word| {
            matches!(
                word.as_str(),
                "import"
                    | "importer"
                    | "importers"
                    | "export"
                    | "exporter"
                    | "exporters"
                    | "migration"
                    | "migrations"
            )
        })
    }
}

/// Lookup and configuration tables: a few rows, read whole on purpose. Matched on the
/// last word of the model or table name (`ProjectOnboardingSteps`, `user_roles`).
const LOOKUP_WORDS: &[&str] = &[
    "role",
    "roles",
    "permission",
    "permissions",
    "group",
    "groups",
    "country",
    "countries",
    "currency",
    "currencies",
    "language",
    "languages",
    "locale",
    "locales",
    "timezone",
    "timezones",
    "setting",
    "settings",
    "config",
    "configs",
    "configuration",
    "configurations",
    "option",
    "options",
    "preference",
    "preferences",
    "category",
    "categories",
    "type",
    "types",
    "kind",
    "kinds",
    "status",
    "statuses",
    "step",
    "steps",
    "plan",
    "plans",
    "feature",
    "features",
    "flag",
    "flags",
    "site",
    "sites",
    "region",
    "regions",
    "theme",
    "themes",
    "template",
    "templates",
    "menu",
    "menus",
    "scope",
    "scopes",
    "enum",
    "enums",
    "database",
    "databases",
    "policy",
    "policies",
    "migration",
    "migrations",
    "field",
    "fields",
    "collection",
    "collections",
    "relation",
    "relations",
    "extension",
    "extensions",
    "tier",
    "tiers",
    "label",
    "labels",
    "zone",
    "zones",
    "channel",
    "channels",
    "connection",
    "connections",
    "column",
    "columns",
    "resolver",
    "resolvers",
    "realm",
    "realms",
    "connector",
    "connectors",
    "provider",
    "providers",
    "macro",
    "macros",
    "pref",
    "prefs",
    "vocabulary",
    "vocabularies",
    "admin",
    "admins",
    "storage",
    "storages",
    "handler",
    "handlers",
    "department",
    "departments",
    "week",
    "weeks",
    "weekday",
    "weekdays",
    "restriction",
    "restrictions",
    "plugin",
    "plugins",
    "icon",
    "icons",
    "rank",
    "ranks",
    // `ImageFormat`, `ExportFormat`: the formats a tool supports.
    "format",
    "formats",
    // A forum's badge kinds, a mail server's domains: a handful per installation.
    "badge",
    "badges",
    "domain",
    "domains",
    // Operating system distributions a packaging service tracks.
    "distro",
    "distros",
    // A shop's payment and shipping methods.
    "method",
    "methods",
    // Vocabularies of measure: meter-reading frequencies, billing cycles, units.
    "frequency",
    "frequencies",
    "interval",
    "intervals",
    "cycle",
    "cycles",
    "unit",
    "units",
    // Controlled vocabularies, UI widgets and installed modules: configuration.
    "thesaurus",
    "thesauri",
    "widget",
    "widgets",
    "module",
    "modules",
    // The apps and integrations an installation connects: added by its administrators.
    "app",
    "apps",
    "integration",
    "integrations",
    // The endpoints and connectors an operator points the service at
    // (`CephDashboardEndpoint`): connection settings, one per system it talks to.
    "endpoint",
    "endpoints",
    "connector",
    "connectors",
];

/// Rows that use creates: one per sign-up, order, event, message or run, so the table
/// grows for as long as the service lives, whoever reads it. Matched on any word of the
/// model or table name, in the singular (`AuditEvent`, `order_items`,
/// `GeneralStudyModuleAttr`). A name with none of these nor of [`AUTHORED_WORDS`]
/// (`Release`, `CardModel`, `DicomNode`) may be a table someone fills by hand, whose size
/// only the team knows: `large-tables` names those. A `Feed` is one, the sources a reader
/// subscribed to one at a time; what they bring in (`FeedEntry`, `FeedItem`) grows.
const GENERATED_WORDS: &[&str] = &[
    // People and what they sign up for.
    "user",
    "account",
    "customer",
    "member",
    "membership",
    "profile",
    "person",
    "people",
    "patient",
    "student",
    "subscriber",
    "subscription",
    "follower",
    "contact",
    "lead",
    "enrollment",
    "invitation",
    "invite",
    "session",
    "token",
    "device",
    // Commerce.
    "order",
    "invoice",
    "payment",
    "transaction",
    "charge",
    "refund",
    "cart",
    "booking",
    // An auction's bids: a row per offer, as an order is.
    "bid",
    "reservation",
    "appointment",
    "shipment",
    "review",
    "rating",
    "vote",
    "like",
    // Activity.
    "event",
    "log",
    "audit",
    "history",
    "activity",
    "action",
    "notification",
    "alert",
    "incident",
    "visit",
    "click",
    "metric",
    "measurement",
    "reading",
    "sample",
    "trace",
    "span",
    "request",
    "call",
    "state",
    // What people write to each other.
    "message",
    "comment",
    "post",
    "article",
    "reply",
    "thread",
    "conversation",
    "chat",
    "email",
    "mail",
    "ticket",
    "issue",
    "story",
    "submission",
    "response",
    "answer",
    "observation",
    "assessment",
    "study",
    "claim",
    // Work a system does.
    "job",
    "run",
    "task",
    "result",
    "execution",
    "build",
    "deployment",
    "commit",
    "experiment",
    "artifact",
    "backup",
    "snapshot",
    "revision",
];

/// Things someone authors or uploads: documents, files, products, datasets. Where the
/// service's users author them they grow with use like [`GENERATED_WORDS`]; in an admin
/// console (see [`in_admin_console`]) the administrators author them, at the pace of a
/// few people typing (`VirtualEjsFile`, `StripeCatalogItem`, `UiComponentMedia`), and
/// how many there are only the team knows. Projects are not here: each is set up by hand
/// for a production, an engagement or a grant, so even a service's own users make a few
/// dozen of them (a studio's menu of productions, a lab's billing projects).
const AUTHORED_WORDS: &[&str] = &[
    "product",
    "item",
    "listing",
    "document",
    "doc",
    "file",
    "upload",
    "attachment",
    "book",
    "media",
    "photo",
    "image",
    "video",
    "content",
    "entry",
    "version",
    "record",
    "report",
    "query",
    "dashboard",
    "namespace",
    "dataset",
];

/// `studies` → `study`, `addresses` → `address`, `orders` → `order`.
fn singular(word: &str) -> std::borrow::Cow<'_, str> {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y").into();
    }
    for suffix in ["sses", "shes", "ches", "xes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].into();
        }
    }
    match word.strip_suffix('s') {
        // `class`, `status`, `canvas`: not plurals.
        Some(stem) if !stem.ends_with(['s', 'u', 'a']) => stem.into(),
        _ => word.into(),
    }
}

/// Whether the model or table name says its rows come from use: generated by it, or
/// authored by the service's users.
fn grows_with_use(model: &str) -> bool {
    names_generated(model) || names_any(model, AUTHORED_WORDS)
}

/// Whether the table's rows come from use ([`GENERATED_WORDS`]). Keys are in neither
/// list: API keys, signing keys and public keys are each made by hand or by an operator's
/// job, and a service's users read theirs filtered by owner, so a read of every key is an
/// operator's read of a handful. An API token (`APIToken`, `api_tokens`) is an API key
/// by another name, not one per sign-in like a session's token.
fn names_generated(model: &str) -> bool {
    let words = name_words(table_name(model));
    words.iter().enumerate().any(|(index, word)| {
        is_one_of(word, GENERATED_WORDS)
            && !(singular(word) == "token" && index > 0 && words[index - 1] == "api")
    })
}

/// The table's own name, without its schema or module: `cap_project.faculty` → `faculty`,
/// `db.Books` → `Books`.
fn table_name(model: &str) -> &str {
    model.rsplit('.').next().unwrap_or(model)
}

/// Whether any word of the table name (not its schema or module: `cap_project.faculty`,
/// `db.Books`) is one of `words`, in the singular.
fn names_any(model: &str, words: &[&str]) -> bool {
    name_words(table_name(model))
        .iter()
        .any(|word| is_one_of(word, words))
}

/// Whether `word`, as written or in the singular, is one of `words`.
fn is_one_of(word: &str, words: &[&str]) -> bool {
    words.contains(&word) || words.contains(&singular(word).as_ref())
}

/// Whether a table list (`small-tables`, `large-tables`) names the model (`Room`, `booking.Room`) or table, in any case.
fn is_configured(model: &str, small: &[String]) -> bool {
    let last = table_name(model);
    small
        .iter()
        .any(|name| name.eq_ignore_ascii_case(last) || name.eq_ignore_ascii_case(model))
}

fn is_lookup_table(model: &str) -> bool {
    let words = name_words(model);
    // `role_model`, `RoleTable`: the word before a generic suffix names the table.
    let mut words: &[String] = &words;
    while let [rest @ .., last] = words {
        if matches!(
            last.as_str(),
            "model"
                | "models"
                | "table"
                | "cls"
                | "entity"
                | "repo"
                | "repository"
                | "dao"
                | "data"
                // `StatusEntry`, `ConfigItem`: a generic noun takes its meaning from the
                // word before it.
                | "entry"
                | "entries"
                | "item"
                | "items"
        ) && !rest.is_empty()
        {
            words = rest;
        } else {
            break;
        }
    }
    let last = words.last().map(String::as_str).unwrap_or("");
    LOOKUP_WORDS.contains(&last)
        || has_reference_prefix(model)
        || is_time_window(model)
        || is_staff_roster(model)
        || words.iter().any(|w| {
            matches!(
                w.as_str(),
                // `CronJob`, `ScheduledTask`, `RecurringCharge`: definitions someone set
                // up, not the runs or charges they make.
                "schedule" | "schedules" | "scheduled" | "cron" | "crons" | "crontab" | "alembic"
                    | "recurring" | "periodic"
                    // `FeaturedMedia`, `PinnedPost`: the handful someone picked by hand.
                    | "featured" | "pinned" | "curated" | "highlighted"
            )
        })
        || words
            .iter()
            .any(|w| w.contains("permission") || matches!(w.as_str(), "role" | "roles"))
}

/// `ref_countries`, `LkpCurrency`, `BibTypesMedia`, `sys_dict_data`: schemas that name
/// their reference lists with a leading `ref`, `lkp`, `lookup`, `bib` (French
/// "bibliothèque", the nomenclature tables of GeoNature-style schemas), `nomenclature` or
/// `dict` word, whatever words follow. `RefundRequest` starts with `refund`.
fn has_reference_prefix(model: &str) -> bool {
    let words = name_words(table_name(model));
    let words = match words.as_slice() {
        // `sys_dict_data`, `t_ref_region`: a schema-wide prefix comes first.
        [first, rest @ ..] if matches!(first.as_str(), "sys" | "t" | "tbl") => rest,
        all => all,
    };
    matches!(words, [first, _, ..] if matches!(
        first.as_str(),
        "ref" | "lkp" | "lookup" | "bib" | "nomenclature" | "dict"
    ))
}

/// `Recent24hEvents`, `latest_orders`, `TodaysBookings`, `last_7d_logins`: a view or
/// table that holds a time window by its name, its size set by the window.
fn is_time_window(model: &str) -> bool {
    let words = name_words(table_name(model));
    let Some(first) = words.first() else {
        return false;
    };
    if matches!(first.as_str(), "recent" | "latest" | "today" | "todays") {
        return true;
    }
    // `recent24h`, `last_7d`, `past30days`.
    let mut head = first.clone();
    if let Some(second) = words
        .get(1)
        .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    {
        head.push_str(second);
    }
    ["recent", "last", "past"].iter().any(|prefix| {
        head.strip_prefix(prefix).is_some_and(|window| {
            let unit = window.trim_start_matches(|c: char| c.is_ascii_digit());
            unit.len() < window.len()
                && matches!(
                    unit,
                    "h" | "d" | "w" | "m" | "hours" | "days" | "weeks" | "months"
                )
        })
    })
}

/// `StaffMember`, `staff_profiles`: the people the operator employs, a roster that grows
/// with hiring, not with use. What staff do (`StaffCharge`, `StaffShift`) still grows.
fn is_staff_roster(model: &str) -> bool {
    matches!(name_words(table_name(model)).as_slice(), [first, rest @ ..] if first == "staff"
    && !rest.is_empty()
    && rest.iter().all(|w| matches!(
        w.as_str(),
        "member" | "members" | "profile" | "profiles" | "user" | "users" | "person" | "people"
    )))
}

/// What a query's filters say about the rows it returns.
#[derive(Debug, Clone, Copy, Default)]
struct Filtering {
    /// Some filter is applied.
    filtered: bool,
    /// A filter pins a key column (`id`, `pk`, a visibly unique field): one row, or the
    /// rows of a given list of keys.
    keyed: bool,
    /// A filter equates a column with a runtime value (`user=request.user`,
    /// `{ authorId }`, `.in_(ids)`): the rows of one parent or of a given set.
    scoped: bool,
    /// How many columns are equated with runtime values: two or more pin a composite
    /// (natural) key or the rows shared by two parents, a handful.
    equalities: usize,
    /// A filter the model cannot see (`**kwargs`, a spread, a callback).
    unknown: bool,
}

impl Filtering {
    fn merge(&mut self, other: Filtering) {
        self.filtered |= other.filtered;
        self.keyed |= other.keyed;
        self.scoped |= other.scoped;
        self.equalities += other.equalities;
        self.unknown |= other.unknown;
    }

    fn rows(&self, target: &str) -> String {
        if self.filtered {
            format!("every matching row of {target}")
        } else {
            format!("every row of {target}")
        }
    }
}

/// A finding, before the context decides whether it stands.
struct Candidate<'t> {
    /// Where the query is materialized: decides the request-handler context.
    anchor: Node<'t>,
    span: Span,
    /// Model or table name, for the lookup-table exemption.
    model: String,
    filtering: Filtering,
    message: String,
    help: String,
}

/// A Python model of the project's own named just `Session`: a game night, a class, a
/// training or therapy session, one a person schedules. Sign-in sessions in a Python
/// database are Django's `django.contrib.sessions` model (other stacks keep them in a
/// cache or a cookie), which stays a table use grows; `UserSession` and `ChatSession`
/// name what grows in another word.
fn is_domain_session_model(model: &str, source: &str) -> bool {
    matches!(table_name(model), "Session" | "Sessions") && !source.contains("contrib.sessions")
}

/// Whether a read of `model` with these filters can return every row of a table that
/// grows: no key or composite-key filter, no filter the model cannot see, not a lookup
/// table, and not the children of what the request names.
fn reads_whole_table(ctx: &RuleContext<'_, '_>, model: &str, filtering: Filtering) -> bool {
    if filtering.keyed || filtering.unknown || filtering.equalities >= 2 {
        return false;
    }
    // What the team says of a table beats what its name suggests.
    let small = is_configured(model, ctx.option(SMALL_TABLES));
    let large = is_configured(model, ctx.option(LARGE_TABLES));
    if small || (!large && (is_lookup_table(model) || !grows_with_use(model))) {
        return false;
    }
    if !large && ctx.family() == Family::Python && is_domain_session_model(model, ctx.source) {
        return false;
    }
    // Rows of what the request names (`filter(project=project)`, `where: { authorId }`):
    // the children of one parent, which on real code are nearly always a handful
    // (a user's tokens, a project's platforms); how many is unknown here.
    !filtering.scoped
}

/// Reports a candidate unless its filters bound it or scope it to what the request names,
/// it reads a lookup table, it runs in a background job, or the code does not show it
/// runs while answering a request.
fn emit(ctx: &mut RuleContext<'_, '_>, candidate: Candidate<'_>) {
    if !reads_whole_table(ctx, &candidate.model, candidate.filtering) {
        return;
    }
    let semantic = ctx.semantic;
    if builds_choices(candidate.anchor, semantic) {
        return;
    }
    if !names_generated(&candidate.model)
        && !is_configured(&candidate.model, ctx.option(LARGE_TABLES))
        && in_admin_console(candidate.anchor, ctx.path, semantic)
    {
        return;
    }
    if in_background_job(candidate.anchor, semantic)
        || in_development_only_code(candidate.anchor, semantic)
        || in_maintenance_function(candidate.anchor, semantic)
        || !on_request_path(candidate.anchor, semantic)
    {
        return;
    }
    // Table sizes are the one thing code cannot show: say how to record a small one.
    let table = candidate
        .model
        .rsplit('.')
        .next()
        .unwrap_or(&candidate.model);
    let help = format!(
        "{}; if `{table}` stays small, list it in `small-tables` under `[rules.unbounded-query]`",
        candidate.help
    );
    ctx.report_span(candidate.span, candidate.message)
        .help(help);
}

/// Whether `node` answers administrators only: its file is part of an admin console
/// (`admin/`, `adminPages.controller.js`, `stripe_admin.py`), its route is under
/// `/admin`, or a guard on it lets only administrators in (`@staff_member_required`,
/// `@superuser_required`, `router.get("/x", requireAdmin, handler)`).
fn in_admin_console(node: Node<'_>, path: &str, semantic: &Semantic<'_>) -> bool {
    let (stem, dirs) = stem_and_dirs(path);
    let admin_word = |word: &String| {
        matches!(
            word.as_str(),
            "admin" | "admins" | "administration" | "backoffice" | "superuser" | "staff"
        )
    };
    if dirs
        .iter()
        .chain([&stem])
        .any(|part| name_words(part).iter().any(admin_word))
    {
        return true;
    }
    let Some(handler) = semantic.request_handler(node) else {
        return false;
    };
    // Python: the handler's decorators (`@app.route("/admin/users")`,
    // `@staff_member_required`).
    if handler.kind() == "function_definition" {
        let guarded_parameters = handler
            .child_by_field_name("parameters")
            .is_some_and(|parameters| admin_dependency(parameters, semantic, &admin_word));
        return decorators(handler).into_iter().any(|decorator| {
            admin_guard(semantic.text(decorator), &admin_word)
                || admin_dependency(decorator, semantic, &admin_word)
        }) || guarded_parameters
            || class_guards_method(handler, semantic, &admin_word);
    }
    // JS: the route registration the handler is an argument of.
    let Some(arguments) = handler.parent().filter(|p| p.kind() == "arguments") else {
        return false;
    };
    let mut cursor = arguments.walk();
    let registered = arguments
        .named_children(&mut cursor)
        .take_while(|argument| argument.id() != handler.id())
        .any(|argument| admin_guard(semantic.text(argument), &admin_word));
    registered
}

/// A Django class-based view whose class applies an administrators' guard to this method:
/// `@method_decorator(is_platform_admin(), name="get")` (or `name="dispatch"`, every
/// method).
fn class_guards_method(
    method: Node<'_>,
    semantic: &Semantic<'_>,
    admin_word: &impl Fn(&String) -> bool,
) -> bool {
    let Some(class) = corbel_engine::semantic::enclosing_class(semantic.root(), method) else {
        return false;
    };
    let Some(name) = method.child_by_field_name("name").map(|n| semantic.text(n)) else {
        return false;
    };
    decorators(class).into_iter().any(|decorator| {
        let text = semantic.text(decorator);
        let Some(inner) = text.strip_prefix("@method_decorator(") else {
            return false;
        };
        let applies = [name, "dispatch"].iter().any(|method| {
            inner.contains(&format!("name=\"{method}\""))
                || inner.contains(&format!("name='{method}'"))
        });
        applies && admin_guard(inner, admin_word)
    })
}

/// A FastAPI dependency that lets only administrators in, in a handler's parameters
/// (`_: Annotated[User, Depends(require_role("admin"))]`) or its route's
/// `dependencies=[Depends(get_current_superuser)]`: a word of the dependency's arguments
/// names them (`is_superuser` and `is_admin` included).
fn admin_dependency(
    node: Node<'_>,
    semantic: &Semantic<'_>,
    admin_word: &impl Fn(&String) -> bool,
) -> bool {
    let mut found = false;
    walk_preorder(node, |call| {
        if found || call.kind() != "call" {
            return;
        }
        let marker = call
            .child_by_field_name("function")
            .map(|function| semantic.text(function).rsplit('.').next().unwrap_or(""));
        if !matches!(marker, Some("Depends" | "Security")) {
            return;
        }
        found = call
            .child_by_field_name("arguments")
            .is_some_and(|arguments| name_words(semantic.text(arguments)).iter().any(admin_word));
    });
    found
}

/// A route string under `/admin`, a guard named for administrators, or one that tests
/// the user's administrator flag.
fn admin_guard(text: &str, admin_word: &impl Fn(&String) -> bool) -> bool {
    let route = text
        .split(['"', '\'', '`'])
        .nth(1)
        .is_some_and(|route| route.starts_with("/admin") || route.contains("/admin/"));
    // `@user_passes_test(lambda u: u.is_superuser)`: a test of the user's role.
    let role_test = ["is_superuser", "is_staff", "is_admin", "isAdmin"]
        .iter()
        .any(|flag| text.contains(flag));
    route
        || role_test
        || name_words(text.split('(').next().unwrap_or(text))
            .iter()
            .any(admin_word)
}

/// Whether the code shows the rows are loaded while answering a request: the query runs
/// in a request handler, or in a function of this file that returns the rows to a handler
/// (or to a route registration naming it) which hands them on to its response. In
/// service, repository and storage functions whose callers are elsewhere, whether the
/// query runs on a hot path, and over how many rows, is unknown: silent.
fn on_request_path(anchor: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if semantic.request_handler(anchor).is_some() {
        return true;
    }
    let Some(function) = semantic.enclosing_function(anchor) else {
        return false;
    };
    // `exports.list = async (req, res) => ...`: an Express controller whose route is
    // registered in another file; its rows go to `res`.
    if is_express_controller(function, semantic) {
        return true;
    }
    let Some(name) = function_name(function, semantic) else {
        return false;
    };
    if !reaches_response(anchor, semantic, MAX_VALUE_HOPS) {
        return false;
    }
    let mut shown = false;
    let mut budget = FILE_WALK_BUDGET;
    walk_preorder(semantic.root(), |node| {
        if shown || budget == 0 {
            return;
        }
        budget -= 1;
        match node.kind() {
            // `rows = self.list_rows()` / `listRows(req)` inside a handler, its result
            // handed on to the response.
            "call" | "call_expression" => {
                let Some(callee) = node.child_by_field_name("function") else {
                    return;
                };
                if calls_function(callee, name, semantic)
                    && semantic.request_handler(node).is_some()
                    && reaches_response(node, semantic, MAX_VALUE_HOPS)
                {
                    shown = true;
                }
            }
            // `router.get('/users', listUsers)`: the function is the handler.
            "identifier" | "member_expression"
                if (semantic.text(node) == name
                    || semantic.text(node).strip_prefix("this.") == Some(name))
                    && is_route_argument(node, semantic) =>
            {
                shown = true;
            }
            _ => {}
        }
    });
    shown
}

/// A JS function taking `(req, res)` / `(request, reply)`: an Express or Fastify
/// controller, whatever file registers its route.
fn is_express_controller(function: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let names = parameter_names(function, semantic);
    matches!(
        names.as_slice(),
        [request, response, ..]
            if matches!(*request, "req" | "request")
                && matches!(*response, "res" | "response" | "reply")
    )
}

/// Whether the rows become the choices of a form field (`kbitem_choices = [(i.pk, str(i))
/// for i in KBItem.objects.all()]`, `choices=[...]`): a select box lists a table the
/// code itself treats as small.
fn builds_choices(anchor: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let mut current = anchor;
    for _ in 0..MAX_CLIMB {
        let Some(parent) = current.parent() else {
            return false;
        };
        let target = match parent.kind() {
            "assignment" => parent.child_by_field_name("left"),
            "keyword_argument" => parent.child_by_field_name("name"),
            "variable_declarator" => parent.child_by_field_name("name"),
            "pair" => parent.child_by_field_name("key"),
            "block" | "statement_block" | "module" | "program" => return false,
            _ => None,
        };
        if let Some(target) = target {
            return name_words(semantic.text(target))
                .iter()
                .any(|word| matches!(word.as_str(), "choice" | "choices"));
        }
        current = parent;
    }
    false
}

/// How many nodes of a file are looked at to find the callers of a function.
const FILE_WALK_BUDGET: usize = 60_000;

/// The name a function is called by: `def name`, `function name`, a method's name, or
/// the variable an arrow function is assigned to.
fn function_name<'t>(function: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    if let Some(name) = function.child_by_field_name("name") {
        return Some(semantic.text(name));
    }
    let parent = function.parent()?;
    match parent.kind() {
        "variable_declarator" => parent
            .child_by_field_name("name")
            .filter(|n| n.kind() == "identifier")
            .map(|n| semantic.text(n)),
        "pair" => parent
            .child_by_field_name("key")
            .filter(|n| n.kind() == "property_identifier")
            .map(|n| semantic.text(n)),
        _ => None,
    }
}

/// `name(...)`, `self.name(...)`, `cls.name(...)`, `this.name(...)`.
fn calls_function(callee: Node<'_>, name: &str, semantic: &Semantic<'_>) -> bool {
    match callee.kind() {
        "identifier" => semantic.text(callee) == name,
        "attribute" | "member_expression" => {
            let object = callee.child_by_field_name("object");
            let member = callee
                .child_by_field_name("attribute")
                .or_else(|| callee.child_by_field_name("property"));
            matches!(
                (object.map(|o| semantic.text(o)), member.map(|m| semantic.text(m))),
                (Some("self" | "cls" | "this"), Some(member)) if member == name
            )
        }
        _ => false,
    }
}

/// An argument, after the path, of a route registration: `router.get('/x', auth, list)`.
fn is_route_argument(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    semantic
        .route_registration(node)
        .is_some_and(|method| matches!(method, "get" | "post" | "put" | "patch" | "delete" | "all"))
}

/// How many variables a materialized result is followed through (`rows = q.all()`,
/// `data = [r.to_dict() for r in rows]`, `return jsonify(data)`).
const MAX_VALUE_HOPS: usize = 3;

/// How many enclosing expressions are climbed from a materialized result.
const MAX_CLIMB: usize = 24;

/// Calls that look at rows without handing them on (`len(rows)`, `print(rows)`,
/// `logger.info(...)`).
const INSPECTING_CALLS: &[&str] = &[
    "len",
    "bool",
    "any",
    "all",
    "print",
    "isinstance",
    "id",
    "hash",
    "repr",
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "log",
    "trace",
    "assert",
    "forEach",
    "length",
];

/// Calls that use rows (or keys taken from them) to query or write the database, not to
/// answer the request: `Group.id.in_(ids)`, `.filter(...)`, `session.delete(row)`.
const QUERYING_CALLS: &[&str] = &[
    "in_",
    "notin_",
    "not_in",
    "filter",
    "filter_by",
    "where",
    "exclude",
    "whereIn",
    "whereNotIn",
    "In",
    "get",
    "delete",
    "update",
    "add",
    "add_all",
    "merge",
    "execute",
    "bulk_update",
    "bulk_create",
    "save",
    "remove",
    "refresh",
    "expunge",
];

/// Calls that turn rows into another collection of the same rows (`list(rows)`,
/// `sorted(rows)`, `rows.map(...)`): the result is followed further.
const CONVERTING_CALLS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "frozenset",
    "sorted",
    "reversed",
    "dict",
    "enumerate",
    "zip",
    "filter",
    "map",
    "from",
    "concat",
    "slice",
    "sort",
    "flatMap",
    "reduce",
    "then",
];

/// Whether the rows materialized at `anchor` are handed on whole: returned (from a view,
/// possibly inside `jsonify(...)`/`render_template(..., rows=...)`/a comprehension),
/// passed to a call (`res.json(rows)`, `Serializer(rows)`), or stored on a response or
/// context object (`ctx.body = rows`, `context["rows"] = rows`), directly or through a
/// few local variables. Rows only looped over, counted or turned into a set of ids that
/// stays in the function are not.
fn reaches_response(anchor: Node<'_>, semantic: &Semantic<'_>, hops: usize) -> bool {
    let mut current = anchor;
    for _ in 0..MAX_CLIMB {
        if current.kind() == "return_statement" {
            return true;
        }
        let Some(parent) = current.parent() else {
            return false;
        };
        match parent.kind() {
            "return_statement" => return true,
            // `(req, res) => prisma.post.findMany(...)`: the expression body is returned.
            "arrow_function" => {
                return parent
                    .child_by_field_name("body")
                    .is_some_and(|body| body.id() == current.id());
            }
            "argument_list" | "arguments" => {
                let Some(call) = parent.parent() else {
                    return false;
                };
                let name = call
                    .child_by_field_name("function")
                    .map(|callee| last_name(callee, semantic))
                    .unwrap_or("");
                if INSPECTING_CALLS.contains(&name) || QUERYING_CALLS.contains(&name) {
                    return false;
                }
                if !CONVERTING_CALLS.contains(&name) {
                    return true;
                }
                current = call;
                continue;
            }
            "assignment"
            | "augmented_assignment"
            | "variable_declarator"
            | "assignment_expression" => {
                let (target, value) = match parent.kind() {
                    "variable_declarator" => (
                        parent.child_by_field_name("name"),
                        parent.child_by_field_name("value"),
                    ),
                    _ => (
                        parent.child_by_field_name("left"),
                        parent.child_by_field_name("right"),
                    ),
                };
                let (Some(target), Some(value)) = (target, value) else {
                    return false;
                };
                if value.id() != current.id() {
                    return false;
                }
                return match target.kind() {
                    "identifier" => {
                        hops > 0 && variable_reaches_response(target, parent, semantic, hops - 1)
                    }
                    // `ctx.body = rows`, `context["rows"] = rows`, `self.rows = rows`.
                    "attribute" | "member_expression" | "subscript" | "subscript_expression" => {
                        true
                    }
                    _ => false,
                };
            }
            // `rows.length`, `rows[0]`, `rows.forEach(...)`: looked at here; `rows.map(...)`
            // and `rows.filter(...)` are followed.
            "attribute" | "member_expression"
                if parent
                    .child_by_field_name("object")
                    .is_some_and(|object| object.id() == current.id()) =>
            {
                let method = parent
                    .child_by_field_name("attribute")
                    .or_else(|| parent.child_by_field_name("property"))
                    .map(|member| semantic.text(member))
                    .unwrap_or("");
                let called = parent.parent().filter(|call| {
                    matches!(call.kind(), "call" | "call_expression")
                        && call
                            .child_by_field_name("function")
                            .is_some_and(|function| function.id() == parent.id())
                });
                match called {
                    Some(call) if CONVERTING_CALLS.contains(&method) => current = call,
                    _ => return false,
                }
            }
            "subscript" | "subscript_expression" => return false,
            // Statements that only use the rows where they are.
            "for_statement"
            | "for_in_statement"
            | "if_statement"
            | "while_statement"
            | "expression_statement"
            | "assert_statement"
            | "delete_statement"
            | "block"
            | "statement_block"
            | "module"
            | "program"
            | "comparison_operator"
            | "not_operator"
            | "unary_expression" => return false,
            _ => current = parent,
        }
    }
    false
}

/// Whether a local variable assigned at `statement` is later handed on whole.
fn variable_reaches_response(
    target: Node<'_>,
    statement: Node<'_>,
    semantic: &Semantic<'_>,
    hops: usize,
) -> bool {
    let name = semantic.text(target);
    let scope = semantic
        .enclosing_function(statement)
        .unwrap_or_else(|| semantic.root());
    let mut uses = Vec::new();
    let mut budget = WALK_BUDGET;
    walk_preorder(scope, |child| {
        if budget == 0 {
            return;
        }
        budget -= 1;
        let is_name = match child.kind() {
            // `{ rows }` in JS hands `rows` on.
            "identifier" | "shorthand_property_identifier" => {
                // Not `render(rows=...)`'s keyword nor `self.rows`'s attribute.
                !child.parent().is_some_and(|parent| {
                    let field = match parent.kind() {
                        "keyword_argument" => "name",
                        "attribute" => "attribute",
                        _ => return false,
                    };
                    parent
                        .child_by_field_name(field)
                        .is_some_and(|named| named.id() == child.id())
                })
            }
            _ => false,
        };
        if is_name && child.start_byte() >= statement.end_byte() && semantic.text(child) == name {
            uses.push(child);
        }
    });
    // Out of budget: the function is too long to follow; assume the rows are handed on.
    if budget == 0 {
        return true;
    }
    uses.into_iter()
        .any(|usage| reaches_response(usage, semantic, hops))
}

/// The last name of a callee: `len`, `json` for `res.json`, `info` for `logger.info`.
fn last_name<'t>(callee: Node<'t>, semantic: &Semantic<'t>) -> &'t str {
    let text = semantic.text(callee);
    text.rsplit('.').next().unwrap_or(text).trim()
}

/// Words of a function name that say it runs once, at start-up or by hand, over whole
/// tables: `init_mcp_servers`, `bootstrap`, `rebuild` (a search index), `backfill_...`.
const MAINTENANCE_WORDS: &[&str] = &[
    "init",
    "initialize",
    "initialise",
    "bootstrap",
    "startup",
    "seed",
    "migrate",
    "backfill",
    "reindex",
    "rebuild",
    // Garbage collection: finding what nothing references means reading every row.
    "purge",
    "prune",
    "orphan",
    "orphans",
    "sweep",
    "vacuum",
    "gc",
];

/// Whether `node` sits in the branch of an `if` that holds only in development
/// (`if app.debug:`, `if settings.DEBUG:`, `if os.environ.get("FLASK_ENV") ==
/// "development":`, `if (process.env.NODE_ENV === "development")`): debug routes that
/// never serve production traffic.
fn in_development_only_code(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "if_statement" {
            let in_consequence = parent
                .child_by_field_name("consequence")
                .is_some_and(|body| body.id() == current.id());
            let development = parent.child_by_field_name("condition").is_some_and(|c| {
                let text = semantic.text(c).to_ascii_lowercase();
                (text.contains("development") || text.contains("debug"))
                    && !text.contains("production")
                    && !text.contains("not ")
                    && !text.contains('!')
            });
            if in_consequence && development {
                return true;
            }
        }
        current = parent;
    }
    false
}

/// Whether `node` runs in a function (or a function nested in one) whose name says it is
/// start-up or maintenance code, and that is not a request handler; a request handler
/// counts only when its name says it rebuilds or clears whole tables.
fn in_maintenance_function(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if let Some(handler) = semantic.request_handler(node) {
        return rebuilds_whole_tables(handler, semantic);
    }
    let mut function = semantic.enclosing_function(node);
    for _ in 0..MAX_HOPS {
        let Some(current) = function else {
            return false;
        };
        let name = current
            .child_by_field_name("name")
            .map(|name| semantic.text(name))
            .unwrap_or("");
        if name_words(name)
            .iter()
            .any(|word| MAINTENANCE_WORDS.contains(&word.as_str()))
        {
            return true;
        }
        function = semantic
            .enclosing_function(current)
            .filter(|outer| outer.byte_range() != current.byte_range());
    }
    false
}

/// Whether a request handler's own name says it rebuilds or clears whole tables, an
/// operator's action whose point is to read every row (`reset_article_table`,
/// `rebuild_search_index`, `purge_orphans`). Start-up words (`init`, `seed`) say nothing
/// here: a page's handler may well be called `init_page`.
fn rebuilds_whole_tables(handler: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(name) = handler.child_by_field_name("name") else {
        return false;
    };
    let words = name_words(semantic.text(name));
    let has = |candidates: &[&str]| words.iter().any(|w| candidates.contains(&w.as_str()));
    has(&[
        "rebuild", "reindex", "backfill", "migrate", "purge", "prune", "vacuum",
    ]) || has(&["reset", "truncate"]) && has(&["table", "tables", "index", "database", "db"])
}

/// Decorators of scheduled and queued jobs and signal handlers: Celery
/// `@shared_task`/`@app.task`, `@periodic_task`, Django `@receiver`, RQ `@job`, Dramatiq
/// `@actor`, APScheduler `@scheduled_job`, NestJS `@Cron`/`@Interval`/`@Process`.
const JOB_DECORATORS: &[&str] = &[
    "task",
    "shared_task",
    "periodic_task",
    "db_periodic_task",
    "db_task",
    "receiver",
    "job",
    "actor",
    "cron",
    "scheduled_job",
    "scheduled_task",
    "Cron",
    "Interval",
    "Timeout",
    "Process",
    "OnEvent",
    // `@worker_ready.connect`, `@signals.import_modules.connect`: Celery/blinker signals.
    "connect",
    // `@register(deploy=True)`: Django system checks, run at start-up or deploy.
    "register",
];

/// Whether `node` runs in a function decorated as a background job: such jobs visit
/// rows on purpose, and are better served by streaming than by pagination.
fn in_background_job(node: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let mut function = semantic.enclosing_function(node);
    for _ in 0..MAX_HOPS {
        let Some(current) = function else {
            return false;
        };
        if decorator_names(current, semantic)
            .iter()
            .any(|name| JOB_DECORATORS.contains(name))
            || is_migration_callback(current, semantic)
            || is_django_data_migration(current, semantic)
        {
            return true;
        }
        function = semantic.enclosing_function(current);
    }
    false
}

/// A callback registered as a data migration: `apos.migration.add('name', async () => ...)`,
/// `migrations.register(...)`.
fn is_migration_callback(function: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let Some(call) = function
        .parent()
        .filter(|p| p.kind() == "arguments")
        .and_then(|arguments| arguments.parent())
    else {
        return false;
    };
    let callee = call
        .child_by_field_name("function")
        .map(|f| semantic.text(f).to_ascii_lowercase())
        .unwrap_or_default();
    callee.contains("migration") || callee.contains("migrate")
}

/// A Django data migration (or a helper it calls): `def forwards(apps, schema_editor)`, or
/// any function taking `apps` that loads historical models with `apps.get_model(...)`.
fn is_django_data_migration(function: Node<'_>, semantic: &Semantic<'_>) -> bool {
    if function.kind() != "function_definition" {
        return false;
    }
    let names = parameter_names(function, semantic);
    names.contains(&"apps")
        && (names.contains(&"schema_editor") || semantic.text(function).contains("apps.get_model("))
}

/// The names of a function's parameters, Python or JS/TS: `(req: Request, res)` → req,
/// res; `(apps, schema_editor=None)` → apps, schema_editor.
fn parameter_names<'t>(function: Node<'t>, semantic: &Semantic<'t>) -> Vec<&'t str> {
    let Some(parameters) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    named_children(parameters)
        .into_iter()
        .map(|parameter| {
            let name = parameter
                .child_by_field_name("pattern")
                .or_else(|| parameter.child_by_field_name("name"))
                .or_else(|| {
                    (parameter.kind() != "identifier")
                        .then(|| parameter.named_child(0))
                        .flatten()
                })
                .unwrap_or(parameter);
            semantic.text(name).split(':').next().unwrap_or("").trim()
        })
        .collect()
}

/// The last name of each decorator of a function: `shared_task` for
/// `@celery.shared_task(bind=True)`.
fn decorator_names<'t>(function: Node<'t>, semantic: &Semantic<'t>) -> Vec<&'t str> {
    decorators(function)
        .into_iter()
        .map(|decorator| {
            let text = semantic.text(decorator).trim_start_matches('@');
            let head = text.split('(').next().unwrap_or("");
            head.rsplit('.').next().unwrap_or("").trim()
        })
        .collect()
}

/// A query after following method chains and the local variables they were built in.
struct Query<'t> {
    /// The calls of the chain, outermost first, across variable hops.
    links: Vec<ChainLink<'t>>,
    /// Where the chain starts: `db.session`, `User.objects`, `select(User)`, `knex('t')`.
    root: Node<'t>,
    /// Every expression the chain bottomed out at before a hop, with the number of links
    /// collected by then: `[(knex, 2), (require('knex')(config), 2)]`.
    roots: Vec<(Node<'t>, usize)>,
    /// Variables crossed on the way, as (use site, number of links collected before it).
    hops: Vec<(Node<'t>, usize)>,
    /// A Python slice (`qs[:50]`) was applied somewhere along the chain.
    sliced: bool,
}

impl<'t> Query<'t> {
    fn has(&self, names: &[&str]) -> bool {
        self.links.iter().any(|link| names.contains(&link.name))
    }

    /// The innermost link with one of these names, with its index.
    fn innermost(&self, names: &[&str]) -> Option<(usize, ChainLink<'t>)> {
        self.links
            .iter()
            .enumerate()
            .rev()
            .find(|(_, link)| names.contains(&link.name))
            .map(|(index, link)| (index, *link))
    }

    /// Whether the link at `index` is called directly on a root (a session, a model, a
    /// client), possibly held in a variable: nothing else sits under it.
    fn starts_chain(&self, index: usize) -> bool {
        index + 1 == self.links.len() || self.roots.iter().any(|(_, count)| *count == index + 1)
    }

    /// The variables that held the query itself (crossed outside the link at `start`),
    /// as opposed to the ones that held its session or client.
    fn query_variables(&self, start: usize) -> Vec<Node<'t>> {
        self.hops
            .iter()
            .filter(|(_, collected)| *collected <= start)
            .map(|(node, _)| *node)
            .collect()
    }

    /// Whether any variable that held the query is bounded, reassigned out of sight, or
    /// (JS builders, which are mutable) bounded or handed away by a statement.
    fn variables_bounded(
        &self,
        start: usize,
        semantic: &Semantic<'t>,
        bounding: &[&str],
        mutable_at: Option<Node<'t>>,
    ) -> bool {
        self.query_variables(start).into_iter().any(|variable| {
            bindings_verdict(variable, semantic, bounding) != Verdict::Open
                || mutable_at.is_some_and(|anchor| js_builder_escapes(variable, semantic, anchor))
        })
    }
}

fn flatten<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> Query<'t> {
    let mut query = Query {
        links: Vec::new(),
        root: expr,
        roots: Vec::new(),
        hops: Vec::new(),
        sliced: false,
    };
    let mut current = expr;
    for _ in 0..MAX_HOPS {
        let (links, root) = semantic.call_chain(current);
        query.links.extend(links);
        let root = semantic.unwrap_expression(root);
        query.root = root;
        query.roots.push((root, query.links.len()));
        match root.kind() {
            "subscript" if is_python_slice(root) => {
                query.sliced = true;
                match root.child_by_field_name("value") {
                    Some(value) => current = value,
                    None => break,
                }
            }
            "identifier" => match semantic.lookup(semantic.text(root), root.start_byte()) {
                Some(Binding {
                    value: BindingValue::Value(value),
                    ..
                }) if is_followable(semantic.unwrap_expression(*value)) => {
                    // `if favorites: stmt = stmt.where(...)`: a refinement made on one
                    // branch only. The other branch reads what `stmt` was before it.
                    if let Some(before) = conditional_refinement(root, *value, semantic) {
                        current = before;
                        continue;
                    }
                    query.hops.push((root, query.links.len()));
                    current = *value;
                }
                _ => break,
            },
            _ => break,
        }
    }
    query
}

/// For `stmt = stmt.where(...)` assigned inside an `if` with no `else` that does not also
/// hold the use `at`, the `stmt` the refinement started from: what the query is when the
/// branch is not taken.
fn conditional_refinement<'t>(
    at: Node<'t>,
    value: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<Node<'t>> {
    let name = semantic.text(at);
    let (_, base) = semantic.call_chain(value);
    let base = semantic.unwrap_expression(base);
    if base.kind() != "identifier" || semantic.text(base) != name {
        return None;
    }
    let mut node = value;
    while let Some(parent) = node.parent() {
        if parent.byte_range().contains(&at.start_byte()) {
            return None;
        }
        match parent.kind() {
            // An `if` with no `else`: the query may skip the refinement. With branches on
            // every path, each may refine it: left to the reading as a whole.
            "if_statement" => {
                let alone = parent.child_by_field_name("alternative").is_none();
                return alone.then_some(base);
            }
            "elif_clause" | "else_clause" | "conditional_expression" | "ternary_expression" => {
                return None
            }
            _ => {}
        }
        node = parent;
    }
    None
}

fn is_followable(value: Node<'_>) -> bool {
    matches!(
        value.kind(),
        "call"
            | "call_expression"
            | "new_expression"
            | "subscript"
            | "attribute"
            | "member_expression"
            | "identifier"
    )
}

fn is_python_slice(subscript: Node<'_>) -> bool {
    subscript
        .child_by_field_name("subscript")
        .is_some_and(|s| s.kind() == "slice")
}

/// The arguments of a call, without comments, for either language.
fn call_arguments(call: Node<'_>) -> Vec<Node<'_>> {
    call.child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
}

fn positional_arguments(call: Node<'_>) -> Vec<Node<'_>> {
    call_arguments(call)
        .into_iter()
        .filter(|arg| {
            !matches!(
                arg.kind(),
                "keyword_argument" | "dictionary_splat" | "list_splat"
            )
        })
        .collect()
}

/// What every binding of a query variable says about the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Nothing bounds it.
    Open,
    /// Some assignment bounds it (`q = q.limit(n)`, `qs = qs[:50]`).
    Bounded,
    /// Some assignment is out of sight (`q = paginate(q)`, a parameter, a ternary).
    Unknown,
}

/// Looks at every assignment of the variable used at `variable`, in its scope.
fn bindings_verdict<'t>(variable: Node<'t>, semantic: &Semantic<'t>, bounding: &[&str]) -> Verdict {
    let name = semantic.text(variable);
    for binding in semantic.bindings_in_scope_of(name, variable.start_byte()) {
        let BindingValue::Value(value) = binding.value else {
            return Verdict::Unknown;
        };
        let value = semantic.unwrap_expression(value);
        let (links, root) = semantic.call_chain(value);
        if links.iter().any(|link| bounding.contains(&link.name)) {
            return Verdict::Bounded;
        }
        let root = semantic.unwrap_expression(root);
        match root.kind() {
            "subscript" if is_python_slice(root) => return Verdict::Bounded,
            // `q = paginate(q, page)`: handed to a function that may bound it.
            "call" | "call_expression"
                if links.is_empty()
                    && call_arguments(root)
                        .iter()
                        .any(|arg| mentions_identifier(*arg, name, semantic)) =>
            {
                return Verdict::Unknown;
            }
            "conditional_expression"
            | "ternary_expression"
            | "boolean_operator"
            | "binary_expression" => return Verdict::Unknown,
            _ => {}
        }
    }
    Verdict::Open
}

/// The source text of the function (or module) holding `node`.
fn scope_text<'t>(node: Node<'t>, semantic: &Semantic<'t>) -> &'t str {
    match semantic.enclosing_function(node) {
        Some(function) => semantic.text(function),
        None => semantic.source(),
    }
}

/// JS builders are mutable: `qb.limit(10)` or `qb.where(...)` as a statement, or
/// `paginate(qb, page)`, changes the query without an assignment. Scans the function for
/// any method call on the variable, or any call it is passed to, outside `anchor` (where
/// the query runs).
fn js_builder_escapes(variable: Node<'_>, semantic: &Semantic<'_>, anchor: Node<'_>) -> bool {
    let name = semantic.text(variable);
    let scope = semantic
        .enclosing_function(variable)
        .unwrap_or_else(|| semantic.root());
    let text = semantic.text(scope);
    let base = scope.start_byte();
    for (at, _) in text.match_indices(name) {
        let absolute = base + at;
        if absolute >= anchor.start_byte() && absolute < anchor.end_byte() {
            continue;
        }
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
            continue;
        }
        let rest = &text[at + name.len()..];
        if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = rest.trim_start();
        // `qb.andWhere(...)`, `qb.limit(10)` (but not `qb.length`).
        if let Some(member) = rest.strip_prefix('.') {
            let member = member.trim_start();
            let method_len = member
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(member.len());
            if member[method_len..].trim_start().starts_with('(') {
                return true;
            }
            continue;
        }
        // An argument of some call: `paginate(qb, page)`, `applyFilters(query)`.
        let previous = text[..at].trim_end().chars().next_back();
        let next = rest.chars().next();
        if matches!(previous, Some('(' | ',')) && matches!(next, Some(')' | ',')) {
            return true;
        }
    }
    false
}

/// A short name for a query in a message: the source when it is one short line, else
/// the chain with long arguments elided.
fn describe(expr: Node<'_>, semantic: &Semantic<'_>) -> String {
    let text = semantic.text(expr);
    if text.len() <= 60 && !text.contains('\n') {
        return text.to_string();
    }
    let (links, root) = semantic.call_chain(expr);
    let root_text = semantic.text(root);
    let mut out = if root_text.len() <= 40 && !root_text.contains('\n') {
        root_text.to_string()
    } else if matches!(root.kind(), "call" | "call_expression") {
        let callee = root
            .child_by_field_name("function")
            .map(|f| semantic.text(f))
            .unwrap_or("");
        if callee.len() <= 30 && !callee.contains('\n') {
            format!("{callee}(...)")
        } else {
            "...".to_string()
        }
    } else {
        "...".to_string()
    };
    for link in links.iter().rev() {
        let arguments = link
            .call
            .child_by_field_name("arguments")
            .map(|a| semantic.text(a))
            .unwrap_or("()");
        let arguments = if arguments.len() <= 24 && !arguments.contains('\n') {
            arguments
        } else {
            "(...)"
        };
        out.push('.');
        out.push_str(link.name);
        out.push_str(arguments);
    }
    out
}

/// From the start of `start` to the end of `end` (one finding per query, starting where
/// the query starts).
fn span_to(start: Node<'_>, end: Node<'_>) -> Span {
    Span::new(start.start_byte(), end.end_byte().max(start.start_byte()))
}

/// From the anchor (the awaited expression, or the call that runs the query) to the end
/// of `head` when the query is written there; the anchor alone when it is a variable.
fn anchor_span(anchor: Node<'_>, head: Node<'_>) -> Span {
    if head.start_byte() >= anchor.start_byte() && head.end_byte() <= anchor.end_byte() {
        Span::new(anchor.start_byte(), head.end_byte())
    } else {
        Span::of(&anchor)
    }
}

/// The callee of a call (`session.query(User).all` of `...all()`), for spans.
fn callee(call: Node<'_>) -> Node<'_> {
    call.child_by_field_name("function").unwrap_or(call)
}

fn strip_quotes(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, '"' | '\'' | '`'))
}

fn is_capitalized(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// `MAX_ROWS`, `Status.ACTIVE`: a constant by naming convention.
fn is_constant_name(text: &str) -> bool {
    let first = text.split('.').next().unwrap_or("");
    (text.chars().any(|c| c.is_ascii_uppercase())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        || (text.contains('.') && is_capitalized(first))
}

/// A SQL `WHERE` clause (upper-cased) names a key: `ID = %s`, `T.ID IN (...)`, `UUID = ?`.
fn has_key_predicate(clause: &str) -> bool {
    ["ID", "UUID", "PK"].iter().any(|key| {
        clause.match_indices(key).any(|(at, _)| {
            let before = clause[..at].chars().next_back();
            let after = &clause[at + key.len()..];
            let standalone = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            let after = after.trim_start_matches(['"', '`', ']']).trim_start();
            standalone
                && (after.starts_with('=') || after.starts_with("IN ") || after.starts_with("IN("))
        })
    })
}

/// A SQL `WHERE` clause (upper-cased) compares a column with a bind parameter
/// (`= %s`, `= ?`, `= :name`, `= $1`, `IN (:...ids)`): the rows of a given parent.
fn has_bound_parameter(clause: &str) -> bool {
    clause.match_indices('=').any(|(at, _)| {
        let mut after = clause[at + 1..].trim_start();
        // `= CAST(:org_id AS uuid)`, `= ANY(%s)`, `= LOWER(?)`: the parameter inside a
        // function applied to it.
        while let Some(open) = after.find('(').filter(|&open| {
            open > 0
                && after[..open]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
        }) {
            after = after[open + 1..].trim_start();
        }
        after.starts_with("%S")
            || after.starts_with('?')
            || after.starts_with(':')
            || after.starts_with('$')
            || after.starts_with("%(")
    }) || clause.contains("IN (:")
        || clause.contains("IN(:")
        || clause.contains("IN %S")
}

// ------------------------------------------------------------------------------ Python

fn check_python(node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    if matches!(node.kind(), "class_definition" | "expression_statement") {
        drf_pagination::check(node, ctx);
        return;
    }
    let semantic = ctx.semantic;
    if semantic.is_module_level(node) {
        return;
    }
    match node.kind() {
        "call" => py_call(node, ctx),
        "for_statement" | "for_in_clause" => {
            let Some(iterable) = node.child_by_field_name("right") else {
                return;
            };
            if !django_sink(iterable, "iterated", ctx) {
                sqlalchemy_iteration(iterable, ctx);
            }
        }
        "return_statement" => py_return(node, ctx),
        _ => {}
    }
}

fn py_call(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(function) = call.child_by_field_name("function") else {
        return;
    };
    serializer_sink(call, ctx);
    match function.kind() {
        "identifier" => {
            let name = semantic.text(function);
            if !matches!(
                name,
                "list" | "tuple" | "set" | "frozenset" | "sorted" | "len"
            ) || !semantic.is_unbound(function)
            {
                return;
            }
            let arguments = call_arguments(call);
            let [argument] = arguments.as_slice() else {
                return;
            };
            if argument.kind() == "keyword_argument" {
                return;
            }
            if name == "len" {
                django_sink(*argument, COUNTED_BY_LEN, ctx);
                return;
            }
            let how = format!("materialized by `{name}()`");
            if !django_sink(*argument, &how, ctx) {
                mongo_list(*argument, name, ctx);
            }
        }
        "attribute" => {
            let method = function
                .child_by_field_name("attribute")
                .map(|a| semantic.text(a))
                .unwrap_or("");
            let no_arguments = call_arguments(call).is_empty();
            match method {
                "all" if no_arguments => sqlalchemy_all(call, ctx),
                "fetchall" if no_arguments => fetchall(call, ctx),
                "to_list" => mongo_to_list(call, ctx),
                _ => {}
            }
        }
        _ => {}
    }
}

/// `UserSerializer(User.objects.all(), many=True)`.
fn serializer_sink(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Lookup::Present(many) = py_argument(call, "many", None, semantic) else {
        return;
    };
    if many.kind() != "true" {
        return;
    }
    if let Some(first) = positional_arguments(call).first() {
        let how = if sliced_after_serializing(call) {
            SLICED_AFTER_SERIALIZING
        } else {
            "serialized with `many=True`"
        };
        django_sink(*first, how, ctx);
    }
}

/// `Serializer(qs, many=True).data[0:3]`: the slice comes after every row was fetched
/// and serialized.
fn sliced_after_serializing(call: Node<'_>) -> bool {
    let Some(data) = call
        .parent()
        .filter(|p| p.kind() == "attribute" && p.child_by_field_name("object") == Some(call))
    else {
        return false;
    };
    data.parent().is_some_and(|subscript| {
        subscript.kind() == "subscript"
            && subscript.child_by_field_name("value") == Some(data)
            && subscript
                .child_by_field_name("subscript")
                .is_some_and(|index| index.kind() == "slice")
    })
}

/// `return Item.objects.all()` from a view whose return value is serialized
/// (Django Ninja, DRF `@api_view`).
fn py_return(node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(value) = node.named_child(0) else {
        return;
    };
    let Some(handler) = semantic.request_handler(node) else {
        return;
    };
    if semantic.enclosing_function(node) != Some(handler) {
        return;
    }
    // `@paginate` (Ninja) or any pagination decorator bounds the response.
    // Only a routed function's return value is serialized: `get_queryset(request)`
    // helpers return a queryset their caller (or the framework) still pages.
    let Some(decorated) = handler
        .parent()
        .filter(|p| p.kind() == "decorated_definition")
    else {
        return;
    };
    if semantic.text(decorated).contains("paginat") {
        return;
    }
    django_sink(value, "returned from a view", ctx);
}

/// Whether a Python value is a literal or a constant, not a runtime value.
fn py_is_literal(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    is_literal_value(value, semantic)
}

/// Whether a value (either language) is a literal or a constant, not a runtime value:
/// numbers, strings without runtime parts, `None`/`null`, `-1`, lists of literals,
/// `MAX_ROWS`, `Status.ACTIVE`, module-level constants. Iterative, with a node budget.
fn is_literal_value(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let mut pending = vec![value];
    let mut budget = WALK_BUDGET;
    while let Some(node) = pending.pop() {
        if budget == 0 {
            return false;
        }
        budget -= 1;
        let node = semantic.unwrap_expression(node);
        match node.kind() {
            "integer" | "float" | "true" | "false" | "none" | "number" | "null" | "undefined"
            | "regex" => {}
            "string" | "concatenated_string" | "template_string" => {
                if !semantic.string_build(node).is_some_and(|b| b.is_constant()) {
                    return false;
                }
            }
            "unary_operator" | "unary_expression" => match node.named_child(0) {
                Some(operand) => pending.push(operand),
                None => return false,
            },
            "list" | "tuple" | "set" | "array" => pending.extend(named_children(node)),
            "identifier" | "attribute" | "member_expression" => {
                let text = semantic.text(node);
                if !(text == "undefined"
                    || is_constant_name(text)
                    || semantic.is_constant_value(node))
                {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

// ---------------------------------------------------------------- Python: Django querysets

/// Queryset methods that return a queryset over the same rows.
const DJANGO_CHAIN: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "annotate",
    "alias",
    "values",
    "values_list",
    "only",
    "defer",
    "using",
    "select_for_update",
    "reverse",
    "distinct",
];

/// Django field lookups that keep the equality meaning of a filter.
const DJANGO_EQUALITY: &[&str] = &["exact", "iexact", "in"];

/// Django field lookups (the last `__` part of a filter key).
const DJANGO_LOOKUPS: &[&str] = &[
    "exact",
    "iexact",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "range",
    "isnull",
    "regex",
    "iregex",
    "date",
    "year",
    "month",
    "day",
    "week",
    "week_day",
    "quarter",
    "time",
    "hour",
    "minute",
    "second",
    "search",
    "overlap",
    "contained_by",
    "has_key",
    "has_keys",
    "has_any_keys",
    "len",
];

/// What a Django queryset expression is, before its context is judged.
enum DjangoRead<'t> {
    /// Not rooted at a model manager (`Model.objects`).
    NotDjango,
    /// A queryset this rule leaves alone: sliced, streamed, grouped, a custom manager
    /// method, a model only known at runtime, or bounded on another assignment.
    NotJudged,
    /// A plain queryset chain over `model` with nothing that bounds it.
    Unbounded { query: Query<'t>, model: &'t str },
}

fn django_read<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> DjangoRead<'t> {
    let query = flatten(expr, semantic);
    let Some(model) = django_manager_model(query.root, semantic) else {
        return DjangoRead::NotDjango;
    };
    // `model.objects` with `model = content_type.model_class()`: which table, and how
    // big, is unknown.
    if !is_capitalized(model) || query.links.is_empty() || query.sliced {
        return DjangoRead::NotJudged;
    }
    // `iterator()`, `none()`, a custom manager method: not ours to judge.
    if query
        .links
        .iter()
        .any(|link| !DJANGO_CHAIN.contains(&link.name))
    {
        return DjangoRead::NotJudged;
    }
    // `values(...).annotate(...)` is a GROUP BY; `distinct()` over a projection is a set
    // of values, usually small.
    if query.has(&["values", "values_list"]) && query.has(&["annotate", "distinct"]) {
        return DjangoRead::NotJudged;
    }
    if query.variables_bounded(query.links.len(), semantic, &["iterator", "none"], None) {
        return DjangoRead::NotJudged;
    }
    DjangoRead::Unbounded { query, model }
}

/// What the `filter()`/`exclude()` links of a queryset say about its rows.
fn django_filtering(query: &Query<'_>, semantic: &Semantic<'_>) -> Filtering {
    let unique = visible_unique_fields(semantic);
    let mut filtering = Filtering::default();
    for link in &query.links {
        match link.name {
            "filter" => filtering.merge(django_filter(link.call, &unique, semantic)),
            "exclude" => filtering.filtered = true,
            _ => {}
        }
    }
    filtering
}

/// Reports a Django queryset materialized at `expr`; returns whether `expr` was one
/// (bounded or not), so callers do not try other ORMs on it.
fn django_sink(expr: Node<'_>, how: &str, ctx: &mut RuleContext<'_, '_>) -> bool {
    let semantic = ctx.semantic;
    let (query, model) = match django_read(expr, semantic) {
        DjangoRead::NotDjango => return false,
        DjangoRead::NotJudged => return true,
        DjangoRead::Unbounded { query, model } => (query, model),
    };
    let scope = scope_text(expr, semantic);
    if scope.contains("Paginator") || scope.contains("paginate") {
        return true;
    }
    // `for pk in Project.objects.values_list("id", flat=True)` outside a view: fanning out
    // work by key, a few bytes a row.
    if how == "iterated"
        && keys_only_projection(&query, semantic)
        && semantic.request_handler(expr).is_none()
    {
        return true;
    }
    let filtering = django_filtering(&query, semantic);
    let built = query
        .hops
        .last()
        .and_then(|(hop, _)| hop_value(*hop, semantic))
        .unwrap_or(expr);
    let name = describe(built, semantic);
    let shown = if query.hops.is_empty() {
        format!("`{name}`")
    } else {
        format!("`{}` (`{name}`)", semantic.text(expr))
    };
    let rows = filtering.rows(&format!("`{model}`"));
    let (message, help) = if how == COUNTED_BY_LEN {
        (
            format!("{shown} is {how}, which loads {rows} to count them"),
            "let the database count: `.count()`, or `.exists()` to test for any".to_string(),
        )
    } else if how == SLICED_AFTER_SERIALIZING {
        (
            format!("{shown} is {how}: it loads {rows} to keep a few"),
            "slice the queryset, not the serialized data: `Serializer(queryset[:3], many=True).data`".to_string(),
        )
    } else {
        (
            format!("{shown} is {how} with no slice or paginator: it loads {rows}"),
            format!(
                "page it: `{model}.objects.filter(pk__gt=last_pk).order_by(\"pk\")[:50]` (keyset), a `Paginator`, or DRF pagination; batch jobs can stream with `.iterator()`"
            ),
        )
    };
    emit(
        ctx,
        Candidate {
            anchor: expr,
            span: Span::of(&expr),
            model: model.to_string(),
            filtering,
            message,
            help,
        },
    );
    true
}

/// `len(queryset)` evaluates the queryset: every row is fetched to be counted.
const COUNTED_BY_LEN: &str = "counted with `len()`";

const SLICED_AFTER_SERIALIZING: &str =
    "serialized with `many=True` and sliced only after serializing";

/// Whether a queryset is projected to key columns only: `values_list("id", flat=True)`,
/// `values("pk")`.
fn keys_only_projection(query: &Query<'_>, semantic: &Semantic<'_>) -> bool {
    query
        .links
        .iter()
        .find(|l| matches!(l.name, "values" | "values_list"))
        .is_some_and(|projection| {
            let columns = positional_arguments(projection.call);
            !columns.is_empty()
                && columns.iter().all(|column| {
                    column.kind() == "string"
                        && KEY_NAMES.contains(&strip_quotes(semantic.text(*column)))
                })
        })
}

/// The value a variable was assigned at the use site `hop`.
fn hop_value<'t>(hop: Node<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    match semantic.lookup(semantic.text(hop), hop.start_byte()) {
        Some(Binding {
            value: BindingValue::Value(value),
            ..
        }) => Some(semantic.unwrap_expression(*value)),
        _ => None,
    }
}

/// `User.objects` / `cls._default_manager` / `models.User.objects` /
/// `get_user_model().objects`: the model's name.
fn django_manager_model<'t>(root: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    if root.kind() != "attribute" {
        return None;
    }
    let attribute = semantic.text(root.child_by_field_name("attribute")?);
    if !matches!(attribute, "objects" | "_default_manager") {
        return None;
    }
    let object = root.child_by_field_name("object")?;
    let model = match object.kind() {
        // `cls.objects` in a model's classmethod: the class's name.
        "identifier" if semantic.text(object) == "cls" => {
            let class = corbel_engine::semantic::enclosing_class(semantic.root(), root)?;
            semantic.text(class.child_by_field_name("name")?)
        }
        "identifier" => semantic.text(object),
        "attribute" => semantic.text(object.child_by_field_name("attribute")?),
        // Django's accessor for the project's user model.
        "call"
            if object
                .child_by_field_name("function")
                .is_some_and(|function| last_name(function, semantic) == "get_user_model") =>
        {
            "User"
        }
        _ => return None,
    };
    (model != "self").then_some(model)
}

/// What a Django `filter(...)` says: `pk=`, `id__in=`, a visibly unique field → keyed;
/// `project=project` → scoped; `**kwargs` → unknown. Looks inside `Q(...)` too.
fn django_filter(call: Node<'_>, unique: &[String], semantic: &Semantic<'_>) -> Filtering {
    let mut filtering = Filtering {
        filtered: true,
        ..Filtering::default()
    };
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return filtering;
    };
    // `filter(condition)`, `filter(email_in_any_case(emails))`: a condition built out of
    // sight. `Q(...)` objects, combined or negated, are read like keyword filters.
    let opaque = positional_arguments(call).into_iter().any(|argument| {
        let argument = semantic.unwrap_expression(argument);
        match argument.kind() {
            "identifier" | "attribute" | "subscript" => true,
            "call" => argument
                .child_by_field_name("function")
                .is_some_and(|f| last_name(f, semantic) != "Q"),
            _ => false,
        }
    });
    if opaque {
        filtering.unknown = true;
    }
    let mut budget = WALK_BUDGET;
    walk_preorder(arguments, |node| {
        if budget == 0 {
            return;
        }
        budget -= 1;
        match node.kind() {
            "dictionary_splat" => filtering.unknown = true,
            "keyword_argument" => {
                let key = node
                    .child_by_field_name("name")
                    .map(|n| semantic.text(n))
                    .unwrap_or("");
                let mut parts: Vec<&str> = key.split("__").collect();
                let lookup = match parts.last() {
                    Some(last) if parts.len() > 1 && DJANGO_LOOKUPS.contains(last) => parts.pop(),
                    _ => None,
                };
                let equality = lookup.is_none_or(|l| DJANGO_EQUALITY.contains(&l));
                let value = node.child_by_field_name("value");
                if selects_admin_role(&parts, value, semantic) {
                    filtering.keyed = true;
                }
                if !equality {
                    // `timestamp__startswith=slug`, `path__contains=obj`: narrowed by a
                    // runtime value, the rows of what the request names.
                    if value.is_some_and(|v| !py_is_literal(v, semantic)) {
                        filtering.scoped = true;
                    }
                    return;
                }
                if let [field] = parts.as_slice() {
                    if is_key_name(field, unique) || is_few_flag(field, value, semantic) {
                        filtering.keyed = true;
                    }
                }
                if value.is_some_and(|v| !py_is_literal(v, semantic)) {
                    filtering.scoped = true;
                    filtering.equalities += 1;
                }
            }
            _ => {}
        }
    });
    filtering
}

/// `is_admin=True`, `is_superuser=True`, `is_staff=True`: the administrators, a handful
/// of rows whatever the size of the table. Also `is_featured=True`, `pinned: true`: the
/// few rows someone picked by hand; and a work queue (see [`selects_work_queue`]).
fn is_few_flag(field: &str, value: Option<Node<'_>>, semantic: &Semantic<'_>) -> bool {
    (names_few_flag(field)
        && value.is_some_and(|v| matches!(semantic.text(v), "True" | "true" | "1")))
        || value.is_some_and(|v| selects_work_queue(field, v, semantic))
}

/// `needs_review=True`, `status=ChatSession.Status.WAITING`, `supporter=None`: the rows
/// waiting for someone on the team to handle them. Rows leave the queue as they are
/// handled, so its length follows how far behind the team is, not how long the service
/// has run. `pending` is left out: abandoned carts and payments stay pending for good.
fn selects_work_queue(field: &str, value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let field = field.strip_prefix("is_").unwrap_or(field);
    let field = field.strip_suffix("_id").unwrap_or(field);
    let text = semantic.text(value);
    let truthy = matches!(text, "True" | "true" | "1");
    let falsy = matches!(text, "False" | "false" | "0");
    let null = matches!(text, "None" | "null");
    let waiting_state = |word: &str| {
        matches!(
            word.to_ascii_lowercase().as_str(),
            "waiting" | "queued" | "unassigned" | "needs_review" | "awaiting_review"
        )
    };
    match field {
        "needs_review" | "needs_attention" | "awaiting_review" | "in_queue" | "queued"
        | "waiting" => truthy,
        "reviewed" | "processed" | "handled" | "acknowledged" | "triaged" => falsy,
        // Not yet taken by anyone on the team. Not a bare `agent` or `handler`: a visit's
        // user agent or a log's handler may be missing too.
        "assignee" | "assigned_to" | "assigned_agent" | "supporter" | "reviewer" | "claimed_by" => {
            null
        }
        // `"unassigned"`, `ChatSession.Status.WAITING`, `Status.Queued.value`.
        "status" | "state" => {
            chosen_value_name(value, semantic).is_some_and(|state| waiting_state(&state))
        }
        _ => false,
    }
}

/// A boolean column named for a role (`is_admin`, `is_facility_manager`) or for a pick
/// by hand (`is_featured`, `pinned`, `is_favorite`).
fn names_few_flag(field: &str) -> bool {
    let flag = field.strip_prefix("is_").unwrap_or(field);
    // `is_facility_manager`, `is_moderator`: a flag named for a role picks its holders.
    let role_flag = field.starts_with("is_")
        && matches!(
            flag.rsplit('_').next().unwrap_or(flag),
            "manager" | "moderator" | "administrator" | "superadmin"
        );
    role_flag
        || matches!(
            flag,
            "admin"
                | "superuser"
                | "sysadmin"
                | "featured"
                | "pinned"
                | "favorite"
                | "favourite"
                | "starred"
                | "highlighted"
                | "curated"
        )
        || field == "is_staff"
}

/// `role="admin"`, `roles__kind__contains="admin"`, `UserRole.name == "SYSTEM"`: a role
/// column compared with an administrator's or the system's role name, a handful of rows
/// like `is_admin=True`.
fn selects_admin_role(path: &[&str], value: Option<Node<'_>>, semantic: &Semantic<'_>) -> bool {
    let names_role = path.iter().any(|part| {
        matches!(
            *part,
            "role" | "roles" | "kind" | "user_type" | "usertype" | "group" | "groups"
        )
    });
    let is_admin_word = |word: &str| {
        matches!(
            word.to_ascii_lowercase().as_str(),
            "admin"
                | "administrator"
                | "superuser"
                | "superadmin"
                | "super_admin"
                | "sysadmin"
                | "system"
        )
    };
    // `"admin"`, or `UserRole.ADMIN.value`, `Role.Admin`: the administrators' member of a
    // role enum.
    let admin = value
        .and_then(|v| chosen_value_name(v, semantic))
        .is_some_and(|name| is_admin_word(&name));
    names_role && admin
}

/// The name a filter value picks: a string literal's text, or an enum member's name
/// (`UserRole.ADMIN.value` → `ADMIN`, `ChatSession.Status.WAITING` → `WAITING`).
fn chosen_value_name(value: Node<'_>, semantic: &Semantic<'_>) -> Option<String> {
    if let Some(text) = literal_str(value, semantic) {
        return Some(text);
    }
    if !matches!(value.kind(), "attribute" | "member_expression") {
        return None;
    }
    let segments: Vec<&str> = semantic.text(value).split('.').collect();
    segments[1..]
        .iter()
        .rfind(|segment| !matches!(**segment, "value" | "name"))
        .map(|segment| segment.to_string())
}

/// A filter entry keyed by its name (`role`, `isAdmin`, `is_staff`) that picks the
/// administrators: `{ role: Role.ADMIN }`, `{ isAdmin: true }`, `{"role": "admin"}`; or,
/// through [`is_few_flag`], hand-picked rows or a work queue (`{ assigneeId: null }`).
fn selects_administrators(key: &str, value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let words = name_words(key);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    is_few_flag(&words.join("_"), Some(value), semantic)
        || selects_admin_role(&words, Some(value), semantic)
}

fn is_key_name(field: &str, unique: &[String]) -> bool {
    KEY_NAMES.contains(&field) || unique.iter().any(|u| u == field)
}

/// Fields declared unique in this file: Django `models.X(unique=True)` /
/// `primary_key=True` / `OneToOneField`, SQLAlchemy `Column(..., unique=True)` /
/// `mapped_column(..., primary_key=True)`.
fn visible_unique_fields(semantic: &Semantic<'_>) -> std::rc::Rc<Vec<String>> {
    // A walk of the whole file: once per file, not once per query.
    semantic.memo("unbounded-query/unique-fields", || {
        find_unique_fields(semantic)
    })
}

fn find_unique_fields(semantic: &Semantic<'_>) -> Vec<String> {
    let mut fields = Vec::new();
    walk_preorder(semantic.root(), |node| {
        if node.kind() != "assignment" {
            return;
        }
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        if left.kind() != "identifier" || right.kind() != "call" {
            return;
        }
        let callee = right
            .child_by_field_name("function")
            .map(|f| semantic.text(f))
            .unwrap_or("");
        let declared_unique = ["unique", "primary_key"].iter().any(|key| {
            matches!(py_argument(right, key, None, semantic), Lookup::Present(v) if v.kind() == "true")
        });
        if declared_unique || callee.ends_with("OneToOneField") {
            fields.push(semantic.text(left).to_string());
        }
    });
    fields
}

// ----------------------------------------------------------------- Python: SQLAlchemy

/// Methods that bound a SQLAlchemy query or statement, or make it something other than a
/// list of rows (aggregates, grouped rows, streamed partitions).
const SQLALCHEMY_BOUNDING: &[&str] = &[
    "limit",
    "offset",
    "slice",
    "fetch",
    "first",
    "one",
    "one_or_none",
    "scalar",
    "scalar_one",
    "scalar_one_or_none",
    "get",
    "paginate",
    "count",
    "exists",
    "group_by",
    "having",
    "distinct",
    "yield_per",
    "partitions",
    "execution_options",
    "from_statement",
    "subquery",
    "cte",
];

/// `session.query(User)...all()`, `User.query...all()`, `session.scalars(select(User)).all()`,
/// `session.execute(select(User)).scalars().all()`, `conn.execute(text("SELECT ...")).all()`.
fn sqlalchemy_all(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(receiver) = callee(call).child_by_field_name("object") else {
        return;
    };
    let query = flatten(receiver, semantic);
    if django_manager_model(query.root, semantic).is_some() {
        return;
    }
    if let Some(start) = legacy_query_start(&query, semantic, ctx.source) {
        check_legacy_query(call, &query, start, None, ctx);
        return;
    }
    check_executed_statement(call, &query, ctx);
}

/// `for user in session.query(User):` loads every row as well.
fn sqlalchemy_iteration(iterable: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let query = flatten(iterable, semantic);
    // `for row in session.query(User).all()` is reported at `.all()`.
    if query.links.first().is_some_and(|link| link.name == "all") {
        return;
    }
    if let Some(start) = legacy_query_start(&query, semantic, ctx.source) {
        check_legacy_query(iterable, &query, start, Some("is iterated"), ctx);
    }
}

/// Where a legacy `Query` starts: the innermost `.query(Model)` link on a session, or
/// Flask-SQLAlchemy's `Model.query` attribute (then `links.len()`).
fn legacy_query_start(query: &Query<'_>, semantic: &Semantic<'_>, source: &str) -> Option<usize> {
    if let Some((index, link)) = query.innermost(&["query"]) {
        // Nothing but the session may sit under `.query(...)`.
        if !query.starts_chain(index) || positional_arguments(link.call).is_empty() {
            return None;
        }
        let session = callee(link.call)
            .child_by_field_name("object")
            .map(|o| semantic.text(o).to_ascii_lowercase())
            .unwrap_or_default();
        let last = session.rsplit('.').next().unwrap_or("");
        let session_like = session.contains("session")
            || matches!(last, "db" | "sess" | "dbsession" | "db_session");
        let imports_orm = source.contains("sqlalchemy")
            || source.contains("sqlmodel")
            || source.contains("flask_sqlalchemy");
        return (session_like || imports_orm).then_some(index);
    }
    // `User.query.filter_by(...)`: Flask-SQLAlchemy's query property.
    let root = query.root;
    if root.kind() == "attribute"
        && root
            .child_by_field_name("attribute")
            .is_some_and(|a| semantic.text(a) == "query")
    {
        let model = root.child_by_field_name("object")?;
        if model.kind() == "identifier" && is_capitalized(semantic.text(model)) {
            return Some(query.links.len());
        }
    }
    None
}

fn check_legacy_query(
    anchor: Node<'_>,
    query: &Query<'_>,
    start: usize,
    how: Option<&str>,
    ctx: &mut RuleContext<'_, '_>,
) {
    let semantic = ctx.semantic;
    let (entities, model) = match query.links.get(start) {
        Some(link) => {
            let entities = positional_arguments(link.call);
            let model = entities.first().map(|e| model_name(*e, semantic));
            (entities, model)
        }
        None => {
            let model = query
                .root
                .child_by_field_name("object")
                .map(|o| semantic.text(o).to_string());
            (Vec::new(), model)
        }
    };
    let Some(model) = model else {
        return;
    };
    if query.has(SQLALCHEMY_BOUNDING) || entities.iter().any(|e| reads_local_subquery(*e, semantic))
    {
        return;
    }
    let aggregate = entities.iter().any(|e| is_aggregate(*e, semantic))
        || query
            .links
            .iter()
            .filter(|l| matches!(l.name, "with_entities" | "add_columns"))
            .any(|l| {
                call_arguments(l.call)
                    .iter()
                    .any(|a| is_aggregate(*a, semantic))
            });
    if aggregate || query.variables_bounded(start, semantic, SQLALCHEMY_BOUNDING, None) {
        return;
    }
    let filtering = sqlalchemy_filtering(&query.links, semantic);
    let variables = query.query_variables(start);
    let name = match variables.last() {
        // `q.all()`: name what `q` was built as.
        Some(last) if how.is_none() => {
            let built = hop_value(*last, semantic).unwrap_or(*last);
            format!("{}...all()", describe(built, semantic))
        }
        _ => describe(anchor, semantic),
    };
    let rows = filtering.rows(&format!("`{model}`"));
    let message = match how {
        Some(how) => format!("`{name}` {how} with no `.limit()`: it loads {rows}"),
        None => format!("`{name}` has no `.limit()`: it loads {rows}"),
    };
    emit(
        ctx,
        Candidate {
            anchor,
            span: span_to(anchor, callee(anchor)),
            model: model.clone(),
            filtering,
            message,
            help: format!(
                "page with a keyset: `.filter({model}.id > last_id).order_by({model}.id).limit(50).all()`"
            ),
        },
    );
}

/// The model an entity belongs to: `User` for `User` or `User.email`, `users` for
/// `users.c.id`, the whole expression otherwise (`models.User`, `self.role_model`).
fn model_name(entity: Node<'_>, semantic: &Semantic<'_>) -> String {
    // `session.query(cls)` in a classmethod: the class's name.
    if entity.kind() == "identifier" && semantic.text(entity) == "cls" {
        if let Some(name) = corbel_engine::semantic::enclosing_class(semantic.root(), entity)
            .and_then(|class| class.child_by_field_name("name"))
        {
            return semantic.text(name).to_string();
        }
    }
    if entity.kind() == "attribute" {
        if let Some(object) = entity.child_by_field_name("object") {
            let object_text = semantic.text(object);
            if let Some(table) = object_text.strip_suffix(".c") {
                return table.to_string();
            }
            let attribute = entity
                .child_by_field_name("attribute")
                .map(|a| semantic.text(a))
                .unwrap_or("");
            let object_last = object_text.rsplit('.').next().unwrap_or(object_text);
            // `User.email`, `models.User.email` → the model; `db.User` stays whole.
            if is_capitalized(object_last) && !is_capitalized(attribute) {
                return object_text.to_string();
            }
        }
    }
    semantic.text(entity).to_string()
}

/// Whether a query reads a subquery or CTE built in this function (`ranked.c.value`
/// where `ranked = select(...).subquery()`): its size is the subquery's business.
fn reads_local_subquery(entity: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let mut root = entity;
    for _ in 0..MAX_HOPS {
        match root.kind() {
            "attribute" => match root.child_by_field_name("object") {
                Some(object) => root = object,
                None => return false,
            },
            _ => break,
        }
    }
    if root.kind() != "identifier" {
        return false;
    }
    let Some(value) = hop_value(root, semantic) else {
        return false;
    };
    let (links, _) = semantic.call_chain(value);
    // `select(...).cte()`, or a helper that says it builds one (`get_protection_parent_cte()`).
    links.iter().any(|l| {
        matches!(l.name, "subquery" | "cte" | "alias" | "values")
            || name_words(l.name)
                .iter()
                .any(|word| matches!(word.as_str(), "cte" | "subquery"))
    })
}

/// `func.count(...)`, `sa.func.max(...)`, `count()`, a literal column.
fn is_aggregate(expr: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let text = semantic.text(expr);
    text.contains("func.")
        || text.starts_with("count(")
        || text.starts_with("distinct(")
        || text.contains(".count(")
        || text.contains("literal_column(")
}

/// What SQLAlchemy `filter`/`where`/`filter_by`/`join` links say: `User.id == x`,
/// `User.id.in_(ids)`, `filter_by(id=x)` or a visibly unique column → keyed;
/// `Order.user_id == uid`, `.in_(ids)`, `.contains(term)`, a join to a local subquery →
/// scoped; `**kwargs`, a condition built by a helper → unknown.
fn sqlalchemy_filtering(links: &[ChainLink<'_>], semantic: &Semantic<'_>) -> Filtering {
    let mut filtering = Filtering::default();
    if !links.iter().any(|l| {
        matches!(
            l.name,
            "filter" | "where" | "filter_by" | "join" | "with_parent"
        )
    }) {
        return filtering;
    }
    let unique = visible_unique_fields(semantic);
    for link in links {
        match link.name {
            "filter" | "where" => {
                filtering.filtered = true;
                for condition in call_arguments(link.call) {
                    filtering.merge(sqlalchemy_condition(condition, &unique, semantic, 0));
                }
            }
            "filter_by" => {
                filtering.filtered = true;
                for argument in call_arguments(link.call) {
                    if argument.kind() != "keyword_argument" {
                        filtering.unknown = true;
                        continue;
                    }
                    let key = argument
                        .child_by_field_name("name")
                        .map(|n| semantic.text(n));
                    let value = argument.child_by_field_name("value");
                    if key
                        .is_some_and(|k| is_key_name(k, &unique) || is_few_flag(k, value, semantic))
                    {
                        filtering.keyed = true;
                    }
                    if value.is_some_and(|v| !py_is_literal(v, semantic)) {
                        filtering.scoped = true;
                        filtering.equalities += 1;
                    }
                }
            }
            // `Track.query.with_parent(event)`: the rows of one parent.
            "with_parent" => {
                filtering.filtered = true;
                filtering.scoped = true;
                filtering.equalities += 1;
            }
            // An inner join to a subquery built here restricts the rows to its own.
            "join" => {
                let target = positional_arguments(link.call).first().copied();
                if target
                    .is_some_and(|t| t.kind() == "identifier" && !is_capitalized(semantic.text(t)))
                {
                    filtering.filtered = true;
                    filtering.scoped = true;
                }
            }
            _ => {}
        }
    }
    filtering
}

/// One SQLAlchemy condition (bounded recursion through `and_`/`&`/parentheses).
fn sqlalchemy_condition(
    condition: Node<'_>,
    unique: &[String],
    semantic: &Semantic<'_>,
    depth: usize,
) -> Filtering {
    let mut filtering = Filtering {
        filtered: true,
        ..Filtering::default()
    };
    if depth > 8 {
        filtering.unknown = true;
        return filtering;
    }
    let condition = semantic.unwrap_expression(condition);
    match condition.kind() {
        "list_splat" | "dictionary_splat" | "identifier" | "keyword_argument" => {
            // `filter(*filters)`, `filter(condition)`: built out of sight.
            filtering.unknown = true;
        }
        // `.where(Photo.is_favorite)`: a flag that picks a few rows by hand or by role.
        "attribute" if column_name(condition, semantic).is_some_and(names_few_flag) => {
            filtering.keyed = true;
        }
        "comparison_operator" => {
            let mut cursor = condition.walk();
            let operator = condition
                .children(&mut cursor)
                .find(|c| !c.is_named())
                .map(|c| semantic.text(c));
            let sides = named_children(condition);
            if let (Some("=="), Some(left), Some(right)) = (operator, sides.first(), sides.get(1)) {
                if column_name(*left, semantic).is_some_and(|c| {
                    is_key_name(c, unique) || is_few_flag(c, Some(*right), semantic)
                }) {
                    filtering.keyed = true;
                }
                // `UserRole.name == "SYSTEM"`: the words of the column's path name a role.
                let path = name_words(semantic.text(*left));
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                if selects_admin_role(&path, Some(*right), semantic) {
                    filtering.keyed = true;
                }
                if !py_is_literal(*right, semantic) {
                    filtering.scoped = true;
                    filtering.equalities += 1;
                }
            }
            // `Photo.date >= start`: narrowed by a runtime bound, like Django's
            // `date__gte=start`.
            if let (Some("<" | "<=" | ">" | ">="), [left, right]) = (operator, sides.as_slice()) {
                let bounds = |column: &Node<'_>, bound: &Node<'_>| {
                    column_name(*column, semantic).is_some() && !py_is_literal(*bound, semantic)
                };
                if bounds(left, right) || bounds(right, left) {
                    filtering.scoped = true;
                }
            }
        }
        "binary_operator" => {
            // `(a == x) & (b == y)` / `a | b`
            let operator = condition
                .child_by_field_name("operator")
                .map(|o| semantic.text(o));
            let sides: Vec<Filtering> = [
                condition.child_by_field_name("left"),
                condition.child_by_field_name("right"),
            ]
            .into_iter()
            .flatten()
            .map(|side| sqlalchemy_condition(side, unique, semantic, depth + 1))
            .collect();
            for side in &sides {
                filtering.scoped |= side.scoped;
                filtering.equalities += side.equalities;
                filtering.unknown |= side.unknown;
            }
            filtering.keyed = match operator {
                Some("&") => sides.iter().any(|s| s.keyed),
                _ => !sides.is_empty() && sides.iter().all(|s| s.keyed),
            };
        }
        "call" => {
            let Some(function) = condition.child_by_field_name("function") else {
                return filtering;
            };
            let arguments = positional_arguments(condition);
            let runtime_argument = arguments.iter().any(|a| !py_is_literal(*a, semantic));
            let name = match function.kind() {
                "attribute" => function
                    .child_by_field_name("attribute")
                    .map(|a| semantic.text(a))
                    .unwrap_or(""),
                _ => semantic.text(function),
            };
            match name {
                "and_" | "or_" => {
                    // `and_(*conditions)`: built out of sight.
                    if call_arguments(condition)
                        .iter()
                        .any(|a| matches!(a.kind(), "list_splat" | "dictionary_splat"))
                    {
                        filtering.unknown = true;
                    }
                    let parts: Vec<Filtering> = arguments
                        .iter()
                        .map(|a| sqlalchemy_condition(*a, unique, semantic, depth + 1))
                        .collect();
                    for part in &parts {
                        filtering.scoped |= part.scoped;
                        filtering.equalities += part.equalities;
                        filtering.unknown |= part.unknown;
                    }
                    filtering.keyed = if name == "and_" {
                        parts.iter().any(|p| p.keyed)
                    } else {
                        !parts.is_empty() && parts.iter().all(|p| p.keyed)
                    };
                }
                "not_" | "exists" => {}
                // `Photo.taken_at.between(start, end)`: the window the request chose.
                "between" => filtering.scoped |= runtime_argument,
                "in_" => {
                    let column = function
                        .child_by_field_name("object")
                        .and_then(|o| column_name(o, semantic));
                    if column.is_some_and(|c| is_key_name(c, unique)) {
                        filtering.keyed = true;
                    }
                    filtering.scoped |= runtime_argument;
                }
                // Predicates on a column with a runtime operand: a lookup or a search.
                "is_" | "is_not" | "isnot" | "like" | "ilike" | "contains" | "startswith"
                | "endswith" | "match" | "op" | "__eq__" => {
                    filtering.scoped |= runtime_argument;
                }
                // `Break.timetable_entry.has(event=event)`: the rows related to one parent.
                "any" | "has" => {
                    let related = call_arguments(condition).into_iter().any(|argument| {
                        argument.kind() == "keyword_argument"
                            && argument
                                .child_by_field_name("value")
                                .is_some_and(|value| !py_is_literal(value, semantic))
                    });
                    filtering.scoped |= runtime_argument || related;
                    if related {
                        filtering.equalities += 1;
                    }
                }
                // A condition made by a helper (`get_access_filters(Model)`).
                _ if function
                    .child_by_field_name("object")
                    .is_none_or(|o| o.kind() != "attribute") =>
                {
                    filtering.unknown = true;
                }
                _ => {}
            }
        }
        // `or_(...) if ids else (Backup.team_id == team)`: either branch may run, so the
        // query is only as narrow as the wider of the two.
        "conditional_expression" => {
            let branches = named_children(condition);
            if let [consequence, _, alternative] = branches.as_slice() {
                let consequence = sqlalchemy_condition(*consequence, unique, semantic, depth + 1);
                let alternative = sqlalchemy_condition(*alternative, unique, semantic, depth + 1);
                filtering.keyed = consequence.keyed && alternative.keyed;
                filtering.scoped = consequence.scoped && alternative.scoped;
                filtering.equalities = consequence.equalities.min(alternative.equalities);
                filtering.unknown = consequence.unknown || alternative.unknown;
            }
        }
        _ => {}
    }
    filtering
}

/// `User.id` → `id`; `users.c.id` → `id`.
fn column_name<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    if expr.kind() != "attribute" {
        return None;
    }
    expr.child_by_field_name("attribute")
        .map(|a| semantic.text(a))
}

/// `session.scalars(stmt).all()`, `session.execute(stmt).scalars().all()`,
/// `session.exec(stmt).all()` (SQLModel), `conn.execute(text(sql)).all()`.
fn check_executed_statement(call: Node<'_>, query: &Query<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some((index, executed)) = query.innermost(&["execute", "scalars", "exec"]) else {
        return;
    };
    // Only result-shaping links may sit between the execution and `.all()`.
    if query.links[..index].iter().any(|l| {
        !matches!(
            l.name,
            "scalars" | "unique" | "mappings" | "tuples" | "columns"
        )
    }) {
        return;
    }
    let Some(statement) = positional_arguments(executed.call).first().copied() else {
        return;
    };
    if let Some(select) = select_statement(statement, semantic, ctx.source) {
        check_select_statement(call, statement, &select, "`.all()`", ctx);
        return;
    }
    if let Some(sql) = text_clause(statement, semantic) {
        check_raw_sql(call, sql, "`.all()`", ctx);
    }
}

/// A `select(...)` statement after following variables: its query and `select` call.
struct Select<'t> {
    query: Query<'t>,
    select: Node<'t>,
}

fn select_statement<'t>(
    statement: Node<'t>,
    semantic: &Semantic<'t>,
    source: &str,
) -> Option<Select<'t>> {
    let query = flatten(statement, semantic);
    let select = query.root;
    if select.kind() != "call" {
        return None;
    }
    let function = select.child_by_field_name("function")?;
    let is_select = match semantic.qualified_name(function) {
        Some(q) => {
            (q.starts_with("sqlalchemy")
                || q.starts_with("sqlmodel")
                || q.starts_with("flask_sqlalchemy"))
                && q.ends_with(".select")
        }
        None => {
            matches!(
                semantic.text(function),
                "select" | "db.select" | "sa.select"
            ) && (source.contains("sqlalchemy") || source.contains("sqlmodel"))
        }
    };
    is_select.then_some(Select { query, select })
}

fn check_select_statement(
    call: Node<'_>,
    statement: Node<'_>,
    select: &Select<'_>,
    how: &str,
    ctx: &mut RuleContext<'_, '_>,
) {
    let semantic = ctx.semantic;
    let query = &select.query;
    let entities = positional_arguments(select.select);
    let Some(first) = entities.first() else {
        return;
    };
    if entities
        .iter()
        .any(|e| is_aggregate(*e, semantic) || reads_local_subquery(*e, semantic))
        || query.has(SQLALCHEMY_BOUNDING)
    {
        return;
    }
    if query.variables_bounded(query.links.len(), semantic, SQLALCHEMY_BOUNDING, None) {
        return;
    }
    let filtering = sqlalchemy_filtering(&query.links, semantic);
    let model = model_name(*first, semantic);
    let built = query
        .hops
        .last()
        .and_then(|(hop, _)| hop_value(*hop, semantic))
        .unwrap_or(statement);
    let shown = describe(built, semantic);
    let rows = filtering.rows(&format!("`{model}`"));
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model: model.clone(),
            filtering,
            message: format!("`{shown}` is read with {how} and has no `.limit()`: it loads {rows}"),
            help: format!(
                "page with a keyset: `select({model}).where({model}.id > last_id).order_by({model}.id).limit(50)`"
            ),
        },
    );
}

/// `text("SELECT ...")` or a plain SQL string passed to `execute`.
fn text_clause<'t>(statement: Node<'t>, semantic: &Semantic<'t>) -> Option<Node<'t>> {
    let statement = resolve_local(statement, semantic);
    match statement.kind() {
        "string" | "concatenated_string" | "binary_operator" => Some(statement),
        "call" => {
            let function = statement.child_by_field_name("function")?;
            let is_text = match semantic.qualified_name(function) {
                Some(q) => q.starts_with("sqlalchemy") && q.ends_with(".text"),
                None => semantic.text(function) == "text",
            };
            if !is_text {
                return None;
            }
            positional_arguments(statement).first().copied()
        }
        _ => None,
    }
}

// ------------------------------------------------------------------ Python: raw SQL

/// `cursor.execute("SELECT ... FROM t"); rows = cursor.fetchall()` and
/// `conn.execute(sql).fetchall()`.
fn fetchall(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(receiver) = callee(call).child_by_field_name("object") else {
        return;
    };
    let receiver = semantic.unwrap_expression(receiver);
    let query = flatten(receiver, semantic);
    if let Some((index, executed)) = query.innermost(&["execute"]) {
        if query.links[..index].iter().all(|l| l.name == "mappings") {
            let Some(statement) = positional_arguments(executed.call).first().copied() else {
                return;
            };
            if let Some(select) = select_statement(statement, semantic, ctx.source) {
                check_select_statement(call, statement, &select, "`fetchall()`", ctx);
            } else if let Some(sql) = text_clause(statement, semantic) {
                check_raw_sql(call, sql, "`fetchall()`", ctx);
            }
            return;
        }
    }
    if !matches!(receiver.kind(), "identifier" | "attribute") {
        return;
    }
    let Some(executed) = previous_execute(call, receiver, semantic) else {
        return;
    };
    let Some(statement) = positional_arguments(executed).first().copied() else {
        return;
    };
    if let Some(sql) = text_clause(statement, semantic) {
        check_raw_sql(call, sql, "`fetchall()`", ctx);
    }
}

/// The last `<receiver>.execute(...)` before `fetch` in the same function.
fn previous_execute<'t>(
    fetch: Node<'t>,
    receiver: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<Node<'t>> {
    let receiver_text = semantic.text(receiver);
    let function = semantic.enclosing_function(fetch);
    let scope = function.unwrap_or_else(|| semantic.root());
    let mut found: Option<Node<'t>> = None;
    walk_preorder(scope, |node| {
        if node.kind() != "call" || node.end_byte() > fetch.start_byte() {
            return;
        }
        let Some(callee) = node
            .child_by_field_name("function")
            .filter(|f| f.kind() == "attribute")
        else {
            return;
        };
        let method = callee
            .child_by_field_name("attribute")
            .map(|a| semantic.text(a));
        let object = callee
            .child_by_field_name("object")
            .map(|o| semantic.text(o));
        if method == Some("execute") && object == Some(receiver_text) {
            found = Some(node);
        }
    });
    // A statement executed in a nested function is not this cursor's.
    found.filter(|f| semantic.enclosing_function(*f) == function)
}

fn check_raw_sql(call: Node<'_>, sql: Node<'_>, how: &str, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(build) = semantic.string_build(sql) else {
        return;
    };
    // Spliced-in values may carry the LIMIT (`sql += " LIMIT %s"` on some path).
    if !build.is_constant() {
        return;
    }
    let Some((table, filtering)) = unbounded_select(&build.literal_text) else {
        return;
    };
    let rows = filtering.rows(&format!("`{table}`"));
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model: table.clone(),
            filtering,
            message: format!("`SELECT ... FROM {table}` has no `LIMIT` and {how} loads {rows}"),
            help: "page with a keyset: `... WHERE id > %s ORDER BY id LIMIT %s`, or read in batches with `fetchmany(n)`".to_string(),
        },
    );
}

/// The table and filtering of a `SELECT ... FROM table` with no `LIMIT`/`FETCH
/// FIRST`/`TOP`, no aggregate or grouping, and not over a system catalog.
fn unbounded_select(sql: &str) -> Option<(String, Filtering)> {
    let normalized: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let upper = normalized.to_ascii_uppercase();
    let head = upper.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    if !head.starts_with("SELECT ") {
        return None;
    }
    let from = upper.find(" FROM ")?;
    const BOUNDS: &[&str] = &[
        "LIMIT",
        "FETCH FIRST",
        "FETCH NEXT",
        " TOP ",
        "TOP(",
        "ROWNUM",
        " OFFSET ",
        "COUNT(",
        "SUM(",
        "AVG(",
        "MIN(",
        "MAX(",
        "GROUP BY",
        "DISTINCT",
        "EXISTS",
    ];
    if BOUNDS.iter().any(|b| upper.contains(b)) {
        return None;
    }
    const CATALOGS: &[&str] = &[
        "INFORMATION_SCHEMA",
        "PG_",
        "SQLITE_",
        "SYS.",
        "SYS ",
        "MYSQL.",
        "ALL_",
        "USER_",
        "DBA_",
        "DUAL",
        "SYSTEM.",
    ];
    let after_from = upper[from + " FROM ".len()..].trim_start();
    let after_from = after_from.trim_start_matches(['"', '`', '[']);
    if CATALOGS.iter().any(|c| after_from.starts_with(c)) {
        return None;
    }
    let mut filtering = Filtering::default();
    if let Some(where_at) = upper.find(" WHERE ") {
        let clause = &upper[where_at..];
        filtering.filtered = true;
        filtering.keyed = has_key_predicate(clause);
        filtering.scoped = has_bound_parameter(clause);
    }
    let source = normalized[from + " FROM ".len()..].trim_start();
    let table: String = source
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '(' | ')' | ';'))
        .collect();
    // `FROM tree_of_graph(%s)`: a set-returning function gives the rows of what its
    // arguments name.
    if source[table.len()..].trim_start().starts_with('(') {
        filtering.filtered = true;
        filtering.scoped = true;
    }
    let table = table.replace(['"', '`', '[', ']'], "");
    (!table.is_empty() && !table.contains('%') && !table.contains('{'))
        .then_some((table, filtering))
}

// --------------------------------------------------------------------- Python: MongoDB

/// `list(db.users.find(...))`.
fn mongo_list(argument: Node<'_>, how: &str, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let query = flatten(argument, semantic);
    if let Some((find, filtering)) = py_mongo_find(&query, semantic, ctx.source) {
        report_py_mongo(argument, find, filtering, &format!("`{how}()`"), ctx);
    }
}

/// `await cursor.to_list(None)` / `to_list(length=None)` (Motor), `await Doc.find().to_list()`
/// (Beanie).
fn mongo_to_list(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let unbounded = match py_argument(call, "length", Some(0), semantic) {
        Lookup::Absent => true,
        Lookup::Present(value) => crate::common::py_is_none(value, semantic),
        Lookup::Unknown => false,
    };
    if !unbounded {
        return;
    }
    let Some(receiver) = callee(call).child_by_field_name("object") else {
        return;
    };
    let query = flatten(receiver, semantic);
    if let Some((find, filtering)) = py_mongo_find(&query, semantic, ctx.source) {
        report_py_mongo(call, find, filtering, "`to_list()`", ctx);
    }
}

/// The `find()` link of a pymongo/Motor/Beanie cursor chain with no bound, and what its
/// filter says.
fn py_mongo_find<'t>(
    query: &Query<'t>,
    semantic: &Semantic<'t>,
    source: &str,
) -> Option<(ChainLink<'t>, Filtering)> {
    let lower = source.to_ascii_lowercase();
    if !(lower.contains("mongo") || lower.contains("beanie")) {
        return None;
    }
    let (index, find) = query.innermost(&["find", "find_all", "find_many"])?;
    // Only cursor methods outside `find()`; `limit`/`skip` bound it.
    const CURSOR: &[&str] = &[
        "sort",
        "batch_size",
        "hint",
        "max_time_ms",
        "comment",
        "collation",
        "allow_disk_use",
        "project",
        "projection",
        "fetch_links",
    ];
    if query.links[..index]
        .iter()
        .any(|l| !CURSOR.contains(&l.name))
    {
        return None;
    }
    match py_argument(find.call, "limit", None, semantic) {
        Lookup::Absent => {}
        _ => return None,
    }
    if query.variables_bounded(index, semantic, &["limit", "skip"], None) {
        return None;
    }
    let mut filtering = Filtering::default();
    if let Lookup::Present(filter) = py_argument(find.call, "filter", Some(0), semantic) {
        let filter = resolve_local(filter, semantic);
        filtering = match filter.kind() {
            "dictionary" => py_mongo_filter(filter, semantic),
            // Beanie expressions: `Doc.find(Doc.owner == user.id)`.
            "comparison_operator" | "call" | "boolean_operator" => {
                beanie_filtering(filter, semantic)
            }
            _ => Filtering {
                filtered: true,
                unknown: true,
                ..Filtering::default()
            },
        };
    }
    Some((find, filtering))
}

/// A Beanie find expression: `Doc.id == x` → keyed, any `==` → scoped.
fn beanie_filtering(expr: Node<'_>, semantic: &Semantic<'_>) -> Filtering {
    let text = semantic.text(expr);
    Filtering {
        filtered: true,
        keyed: text.contains(".id ==") || text.contains("._id =="),
        scoped: text.contains("=="),
        equalities: text.matches("==").count(),
        unknown: false,
    }
}

/// A pymongo filter document: `{"_id": x}` → keyed; `{"owner": user_id}` → scoped.
fn py_mongo_filter(dict: Node<'_>, semantic: &Semantic<'_>) -> Filtering {
    let mut filtering = Filtering::default();
    for pair in named_children(dict) {
        if pair.kind() == "dictionary_splat" {
            filtering.unknown = true;
            continue;
        }
        let Some(key) = pair.child_by_field_name("key") else {
            continue;
        };
        let key = strip_quotes(semantic.text(key));
        filtering.filtered = true;
        if KEY_NAMES.contains(&key) {
            filtering.keyed = true;
        }
        let Some(value) = pair.child_by_field_name("value") else {
            continue;
        };
        let value = semantic.unwrap_expression(value);
        if selects_administrators(key, value, semantic) {
            filtering.keyed = true;
        }
        if value.kind() == "dictionary" {
            // Operators: `{"$in": ids}` / `{"$eq": x}` keep equality; ranges do not.
            for operator in named_children(value) {
                let name = operator
                    .child_by_field_name("key")
                    .map(|k| strip_quotes(semantic.text(k)))
                    .unwrap_or("");
                let operand = operator.child_by_field_name("value");
                if matches!(name, "$in" | "$eq")
                    && operand.is_some_and(|o| !py_is_literal(o, semantic))
                {
                    filtering.scoped = true;
                }
            }
        } else if !py_is_literal(value, semantic) {
            filtering.scoped = true;
            filtering.equalities += 1;
        }
    }
    filtering
}

fn report_py_mongo(
    anchor: Node<'_>,
    find: ChainLink<'_>,
    filtering: Filtering,
    how: &str,
    ctx: &mut RuleContext<'_, '_>,
) {
    let semantic = ctx.semantic;
    let collection = callee(find.call)
        .child_by_field_name("object")
        .map(|o| describe(o, semantic))
        .unwrap_or_default();
    let shown = describe(find.call, semantic);
    let documents = if filtering.filtered {
        format!("every matching document of `{collection}`")
    } else {
        format!("every document of `{collection}`")
    };
    emit(
        ctx,
        Candidate {
            anchor,
            span: span_to(anchor, callee(anchor)),
            model: collection.clone(),
            filtering,
            message: format!("`{shown}` has no `.limit()` and {how} loads {documents}"),
            help: "page with a range on `_id`: `.find({\"_id\": {\"$gt\": last_id}}).sort(\"_id\", 1).limit(50)`".to_string(),
        },
    );
}

// ------------------------------------------------------------------------------- TS/JS

const JS_METHODS: &[&str] = &[
    "findMany",
    "findAll",
    "findAndCountAll",
    "find",
    "findBy",
    "findAndCount",
    "findAndCountBy",
    "getMany",
    "getRawMany",
    "getManyAndCount",
    "getRawAndEntities",
    "execute",
    "toArray",
    "then",
    "exec",
    "all",
];

fn check_javascript(node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    match node.kind() {
        "call_expression" => {
            let Some(function) = node
                .child_by_field_name("function")
                .filter(|f| f.kind() == "member_expression")
            else {
                return;
            };
            let Some(property) = function.child_by_field_name("property") else {
                return;
            };
            let method = semantic.text(property);
            if !JS_METHODS.contains(&method) || semantic.is_module_level(node) {
                return;
            }
            match method {
                "findMany" => prisma_find_many(node, ctx),
                "findAll" | "findAndCountAll" => sequelize_find_all(node, method, ctx),
                "find" | "findBy" | "findAndCount" | "findAndCountBy" => {
                    typeorm_find(node, method, ctx)
                }
                "getMany" | "getRawMany" | "getManyAndCount" | "getRawAndEntities" => {
                    typeorm_query_builder(node, method, ctx)
                }
                "execute" => {
                    // Kysely's `selectFrom(...).execute()`, else a Drizzle/knex builder.
                    let kysely = kysely_execute(node, ctx);
                    match function.child_by_field_name("object") {
                        Some(object) if !kysely => thenable_builder(object, node, ctx),
                        _ => {}
                    }
                }
                "toArray" => mongo_to_array(node, ctx),
                "then" | "exec" | "all" => {
                    let Some(object) = function.child_by_field_name("object") else {
                        return;
                    };
                    // `q.exec().then(...)`: checked once, at `exec`.
                    let inner = callee(semantic.unwrap_expression(object))
                        .child_by_field_name("property")
                        .map(|p| semantic.text(p));
                    if !matches!(inner, Some("exec" | "then" | "all" | "execute")) {
                        thenable_builder(object, node, ctx);
                    }
                }
                _ => {}
            }
        }
        "await_expression" => {
            let Some(awaited) = node.named_child(0) else {
                return;
            };
            let awaited = semantic.unwrap_expression(awaited);
            // `await q.exec()` / `await q.then(...)` are checked at the call.
            if awaited.kind() == "call_expression" {
                let method = callee(awaited)
                    .child_by_field_name("property")
                    .map(|p| semantic.text(p));
                if matches!(method, Some("exec" | "then" | "all" | "execute")) {
                    return;
                }
            }
            if semantic.is_module_level(node) {
                return;
            }
            thenable_builder(awaited, awaited, ctx);
        }
        _ => {}
    }
}

/// The object a method is called on.
fn js_receiver(call: Node<'_>) -> Option<Node<'_>> {
    callee(call).child_by_field_name("object")
}

/// The last name of a receiver: `userRepository` for `this.userRepository`.
fn last_segment<'t>(expr: Node<'t>, semantic: &Semantic<'t>) -> &'t str {
    let expr = semantic.unwrap_expression(expr);
    match expr.kind() {
        "member_expression" => expr
            .child_by_field_name("property")
            .map(|p| semantic.text(p))
            .unwrap_or(""),
        "identifier" | "this" => semantic.text(expr),
        _ => "",
    }
}

fn js_is_function(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "arrow_function" | "function_expression" | "function"
    )
}

/// A key of an object literal: `id`, `"id"`, `$in`. `None` for computed keys.
fn js_key<'t>(key: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    match key.kind() {
        "property_identifier" | "number" => Some(semantic.text(key)),
        "string" => Some(strip_quotes(semantic.text(key))),
        _ => None,
    }
}

/// Whether a JS value is a literal or a constant, not a runtime value.
fn js_is_literal(value: Node<'_>, semantic: &Semantic<'_>) -> bool {
    is_literal_value(value, semantic)
}

/// Operators that keep equality: Prisma `in`/`equals`, Mongo `$in`/`$eq`, Sequelize
/// `[Op.in]`/`[Op.eq]` (computed keys are read by their text).
const JS_EQUALITY_OPERATORS: &[&str] = &["in", "equals", "$in", "$eq", "eq", "Op.in", "Op.eq"];

/// What a JS filter object says: `{ id }` / `{ _id: x }` → keyed; `{ authorId }`,
/// `{ userId: { in: ids } }`, `{ author: { id } }` → scoped; a spread or a callback →
/// unknown. `depth` bounds nested relation filters.
fn js_filter(expr: Node<'_>, semantic: &Semantic<'_>, depth: usize) -> Filtering {
    let mut budget = WALK_BUDGET;
    js_filter_within(expr, semantic, depth, &mut budget)
}

/// `js_filter` with a node budget shared by the whole walk: local objects may be
/// referenced many times, so the depth bound alone does not bound the work.
fn js_filter_within(
    expr: Node<'_>,
    semantic: &Semantic<'_>,
    depth: usize,
    budget: &mut usize,
) -> Filtering {
    let mut filtering = Filtering {
        filtered: true,
        ..Filtering::default()
    };
    if *budget == 0 {
        filtering.unknown = true;
        return filtering;
    }
    *budget -= 1;
    if depth > 4 || js_object_mutated(expr, semantic) {
        filtering.unknown = true;
        return filtering;
    }
    let object = resolve_local(expr, semantic);
    match object.kind() {
        "object" => {
            let properties = named_children(object);
            filtering.filtered = !properties.is_empty();
            for property in properties {
                match property.kind() {
                    "pair" => {
                        let key_node = property.child_by_field_name("key");
                        let key = match key_node {
                            Some(k) if k.kind() == "computed_property_name" => {
                                // `[Op.or]`, `[Op.and]`: read by text.
                                Some(semantic.text(k).trim_matches(['[', ']']))
                            }
                            Some(k) => js_key(k, semantic),
                            None => None,
                        };
                        let Some(key) = key else {
                            filtering.unknown = true;
                            continue;
                        };
                        let Some(value) = property.child_by_field_name("value") else {
                            continue;
                        };
                        js_filter_entry(key, value, semantic, depth, budget, &mut filtering);
                    }
                    "shorthand_property_identifier" => {
                        if KEY_NAMES.contains(&semantic.text(property)) {
                            filtering.keyed = true;
                        } else {
                            filtering.scoped = true;
                            filtering.equalities += 1;
                        }
                    }
                    "spread_element" | "method_definition" => filtering.unknown = true,
                    _ => {}
                }
            }
        }
        // TypeORM `where: [{...}, {...}]` (OR): keyed only when every branch is.
        "array" => {
            let branches: Vec<Filtering> = named_children(object)
                .iter()
                .map(|branch| js_filter_within(*branch, semantic, depth + 1, budget))
                .collect();
            filtering.keyed = !branches.is_empty() && branches.iter().all(|b| b.keyed);
            filtering.scoped = branches.iter().any(|b| b.scoped);
            filtering.unknown = branches.iter().any(|b| b.unknown);
        }
        kind if js_is_function(object) || kind == "call_expression" => filtering.unknown = true,
        // A filter built elsewhere: some runtime condition, most often a parent's key.
        _ => filtering.scoped = true,
    }
    filtering
}

fn js_filter_entry(
    key: &str,
    value: Node<'_>,
    semantic: &Semantic<'_>,
    depth: usize,
    budget: &mut usize,
    filtering: &mut Filtering,
) {
    if matches!(
        key,
        "AND" | "OR" | "NOT" | "$and" | "$or" | "$nor" | "Op.and" | "Op.or" | "Op.not"
    ) {
        let inner = js_filter_within(value, semantic, depth + 1, budget);
        filtering.scoped |= inner.scoped || inner.keyed;
        filtering.unknown |= inner.unknown;
        return;
    }
    if KEY_NAMES.contains(&key) {
        filtering.keyed = true;
        return;
    }
    let value = resolve_local(value, semantic);
    if selects_administrators(key, value, semantic) {
        filtering.keyed = true;
        return;
    }
    match value.kind() {
        "object" => {
            let entries = named_children(value);
            let operators: Vec<(Option<&str>, Option<Node<'_>>)> = entries
                .iter()
                .map(|entry| {
                    let key = entry.child_by_field_name("key").and_then(|k| {
                        if k.kind() == "computed_property_name" {
                            Some(semantic.text(k).trim_matches(['[', ']']))
                        } else {
                            js_key(k, semantic)
                        }
                    });
                    (key, entry.child_by_field_name("value"))
                })
                .collect();
            let is_operator_object = operators.iter().all(|(key, _)| {
                key.is_some_and(|k| {
                    k.starts_with('$') || k.starts_with("Op.") || PRISMA_OPERATORS.contains(&k)
                })
            });
            if is_operator_object {
                for (key, operand) in operators {
                    if key.is_some_and(|k| JS_EQUALITY_OPERATORS.contains(&k))
                        && operand.is_some_and(|o| !js_is_literal(o, semantic))
                    {
                        filtering.scoped = true;
                    }
                }
            } else {
                // A relation filter: `{ author: { id: userId } }` is one parent's rows.
                let inner = js_filter_within(value, semantic, depth + 1, budget);
                filtering.scoped |= inner.scoped || inner.keyed;
                filtering.unknown |= inner.unknown;
            }
        }
        // TypeORM operators: `In(ids)` / `Equal(x)` keep equality; `MoreThan(d)` does not.
        "call_expression" => {
            let name = semantic.text(callee(value));
            let operands = js_arguments(value);
            let equality = matches!(name, "In" | "Equal" | "Any" | "ArrayContains");
            if !equality || operands.iter().any(|o| !js_is_literal(*o, semantic)) {
                filtering.scoped |= equality;
            }
            if !matches!(
                name,
                "In" | "Equal"
                    | "Any"
                    | "ArrayContains"
                    | "Not"
                    | "MoreThan"
                    | "MoreThanOrEqual"
                    | "LessThan"
                    | "LessThanOrEqual"
                    | "Like"
                    | "ILike"
                    | "Between"
                    | "IsNull"
                    | "Raw"
            ) {
                // `{ ownerId: getOwner(req) }`: a runtime value.
                filtering.scoped = true;
                filtering.equalities += 1;
            }
        }
        _ => {
            if !js_is_literal(value, semantic) {
                filtering.scoped = true;
                filtering.equalities += 1;
            }
        }
    }
}

/// Whether a local filter object gets keys after it is written: `query.id_user =
/// req.user._id`, `where[field] = value`, `Object.assign(query, extra)`. The literal alone
/// does not show the filter.
fn js_object_mutated(expr: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let expr = semantic.unwrap_expression(expr);
    if expr.kind() != "identifier" {
        return false;
    }
    let name = semantic.text(expr);
    let scope = semantic
        .enclosing_function(expr)
        .unwrap_or_else(|| semantic.root());
    let mut mutated = false;
    walk_preorder(scope, |node| {
        if mutated {
            return;
        }
        let target = match node.kind() {
            "assignment_expression" | "augmented_assignment_expression" => {
                node.child_by_field_name("left")
            }
            "call_expression" if semantic.text(callee(node)) == "Object.assign" => {
                js_arguments(node).first().copied()
            }
            _ => None,
        };
        let Some(target) = target else {
            return;
        };
        let object = match target.kind() {
            "member_expression" | "subscript_expression" => target.child_by_field_name("object"),
            "identifier" if node.kind() == "call_expression" => Some(target),
            _ => None,
        };
        mutated = object.is_some_and(|o| o.kind() == "identifier" && semantic.text(o) == name);
    });
    mutated
}

/// Prisma filter operators (the keys of `{ field: { ... } }`).
const PRISMA_OPERATORS: &[&str] = &[
    "equals",
    "in",
    "notIn",
    "not",
    "lt",
    "lte",
    "gt",
    "gte",
    "contains",
    "startsWith",
    "endsWith",
    "mode",
    "search",
    "some",
    "every",
    "none",
    "is",
    "isNot",
    "has",
    "hasSome",
    "hasEvery",
    "isEmpty",
    "path",
    "string_contains",
    "array_contains",
];

/// A JS options object at `index` and whether `key` is given: `Unknown` when options are
/// spread in or cannot be resolved.
fn js_option<'t>(call: Node<'t>, index: usize, key: &str, semantic: &Semantic<'t>) -> Lookup<'t> {
    let arguments = js_arguments(call);
    if arguments.iter().any(|a| a.kind() == "spread_element") {
        return Lookup::Unknown;
    }
    match arguments.get(index) {
        Some(options) => js_property(*options, key, semantic),
        None => Lookup::Absent,
    }
}

/// The filtering of the `where` option of the options object at `index`.
fn js_where_option(call: Node<'_>, index: usize, semantic: &Semantic<'_>) -> Filtering {
    match js_option(call, index, "where", semantic) {
        Lookup::Present(filter) => js_filter(filter, semantic, 0),
        Lookup::Absent => Filtering::default(),
        Lookup::Unknown => Filtering {
            unknown: true,
            ..Filtering::default()
        },
    }
}

// ------------------------------------------------------------------------------ Prisma

/// `prisma.user.findMany({...})` without `take`; `db.query.users.findMany()` (Drizzle's
/// relational API) without `limit`.
fn prisma_find_many(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(delegate) = js_receiver(call).filter(|d| d.kind() == "member_expression") else {
        return;
    };
    let Some(model) = delegate.child_by_field_name("property") else {
        return;
    };
    let model = semantic.text(model);
    let client = delegate.child_by_field_name("object");
    let drizzle = client.is_some_and(|c| last_segment(c, semantic) == "query")
        && ctx.source.contains("drizzle");
    if !drizzle && !ctx.source.to_ascii_lowercase().contains("prisma") {
        return;
    }
    let bound = if drizzle { "limit" } else { "take" };
    if !matches!(js_option(call, 0, bound, semantic), Lookup::Absent) {
        return;
    }
    let filtering = js_where_option(call, 0, semantic);
    let delegate_text = describe(delegate, semantic);
    let rows = filtering.rows(&format!("`{model}`"));
    let (message, help) = if drizzle {
        (
            format!("`{delegate_text}.findMany()` has no `limit`: it loads {rows}"),
            "page with a keyset: `findMany({ where: (t, { gt }) => gt(t.id, lastId), orderBy: (t, { asc }) => asc(t.id), limit: 50 })`".to_string(),
        )
    } else {
        (
            format!("`{delegate_text}.findMany()` has no `take`: it loads {rows}"),
            format!("page with a cursor: `{delegate_text}.findMany({{ take: 50, skip: cursor ? 1 : 0, cursor: cursor ? {{ id: cursor }} : undefined, orderBy: {{ id: 'asc' }} }})`"),
        )
    };
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model: model.to_string(),
            filtering,
            message,
            help,
        },
    );
}

// --------------------------------------------------------------------------- Sequelize

/// `User.findAll({...})` / `findAndCountAll` without `limit` (Sequelize, MikroORM).
fn sequelize_find_all(call: Node<'_>, method: &str, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(receiver) = js_receiver(call) else {
        return;
    };
    let lower = ctx.source.to_ascii_lowercase();
    let orm_in_file = lower.contains("sequelize") || lower.contains("@mikro-orm");
    if !is_model_receiver(receiver, semantic, orm_in_file) {
        return;
    }
    let arguments = js_arguments(call);
    if arguments
        .iter()
        .any(|a| a.kind() == "spread_element" || js_is_function(*a))
    {
        return;
    }
    // MikroORM's `em.findAll(Entity, options)` takes the entity first.
    let options_index = usize::from(
        arguments
            .first()
            .is_some_and(|a| a.kind() == "identifier" && is_capitalized(semantic.text(*a))),
    );
    if arguments.len() > options_index + 1 {
        return; // not the `findAll(options)` signature
    }
    for key in ["limit", "group"] {
        if !matches!(
            js_option(call, options_index, key, semantic),
            Lookup::Absent
        ) {
            return;
        }
    }
    // Other `findAll(options)` APIs (Bookshelf wrappers, custom repositories) take options
    // Sequelize does not know: their meaning is not ours to guess.
    if let Some(options) = arguments.get(options_index) {
        if !has_only_keys(*options, SEQUELIZE_OPTIONS, semantic) {
            return;
        }
    }
    let filtering = js_where_option(call, options_index, semantic);
    let model = describe(receiver, semantic);
    let rows = filtering.rows(&format!("`{model}`"));
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model: model.clone(),
            filtering,
            message: format!("`{model}.{method}()` has no `limit`: it loads {rows}"),
            help: format!(
                "page with a keyset: `{model}.{method}({{ where: {{ id: {{ [Op.gt]: lastId }} }}, order: [['id', 'ASC']], limit: 50 }})`"
            ),
        },
    );
}

/// The options `findAll` takes in Sequelize and MikroORM.
const SEQUELIZE_OPTIONS: &[&str] = &[
    "where",
    "attributes",
    "include",
    "order",
    "orderBy",
    "limit",
    "offset",
    "group",
    "having",
    "raw",
    "nest",
    "plain",
    "transaction",
    "paranoid",
    "subQuery",
    "logging",
    "lock",
    "skipLocked",
    "distinct",
    "benchmark",
    "useMaster",
    "mapToModel",
    "populate",
    "fields",
    "exclude",
    "filters",
    "cache",
    "strategy",
    "connectionType",
    "lockMode",
    "schema",
];

/// Whether an options object (literal or local) sets only keys from `known`.
fn has_only_keys(options: Node<'_>, known: &[&str], semantic: &Semantic<'_>) -> bool {
    let object = resolve_local(options, semantic);
    if object.kind() != "object" {
        return false;
    }
    named_children(object)
        .iter()
        .all(|property| match property.kind() {
            "pair" => property
                .child_by_field_name("key")
                .and_then(|k| js_key(k, semantic))
                .is_some_and(|k| known.contains(&k)),
            "shorthand_property_identifier" => known.contains(&semantic.text(*property)),
            _ => false,
        })
}

/// A receiver that is visibly an ORM model or repository: a class imported from a models
/// module, `db.User`/`models.User`, `this.userModel`, `this.userRepository`, or a
/// capitalized class in a file that imports the ORM. Services and controllers never are.
fn is_model_receiver(receiver: Node<'_>, semantic: &Semantic<'_>, orm_in_file: bool) -> bool {
    let receiver = semantic.unwrap_expression(receiver);
    let last = last_segment(receiver, semantic);
    let lower = last.to_ascii_lowercase();
    const NOT_MODELS: &[&str] = &[
        "service",
        "controller",
        "provider",
        "resolver",
        "helper",
        "client",
        "api",
        "cache",
        "store",
        "util",
        "utils",
        "manager",
        "factory",
        "handler",
    ];
    if last.is_empty() || NOT_MODELS.iter().any(|suffix| lower.ends_with(suffix)) {
        return false;
    }
    if lower.ends_with("model") || lower.ends_with("repository") || lower.ends_with("repo") {
        return true;
    }
    if receiver.kind() == "member_expression" {
        let object = receiver
            .child_by_field_name("object")
            .map(|o| last_segment(o, semantic))
            .unwrap_or("");
        return matches!(object, "db" | "models" | "model" | "orm") && is_capitalized(last);
    }
    if receiver.kind() == "identifier" && is_capitalized(last) {
        if let Some(qualified) = semantic.qualified_name(receiver) {
            let lower = qualified.to_ascii_lowercase();
            let local = lower.starts_with('.') || lower.starts_with('@') || lower.starts_with('~');
            if local
                && (lower.contains("model") || lower.contains("entit") || lower.contains("/db"))
            {
                return true;
            }
        }
        return orm_in_file;
    }
    false
}

// ----------------------------------------------------------------------------- TypeORM

/// `repository.find({...})` / `findBy(where)` / `manager.find(User, {...})` /
/// `User.find()` (active record) without `take`.
fn typeorm_find(call: Node<'_>, method: &str, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    if !ctx.source.contains("typeorm") || ctx.source.contains("mongoose") {
        return;
    }
    let Some(receiver) = js_receiver(call) else {
        return;
    };
    let arguments = js_arguments(call);
    if arguments
        .iter()
        .any(|a| a.kind() == "spread_element" || js_is_function(*a))
    {
        return;
    }
    let last = last_segment(receiver, semantic);
    let lower = last.to_ascii_lowercase();
    let manager = lower == "em" || lower.ends_with("manager");
    let repository = lower.ends_with("repository")
        || lower.ends_with("repo")
        || is_get_repository(receiver, semantic)
        || (receiver.kind() == "identifier" && is_capitalized(last) && !is_builtin_global(last));
    let options_index = if manager {
        // `manager.find(User, {...})`
        match arguments.first() {
            Some(entity)
                if entity.kind() == "identifier" && is_capitalized(semantic.text(*entity)) =>
            {
                1
            }
            _ => return,
        }
    } else if repository {
        0
    } else {
        return;
    };
    let filtering = if method.ends_with("By") {
        match arguments.get(options_index) {
            Some(filter) => js_filter(*filter, semantic, 0),
            None => return,
        }
    } else {
        if !matches!(
            js_option(call, options_index, "take", semantic),
            Lookup::Absent
        ) {
            return;
        }
        js_where_option(call, options_index, semantic)
    };
    let entity = if manager {
        arguments.first().map(|e| semantic.text(*e).to_string())
    } else {
        typeorm_entity(receiver, semantic)
    };
    let target = entity
        .as_deref()
        .map_or_else(|| "the table".to_string(), |e| format!("`{e}`"));
    let rows = filtering.rows(&target);
    let name = format!("{}.{method}()", describe(receiver, semantic));
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model: entity.unwrap_or_else(|| last.to_string()),
            filtering,
            message: format!("`{name}` has no `take`: it loads {rows}"),
            help: "page with a keyset: `find({ where: { id: MoreThan(lastId) }, order: { id: 'ASC' }, take: 50 })`".to_string(),
        },
    );
}

/// Capitalized globals whose `find` is not an ORM's.
fn is_builtin_global(name: &str) -> bool {
    matches!(
        name,
        "Array" | "Object" | "Promise" | "Reflect" | "Math" | "JSON" | "Intl" | "Buffer"
    )
}

/// `dataSource.getRepository(User)` / `AppDataSource.getRepository(User)` directly or
/// through a local variable.
fn is_get_repository(receiver: Node<'_>, semantic: &Semantic<'_>) -> bool {
    let origin = resolve_local(receiver, semantic);
    origin.kind() == "call_expression"
        && callee(origin)
            .child_by_field_name("property")
            .is_some_and(|p| matches!(semantic.text(p), "getRepository" | "withRepository"))
}

/// The entity of `getRepository(User)`, else a capitalized receiver's name.
fn typeorm_entity(receiver: Node<'_>, semantic: &Semantic<'_>) -> Option<String> {
    let origin = resolve_local(receiver, semantic);
    if origin.kind() == "call_expression" {
        // `getRepository(User)`, `getRepository(ctx, Role)` (Vendure), `getRepository(entities.Zone)`
        return js_arguments(origin)
            .iter()
            .map(|e| last_segment(*e, semantic))
            .find(|e| is_capitalized(e))
            .map(str::to_string);
    }
    let last = last_segment(receiver, semantic);
    if is_capitalized(last) {
        return Some(last.to_string());
    }
    injected_entity(last, semantic.source())
}

/// NestJS: `@InjectRepository(Order) private readonly orderRepository` → `Order`.
fn injected_entity(property: &str, source: &str) -> Option<String> {
    if property.is_empty() {
        return None;
    }
    source
        .match_indices("InjectRepository(")
        .find_map(|(at, marker)| {
            let rest = &source[at + marker.len()..];
            let close = rest.find(')')?;
            let entity = rest[..close].trim();
            // The parameter the decorator applies to, before the next parameter or `{`.
            let parameter = &rest[close + 1..];
            let end = parameter
                .find([',', '{', ';'])
                .unwrap_or(parameter.len())
                .min(200);
            let declared = parameter[..end]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .any(|word| word == property);
            (declared && is_capitalized(entity)).then(|| entity.to_string())
        })
}

/// `repo.createQueryBuilder('u')...getMany()` without `.take()`/`.limit()`.
fn typeorm_query_builder(call: Node<'_>, method: &str, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(receiver) = js_receiver(call) else {
        return;
    };
    let query = flatten(receiver, semantic);
    let Some((start, builder)) = query.innermost(&["createQueryBuilder"]) else {
        return;
    };
    const BOUNDING: &[&str] = &[
        "take",
        "limit",
        "skip",
        "offset",
        "whereInIds",
        "andWhereInIds",
        "groupBy",
        "addGroupBy",
        "paginate",
        "getOne",
        "getCount",
        "distinct",
        "distinctOn",
    ];
    if query.has(BOUNDING) || query.variables_bounded(start, semantic, BOUNDING, Some(call)) {
        return;
    }
    let mut filtering = Filtering::default();
    for link in &query.links[..start] {
        match link.name {
            "where" | "andWhere" | "orWhere" => {
                filtering.merge(typeorm_condition(link.call, semantic));
            }
            // `.innerJoin('g.products', 'p', 'p.id = :productId', { productId })`: the rows of
            // one parent (a key of the joined table pins the parent, not this table's rows).
            name if name.starts_with("innerJoin") && js_arguments(link.call).len() >= 3 => {
                filtering.filtered = true;
                filtering.scoped = true;
            }
            "setParameter" | "setParameters" | "addCommonTableExpression" => {
                filtering.filtered = true;
                filtering.scoped = true;
            }
            _ => {}
        }
    }
    let alias = js_arguments(builder.call)
        .first()
        .map(|a| strip_quotes(semantic.text(*a)).to_string());
    let entity = typeorm_entity(js_receiver(builder.call).unwrap_or(builder.call), semantic);
    let target = entity
        .as_deref()
        .or(alias.as_deref())
        .map_or_else(|| "the table".to_string(), |a| format!("`{a}`"));
    let rows = filtering.rows(&target);
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model: entity.or(alias).unwrap_or_default(),
            filtering,
            message: format!("`.{method}()` on a query builder with no `.take()`: it loads {rows}"),
            help: "page with a keyset: `.andWhere('u.id > :lastId', { lastId }).orderBy('u.id').take(50)`".to_string(),
        },
    );
}

/// `.where('u.id = :id', { id })` → keyed; `.where('u.ownerId = :owner', ...)` → scoped;
/// `.where({ id })` like a find filter; `new Brackets(...)` → unknown.
fn typeorm_condition(call: Node<'_>, semantic: &Semantic<'_>) -> Filtering {
    let mut filtering = Filtering {
        filtered: true,
        ..Filtering::default()
    };
    let Some(condition) = js_arguments(call).first().copied() else {
        return filtering;
    };
    let condition = resolve_local(condition, semantic);
    match condition.kind() {
        "string" | "template_string" => {
            let text = semantic.text(condition).to_ascii_uppercase();
            filtering.keyed = has_key_predicate(&text);
            filtering.scoped = has_bound_parameter(&text) || condition.kind() == "template_string";
        }
        "object" | "array" => filtering.merge(js_filter(condition, semantic, 0)),
        _ => filtering.unknown = true,
    }
    filtering
}

// ------------------------------------------------------------------------------ Kysely

/// `db.selectFrom('person').selectAll().execute()` without `.limit()`. Returns whether the
/// chain was a Kysely select.
fn kysely_execute(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) -> bool {
    let semantic = ctx.semantic;
    let Some(receiver) = js_receiver(call) else {
        return false;
    };
    let query = flatten(receiver, semantic);
    let Some((start, select_from)) = query.innermost(&["selectFrom"]) else {
        return false;
    };
    const BOUNDING: &[&str] = &["limit", "offset", "groupBy", "top", "fetch", "modifyEnd"];
    if query.has(BOUNDING) || query.variables_bounded(start, semantic, BOUNDING, Some(call)) {
        return true;
    }
    let mut filtering = Filtering::default();
    for link in &query.links[..start] {
        if link.name == "select" && semantic.text(link.call).contains("fn.") {
            return true; // aggregates: `eb.fn.count(...)`
        }
        if link.name.starts_with("where") {
            filtering.merge(builder_where(link.call, link.name, semantic));
        }
    }
    let table = js_arguments(select_from.call)
        .first()
        .map(|t| strip_quotes(semantic.text(*t)).to_string())
        .unwrap_or_default();
    let rows = filtering.rows(&format!("`{table}`"));
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model: table.clone(),
            filtering,
            message: format!(
                "`selectFrom('{table}')` is executed with no `.limit()`: it loads {rows}"
            ),
            help:
                "page with a keyset: `.where('id', '>', lastId).orderBy('id').limit(50).execute()`"
                    .to_string(),
        },
    );
    true
}

/// knex/Kysely `.where('id', x)`, `.where('users.id', '=', x)`, `.where({ id })`,
/// `.whereIn('id', ids)`; Drizzle `.where(eq(users.id, x))`, `and(...)`, `inArray(...)`.
fn builder_where(call: Node<'_>, method: &str, semantic: &Semantic<'_>) -> Filtering {
    let mut filtering = Filtering {
        filtered: true,
        ..Filtering::default()
    };
    let arguments = js_arguments(call);
    let Some(first) = arguments.first().copied() else {
        return filtering;
    };
    let first = resolve_local(first, semantic);
    let equality_method = matches!(
        method,
        "where" | "andWhere" | "orWhere" | "whereIn" | "andWhereIn"
    );
    if method.ends_with("Raw") {
        // `whereRaw('id = ?', [id])`, `whereRaw(`LOWER(email) IN (${marks})`, emails)`
        if matches!(first.kind(), "string" | "template_string") {
            let text = semantic.text(first).to_ascii_uppercase();
            filtering.keyed = has_key_predicate(&text);
            filtering.scoped =
                text.contains('?') || text.contains("${") || has_bound_parameter(&text);
        } else {
            filtering.unknown = true;
        }
        return filtering;
    }
    match first.kind() {
        "string" if equality_method => {
            let column = strip_quotes(semantic.text(first));
            let column = column.rsplit('.').next().unwrap_or(column);
            let (operator, value) = match arguments.as_slice() {
                [_, operator, value] => (
                    strip_quotes(semantic.text(*operator)).to_ascii_lowercase(),
                    Some(*value),
                ),
                [_, value] => (
                    if method.ends_with("In") { "in" } else { "=" }.to_string(),
                    Some(*value),
                ),
                _ => (String::new(), None),
            };
            if !matches!(operator.as_str(), "=" | "in" | "==") {
                return filtering;
            }
            if KEY_NAMES.contains(&column) {
                filtering.keyed = true;
            }
            if value.is_some_and(|v| !js_is_literal(v, semantic)) {
                filtering.scoped = true;
                filtering.equalities += 1;
            }
        }
        "object" => filtering.merge(js_filter(first, semantic, 0)),
        "call_expression" => filtering.merge(drizzle_condition(first, semantic)),
        _ if equality_method => filtering.unknown = true,
        _ => {}
    }
    filtering
}

/// Drizzle conditions: `eq(users.id, id)` / `inArray(users.id, ids)` keyed,
/// `eq(posts.authorId, userId)` scoped; `and(...)`/`or(...)` looked into.
fn drizzle_condition(condition: Node<'_>, semantic: &Semantic<'_>) -> Filtering {
    let mut filtering = Filtering {
        filtered: true,
        ..Filtering::default()
    };
    let mut budget = WALK_BUDGET;
    walk_preorder(condition, |node| {
        if budget == 0 {
            return;
        }
        budget -= 1;
        // `or(...conditions)`: built out of sight.
        if node.kind() == "spread_element" {
            filtering.unknown = true;
        }
        if node.kind() != "call_expression" {
            return;
        }
        let name = semantic.text(callee(node));
        if !matches!(name, "eq" | "inArray") {
            return;
        }
        let operands = js_arguments(node);
        let column = operands.first().map(|c| last_segment(*c, semantic));
        if column.is_some_and(|c| KEY_NAMES.contains(&c)) {
            filtering.keyed = true;
        }
        if operands
            .get(1)
            .is_some_and(|v| !js_is_literal(*v, semantic))
        {
            filtering.scoped = true;
        }
    });
    filtering
}

// ------------------------------------------------------------- MongoDB driver (Node)

/// `collection.find(filter).toArray()` without `.limit()`.
fn mongo_to_array(call: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(receiver) = js_receiver(call) else {
        return;
    };
    let query = flatten(receiver, semantic);
    let Some((start, find)) = query.innermost(&["find"]) else {
        return;
    };
    let mongo_file = ctx.source.to_ascii_lowercase().contains("mongo");
    let collection_like = query.has(&["collection"])
        || semantic
            .text(query.root)
            .to_ascii_lowercase()
            .contains("collection");
    if !mongo_file && !collection_like {
        return;
    }
    const CURSOR: &[&str] = &[
        "sort",
        "project",
        "batchSize",
        "hint",
        "maxTimeMS",
        "comment",
        "collation",
        "allowDiskUse",
        "addCursorFlag",
        "map",
    ];
    if query.links[..start]
        .iter()
        .any(|l| !CURSOR.contains(&l.name))
    {
        return;
    }
    let Some(filtering) = mongo_find_filtering(find.call, semantic) else {
        return;
    };
    if query.variables_bounded(start, semantic, &["limit", "skip"], Some(call)) {
        return;
    }
    let collection = js_receiver(find.call)
        .map(|o| describe(o, semantic))
        .unwrap_or_default();
    let model = mongo_collection_name(find.call, semantic).unwrap_or_else(|| collection.clone());
    let documents = if filtering.filtered {
        format!("every matching document of `{model}`")
    } else {
        format!("every document of `{model}`")
    };
    emit(
        ctx,
        Candidate {
            anchor: call,
            span: span_to(call, callee(call)),
            model,
            filtering,
            message: format!("`{collection}.find().toArray()` has no `.limit()`: it loads {documents}"),
            help: "page with a range on `_id`: `.find({ _id: { $gt: lastId } }).sort({ _id: 1 }).limit(50).toArray()`".to_string(),
        },
    );
}

/// `db.collection('roles')` → `roles`.
fn mongo_collection_name(find: Node<'_>, semantic: &Semantic<'_>) -> Option<String> {
    let receiver = js_receiver(find)?;
    let receiver = semantic.unwrap_expression(receiver);
    if receiver.kind() == "call_expression" {
        return js_arguments(receiver)
            .first()
            .map(|n| strip_quotes(semantic.text(*n)).to_string());
    }
    Some(last_segment(receiver, semantic).to_string())
}

/// A Mongo `find(filter, options)` with no `limit` option: what its filter says. `None`
/// when it is bounded or not a Mongo call at all.
fn mongo_find_filtering(find: Node<'_>, semantic: &Semantic<'_>) -> Option<Filtering> {
    let arguments = js_arguments(find);
    if arguments
        .iter()
        .any(|a| a.kind() == "spread_element" || js_is_function(*a))
    {
        return None;
    }
    // `find(filter, { limit })` (driver) / `find(filter, projection, { limit })` (Mongoose).
    for options in arguments.iter().skip(1) {
        if !matches!(js_property(*options, "limit", semantic), Lookup::Absent) {
            return None;
        }
    }
    match arguments.first() {
        None => Some(Filtering::default()),
        Some(filter) => {
            let resolved = resolve_local(*filter, semantic);
            // A string or a number is not a Mongo filter.
            if matches!(resolved.kind(), "string" | "number" | "template_string") {
                return None;
            }
            Some(js_filter(*filter, semantic, 0))
        }
    }
}

// ------------------------------------------------- thenables: Mongoose, knex, Drizzle

/// Builders that run when awaited (`await q`, `q.then(...)`, `q.exec()`): Mongoose
/// queries, knex and Drizzle selects. A builder returned to the caller is not reported:
/// the caller may still bound it.
fn thenable_builder(expr: Node<'_>, anchor: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let query = flatten(expr, semantic);
    if query.links.is_empty()
        && query
            .roots
            .iter()
            .all(|(r, _)| r.kind() != "call_expression")
    {
        return;
    }
    if mongoose_find(&query, anchor, ctx) || drizzle_select(&query, anchor, ctx) {
        return;
    }
    knex_select(&query, anchor, ctx);
}

/// Mongoose query methods that keep it a list of documents.
const MONGOOSE_CHAIN: &[&str] = &[
    "sort",
    "lean",
    "select",
    "populate",
    "where",
    "equals",
    "in",
    "nin",
    "gt",
    "gte",
    "lt",
    "lte",
    "ne",
    "or",
    "and",
    "regex",
    "exists",
    "elemMatch",
    "collation",
    "session",
    "setOptions",
    "read",
    "hint",
    "comment",
    "maxTimeMS",
    "allowDiskUse",
    "exec",
    "then",
    "catch",
    "orFail",
    "projection",
];

fn mongoose_find(query: &Query<'_>, anchor: Node<'_>, ctx: &mut RuleContext<'_, '_>) -> bool {
    let semantic = ctx.semantic;
    let Some((start, find)) = query.innermost(&["find"]) else {
        return false;
    };
    if !query.starts_chain(start) || ctx.source.contains("typeorm") {
        return false;
    }
    let Some(model) = js_receiver(find.call) else {
        return false;
    };
    let mongoose_links = query.links[..start]
        .iter()
        .any(|l| matches!(l.name, "lean" | "populate" | "exec"));
    if !(ctx.source.contains("mongoose") || mongoose_links)
        || !is_model_receiver(model, semantic, true)
    {
        return false;
    }
    // `limit`, `skip`, `cursor`, `countDocuments`...: bounded, streamed, or not a list.
    if query.links[..start]
        .iter()
        .any(|l| !MONGOOSE_CHAIN.contains(&l.name))
    {
        return true;
    }
    let Some(mut filtering) = mongo_find_filtering(find.call, semantic) else {
        return true;
    };
    const BOUNDING: &[&str] = &["limit", "skip", "cursor", "paginate"];
    if query.variables_bounded(start, semantic, BOUNDING, Some(anchor)) {
        return true;
    }
    // `.where('owner').equals(userId)`
    if query.has(&["where", "equals", "in"]) {
        filtering.filtered = true;
        filtering.scoped = true;
    }
    let name = describe(model, semantic);
    let documents = if filtering.filtered {
        format!("every matching document of `{name}`")
    } else {
        format!("every document of `{name}`")
    };
    emit(
        ctx,
        Candidate {
            anchor,
            span: anchor_span(anchor, callee(find.call)),
            model: name.clone(),
            filtering,
            message: format!("`{name}.find()` has no `.limit()`: it loads {documents}"),
            help: "page with a range on `_id`: `.find({ _id: { $gt: lastId } }).sort({ _id: 1 }).limit(50)`".to_string(),
        },
    );
    true
}

/// Drizzle: `await db.select().from(users).where(...)` without `.limit()`.
fn drizzle_select(query: &Query<'_>, anchor: Node<'_>, ctx: &mut RuleContext<'_, '_>) -> bool {
    let semantic = ctx.semantic;
    if !ctx.source.contains("drizzle") {
        return false;
    }
    let Some((start, select)) = query.innermost(&["select", "selectDistinct"]) else {
        return false;
    };
    if !query.starts_chain(start) {
        return false;
    }
    let Some(from) = query.links[..start].iter().rev().find(|l| l.name == "from") else {
        return false;
    };
    const BOUNDING: &[&str] = &[
        "limit", "offset", "groupBy", "having", "$dynamic", "get", "iterator", "prepare", "toSQL",
    ];
    if query.has(BOUNDING)
        || select.name == "selectDistinct"
        || query.variables_bounded(start, semantic, BOUNDING, Some(anchor))
    {
        return true;
    }
    // `select({ total: count() })` / sql`count(*)`
    if has_sql_aggregate(semantic.text(select.call)) {
        return true;
    }
    let mut filtering = Filtering::default();
    for link in &query.links[..start] {
        if link.name == "where" {
            filtering.merge(builder_where(link.call, link.name, semantic));
        }
    }
    let table = js_arguments(from.call)
        .first()
        .map(|t| semantic.text(*t).to_string())
        .unwrap_or_default();
    let rows = filtering.rows(&format!("`{table}`"));
    emit(
        ctx,
        Candidate {
            anchor,
            span: anchor_span(anchor, callee(select.call)),
            model: table.clone(),
            filtering,
            message: format!("`select().from({table})` has no `.limit()`: it loads {rows}"),
            help: format!(
                "page with a keyset: `.where(gt({table}.id, lastId)).orderBy(asc({table}.id)).limit(50)`"
            ),
        },
    );
    true
}

/// knex methods that make a statement something other than a list of rows.
const KNEX_NOT_A_LIST: &[&str] = &[
    "limit",
    "first",
    "offset",
    "count",
    "countDistinct",
    "sum",
    "sumDistinct",
    "avg",
    "avgDistinct",
    "min",
    "max",
    "insert",
    "update",
    "del",
    "delete",
    "increment",
    "decrement",
    "truncate",
    "upsert",
    "onConflict",
    "merge",
    "returning",
    "groupBy",
    "distinct",
    "distinctOn",
    "raw",
    "stream",
    "pipe",
    "paginate",
    "modify",
    "forPage",
    "columnInfo",
    "toSQL",
    "toString",
    "clone",
    "page",
    "pluck",
    "exists",
];

/// knex: `await knex('users').where(...)`, `await db.select('*').from('users')`.
fn knex_select(query: &Query<'_>, anchor: Node<'_>, ctx: &mut RuleContext<'_, '_>) -> bool {
    let semantic = ctx.semantic;
    // `knex('users')` / `trx('users')` / `this.knex('users')`, or `knex.select().from('users')`,
    // possibly through variables: the first root along the way that is a knex instance.
    let mut found = None;
    for (root, count) in &query.roots {
        if root.kind() == "call_expression" {
            let Some(function) = root.child_by_field_name("function") else {
                continue;
            };
            if !is_knex_instance(function, semantic, ctx.source) {
                continue;
            }
            // `knex('users')`: one table name.
            let arguments = js_arguments(*root);
            let [table] = arguments.as_slice() else {
                return false;
            };
            let table = *table;
            if !matches!(table.kind(), "string" | "identifier") {
                return false;
            }
            found = Some((semantic.text(table).to_string(), *count, *root));
            break;
        }
        if is_knex_instance(*root, semantic, ctx.source) {
            let Some(first) = count.checked_sub(1).and_then(|i| query.links.get(i)) else {
                return false;
            };
            if !matches!(
                first.name,
                "select" | "from" | "table" | "column" | "columns"
            ) {
                return false;
            }
            let Some(from) = query.links[..*count]
                .iter()
                .rev()
                .find(|l| matches!(l.name, "from" | "table"))
            else {
                return false;
            };
            let Some(table) = js_arguments(from.call).first().copied() else {
                return false;
            };
            found = Some((semantic.text(table).to_string(), *count - 1, first.call));
            break;
        }
    }
    let Some((table, start, head)) = found else {
        return false;
    };
    if is_system_catalog(strip_quotes(&table)) {
        return true;
    }
    if query.has(KNEX_NOT_A_LIST)
        || query.links.iter().any(|l| l.name.starts_with("groupBy"))
        || query.variables_bounded(start, semantic, KNEX_NOT_A_LIST, Some(anchor))
    {
        return true;
    }
    let mut filtering = Filtering::default();
    for link in &query.links[..start] {
        if link.name.starts_with("where")
            || link.name.starts_with("andWhere")
            || link.name.starts_with("orWhere")
        {
            filtering.merge(builder_where(link.call, link.name, semantic));
        }
        if link.name.starts_with("select") && has_sql_aggregate(semantic.text(link.call)) {
            return true;
        }
    }
    let table = strip_quotes(&table).to_string();
    let rows = filtering.rows(&format!("`{table}`"));
    emit(
        ctx,
        Candidate {
            anchor,
            span: anchor_span(anchor, head),
            model: table.clone(),
            filtering,
            message: format!("knex select from `{table}` has no `.limit()`: it loads {rows}"),
            help: "page with a keyset: `.where('id', '>', lastId).orderBy('id').limit(50)`"
                .to_string(),
        },
    );
    true
}

/// `knex`, `trx`, `this.knex`, `db.knex` — or `db` in a file that uses knex.
fn is_knex_instance(expr: Node<'_>, semantic: &Semantic<'_>, source: &str) -> bool {
    let expr = semantic.unwrap_expression(expr);
    if !matches!(expr.kind(), "identifier" | "member_expression") {
        return false;
    }
    match last_segment(expr, semantic) {
        "knex" | "trx" => true,
        "db" | "database" | "connection" | "conn" => source.contains("knex"),
        _ => false,
    }
}

/// `count(`, `SUM(`, `max(`...: a projection that aggregates rows.
fn has_sql_aggregate(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["count(", "sum(", "avg(", "max(", "min(", "countdistinct("]
        .iter()
        .any(|a| lower.contains(a))
}

/// Database catalogs and pseudo-tables: `pg_proc`, `information_schema.tables`,
/// `sqlite_master`, `pragma_function_list`.
fn is_system_catalog(table: &str) -> bool {
    let lower = table.to_ascii_lowercase();
    [
        "pg_",
        "information_schema",
        "sqlite_",
        "pragma_",
        "sys.",
        "mysql.",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(
            name_words("ProjectOnboardingSteps"),
            ["project", "onboarding", "steps"]
        );
        assert_eq!(name_words("CAConnector"), ["ca", "connector"]);
        assert_eq!(name_words("user_roles"), ["user", "roles"]);
        assert_eq!(name_words("self.role_model"), ["self", "role", "model"]);
    }

    #[test]
    fn reference_lists_are_recognised_by_their_prefix() {
        for name in [
            "BibTypesMedia",
            "ref_countries",
            "LkpCurrency",
            "lookup_order_statuses",
            "sys_dict_data",
            "t_nomenclature_values",
        ] {
            assert!(is_lookup_table(name), "{name}");
        }
        for name in [
            "RefundRequest",
            "Bibliography",
            "ref",
            "dict",
            "Dictation",
            "OrderRef",
        ] {
            assert!(!has_reference_prefix(name), "{name}");
        }
    }

    #[test]
    fn lookup_tables_are_recognised_by_their_last_word() {
        for name in [
            "Country",
            "user_roles",
            "self.role_model",
            "SqlRolePermission",
            "adminRepo",
            "PoolStatusEntry",
            "MenuItem",
            "RecurringConsumableCharge",
            "GReadingFrequency",
            "CustomerBillingCycle",
            "StaffMember",
            "staff_profiles",
            "models.StaffMember",
            "Recent24hEvents",
            "latest_orders",
            "TodaysBookings",
            "last_7d_logins",
        ] {
            assert!(is_lookup_table(name), "{name}");
        }
        for name in [
            "Order",
            "OrderItem",
            "LogEntry",
            "AuditEvent",
            "posts_authors",
            "RolloutEvent",
            "Typewriter",
            "StaffCharge",
            "StaffMemberShift",
            "LastLogin",
            "PastOrder",
            "RecentlyViewedProduct",
        ] {
            assert!(!is_lookup_table(name), "{name}");
        }
    }

    #[test]
    fn growing_tables_are_recognised_by_any_word_in_the_singular() {
        for name in [
            "AuditEvent",
            "order_items",
            "GeneralStudyModuleAttr",
            "db.Books",
            "activities",
            "inboxMessages",
        ] {
            assert!(grows_with_use(name), "{name}");
        }
        for name in [
            "Release",
            "CardModel",
            "DicomStoreSCP",
            "Certification",
            "Project",
            "status",
            "cap_project.faculty",
            "ApiKey",
            "OAuth2Key",
            "APIToken",
            "api_tokens",
        ] {
            assert!(!grows_with_use(name), "{name}");
        }
        // What administrators author is told apart from what use generates.
        for name in ["StripeCatalogItem", "VirtualEjsFile", "UiComponentMedia"] {
            assert!(grows_with_use(name), "{name}");
            assert!(!names_generated(name), "{name}");
        }
        for name in ["users", "AuditEvent", "ChatSession", "JobRun", "AuthToken"] {
            assert!(names_generated(name), "{name}");
        }
        assert_eq!(singular("studies"), "study");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("class"), "class");
    }

    #[test]
    fn selects_without_a_bound_name_their_table() {
        let (table, filtering) =
            unbounded_select("SELECT id, email FROM users").unwrap_or_default();
        assert_eq!(table, "users");
        assert!(!filtering.filtered);
        let (_, filtering) =
            unbounded_select("select * from invoices where customer_id = %s").unwrap_or_default();
        assert!(filtering.scoped && !filtering.keyed);
        let (_, filtering) =
            unbounded_select("SELECT * FROM users WHERE id = ?").unwrap_or_default();
        assert!(filtering.keyed);
        let (_, filtering) =
            unbounded_select("SELECT * FROM nodegroup_tree(%s)").unwrap_or_default();
        assert!(filtering.scoped);
        for bounded in [
            "SELECT id FROM users LIMIT 10",
            "SELECT COUNT(*) FROM users",
            "SELECT status FROM orders GROUP BY status",
            "SELECT * FROM orders FETCH FIRST 10 ROWS ONLY",
            "SELECT TOP 10 * FROM orders",
            "SELECT table_name FROM information_schema.tables",
            "UPDATE users SET a = 1",
        ] {
            assert!(unbounded_select(bounded).is_none(), "{bounded}");
        }
    }

    #[test]
    fn batch_paths() {
        assert!(is_batch_path("app/migrations/0002_backfill.py"));
        assert!(is_batch_path("shop/management/commands/reindex.py"));
        assert!(is_batch_path("scripts/seed.js"));
        assert!(is_batch_path("setup.py"));
        assert!(is_batch_path(
            "synapse/storage/schema/main/delta/30/as_users.py"
        ));
        assert!(is_batch_path("isso/contrib/dump_comments.py"));
        assert!(!is_batch_path("shop/views.py"));
        assert!(!is_batch_path("src/migrate.ts"));
    }
}
