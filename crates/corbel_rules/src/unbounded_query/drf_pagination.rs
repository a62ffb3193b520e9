//! Django REST framework list views: a `ModelViewSet` or `ListAPIView` whose `queryset`
//! is `Model.objects.all()` answers `GET` with every row of the table unless a paginator
//! is set, on the view (`pagination_class`) or for the project (`DEFAULT_PAGINATION_CLASS`
//! in `REST_FRAMEWORK`). DRF pages nothing by default.
//!
//! The settings live in another file, so the per-file pass records facts: each list view
//! with its model, and each `REST_FRAMEWORK` setting with whether it names a paginator.
//! The project part pairs them by service. A view is reported only when its service's
//! settings are visible and none names a paginator, or when the view turns pagination
//! off itself (`pagination_class = None`). Views built on the project's own base classes,
//! views that override `get_queryset()`/`list()`, and services whose settings are not in
//! the repository (a reusable app, a plugin) stay silent: what pages them is out of sight.

use super::{django_filtering, django_read, reads_whole_table, DjangoRead, META};
use corbel_engine::{Fact, ProjectContext, ProjectRule, Related, RuleContext, RuleMeta, Semantic};
use std::collections::BTreeMap;
use tree_sitter::Node;

/// A list view and the model its `queryset` reads.
pub(super) const LIST_VIEW_FACT: &str = "drf-list-view";

/// A `REST_FRAMEWORK` setting (`paginated`: `yes` when it names a paginator or cannot be
/// read whole).
pub(super) const SETTINGS_FACT: &str = "drf-settings";

/// DRF classes whose `GET` on the collection lists the queryset.
const LIST_CLASSES: &[&str] = &[
    "ModelViewSet",
    "ReadOnlyModelViewSet",
    "ListAPIView",
    "ListCreateAPIView",
    "ListModelMixin",
];

/// Methods that take over listing, filtering or paging: what they do is not judged.
const TAKING_OVER: &[&str] = &[
    "get_queryset",
    "list",
    "filter_queryset",
    "paginate_queryset",
    "get_paginated_response",
];

/// Records a DRF list view over a whole-table queryset (`class_definition`) or a
/// `REST_FRAMEWORK` setting (`expression_statement`).
pub(super) fn check(node: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    match node.kind() {
        "class_definition" => list_view(node, ctx),
        "expression_statement" => settings(node, ctx),
        _ => {}
    }
}

fn list_view(class: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let Some(bases) = class.child_by_field_name("superclasses") else {
        return;
    };
    // Every base must be DRF's own: a project base class may set a paginator.
    let mut lists = false;
    let mut cursor = bases.walk();
    for base in bases.named_children(&mut cursor) {
        if base.kind() == "keyword_argument" {
            continue;
        }
        let Some(qualified) = semantic.qualified_name(base) else {
            return;
        };
        if !qualified.starts_with("rest_framework.") {
            return;
        }
        let name = qualified.rsplit('.').next().unwrap_or("");
        lists |= LIST_CLASSES.contains(&name);
    }
    if !lists {
        return;
    }
    let Some(body) = class.child_by_field_name("body") else {
        return;
    };
    let mut queryset = None;
    let mut pagination_off = false;
    let mut cursor = body.walk();
    for statement in body.named_children(&mut cursor) {
        let definition = match statement.kind() {
            "decorated_definition" => statement.child_by_field_name("definition"),
            "function_definition" => Some(statement),
            _ => None,
        };
        if let Some(function) = definition {
            let name = function
                .child_by_field_name("name")
                .map(|n| semantic.text(n))
                .unwrap_or("");
            if TAKING_OVER.contains(&name) {
                return;
            }
            continue;
        }
        let Some((name, value)) = class_attribute(statement, semantic) else {
            continue;
        };
        match name {
            "queryset" => queryset = Some(value),
            "pagination_class" if value.kind() == "none" => pagination_off = true,
            // A paginator of the view's own.
            "pagination_class" => return,
            _ => {}
        }
    }
    let Some(queryset) = queryset else {
        return;
    };
    let (query, model) = match django_read(queryset, semantic) {
        DjangoRead::Unbounded { query, model } => (query, model),
        DjangoRead::NotDjango | DjangoRead::NotJudged => return,
    };
    let filtering = django_filtering(&query, semantic);
    if !reads_whole_table(ctx, model, filtering) {
        return;
    }
    let view = class
        .child_by_field_name("name")
        .map(|n| semantic.text(n))
        .unwrap_or("");
    ctx.fact(queryset, LIST_VIEW_FACT)
        .value("view", view)
        .value("model", model)
        .value("queryset", semantic.text(queryset))
        .value("rows", filtering.rows(&format!("`{model}`")))
        .value("pagination", if pagination_off { "off" } else { "unset" });
}

/// `name = value` directly in a class body.
fn class_attribute<'t>(
    statement: Node<'t>,
    semantic: &Semantic<'t>,
) -> Option<(&'t str, Node<'t>)> {
    if statement.kind() != "expression_statement" {
        return None;
    }
    let assignment = statement.named_child(0)?;
    if assignment.kind() != "assignment" {
        return None;
    }
    let left = assignment.child_by_field_name("left")?;
    if left.kind() != "identifier" {
        return None;
    }
    Some((
        semantic.text(left),
        assignment.child_by_field_name("right")?,
    ))
}

/// `REST_FRAMEWORK = {...}`, `REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] = ...`,
/// `REST_FRAMEWORK.update(...)`.
fn settings(statement: Node<'_>, ctx: &mut RuleContext<'_, '_>) {
    let semantic = ctx.semantic;
    let text = semantic.text(statement);
    if !text.starts_with("REST_FRAMEWORK") {
        return;
    }
    let Some(first) = statement.named_child(0) else {
        return;
    };
    let assigned_whole = first.kind() == "assignment"
        && first
            .child_by_field_name("left")
            .is_some_and(|left| semantic.text(left) == "REST_FRAMEWORK");
    // Only a dict literal without `**` is read whole; anything else may name a paginator
    // out of sight. A paginator named anywhere in the file counts (a later
    // `REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] = ...`, a commented-out one included:
    // silence is the safe side).
    let readable = assigned_whole
        && first.child_by_field_name("right").is_some_and(|right| {
            right.kind() == "dictionary" && !semantic.text(right).contains("**")
        });
    let paginated = !readable || ctx.source.contains("DEFAULT_PAGINATION_CLASS");
    ctx.fact(first, SETTINGS_FACT)
        .value("paginated", if paginated { "yes" } else { "no" });
}

/// The project part of `unbounded-query`: reports DRF list views whose service shows no
/// paginator.
pub struct UnboundedQueryDrfPagination;

impl ProjectRule for UnboundedQueryDrfPagination {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &mut ProjectContext<'_>) {
        let project = ctx.project;
        let service_of = |fact: &Fact| {
            project
                .service_root(&fact.location.path)
                .unwrap_or_default()
        };
        // Settings per service, test settings aside (they configure the test run).
        let mut settings: BTreeMap<String, Vec<Fact>> = BTreeMap::new();
        let mut views = Vec::new();
        for fact in ctx.own_facts().filter(|fact| !fact.is_test_file) {
            match fact.kind.as_str() {
                SETTINGS_FACT if !is_test_settings(&fact.location.path) => {
                    settings
                        .entry(service_of(fact))
                        .or_default()
                        .push(fact.clone());
                }
                LIST_VIEW_FACT => views.push(fact.clone()),
                _ => {}
            }
        }
        for view in &views {
            let class = view.value("view").unwrap_or("");
            let model = view.value("model").unwrap_or("");
            let queryset = view.value("queryset").unwrap_or("");
            let rows = view.value("rows").unwrap_or("every row");
            let help = format!(
                "page the list: set `DEFAULT_PAGINATION_CLASS` (e.g. `rest_framework.pagination.CursorPagination`) and `PAGE_SIZE` in `REST_FRAMEWORK`, or a `pagination_class` on the view; if `{model}` stays small, list it in `small-tables` under `[rules.unbounded-query]`"
            );
            if view.value("pagination") == Some("off") {
                let message = format!(
                    "`{class}` lists `{queryset}` with `pagination_class = None`: `GET` returns {rows}"
                );
                ctx.report(view, message, help, Vec::new());
                continue;
            }
            let Some(found) = settings.get(&service_of(view)) else {
                continue;
            };
            if found.iter().any(|s| s.value("paginated") != Some("no")) {
                continue;
            }
            let related = found
                .iter()
                .map(|s| Related {
                    location: s.location.clone(),
                    message: "`REST_FRAMEWORK` names no `DEFAULT_PAGINATION_CLASS`".to_string(),
                })
                .collect();
            let message = format!(
                "`{class}` lists `{queryset}` and no paginator is set (none on the view, none in `REST_FRAMEWORK`): `GET` returns {rows}"
            );
            ctx.report(view, message, help, related);
        }
    }
}

/// `settings/test.py`, `settings/testing.py`: settings of the test run (`test_*.py` and
/// `*_test.py` are test files already).
fn is_test_settings(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    matches!(stem, "test" | "tests" | "testing")
}
