//! Builds scopes and bindings for TypeScript and JavaScript.

use super::{walk_preorder, BindingValue, ScopeId, ScopeKind, ScopeStack, Semantic};
use tree_sitter::Node;

pub(super) const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "function",
    "generator_function_declaration",
    "generator_function",
    "arrow_function",
    "method_definition",
];

pub(super) fn collect<'t>(semantic: &mut Semantic<'t>, visit: &mut dyn FnMut(Node<'t>)) {
    let root = semantic.root;
    let mut stack = ScopeStack::new();
    walk_preorder(root, |node| {
        visit(node);
        let scope = stack.current(node);
        let kind = node.kind();
        // The `function` keyword token shares its kind with old-style function nodes.
        if node.is_named() && FUNCTION_KINDS.contains(&kind) {
            if kind != "method_definition" {
                if let Some(name) = node.child_by_field_name("name") {
                    semantic.bind(scope, name, node.start_byte(), BindingValue::Value(node));
                }
            }
            let inner = semantic.push_scope(node, ScopeKind::Function, scope);
            if let Some(parameters) = node
                .child_by_field_name("parameters")
                .or_else(|| node.child_by_field_name("parameter"))
            {
                bind_pattern(semantic, inner, parameters, parameters.start_byte());
            }
            stack.enter(inner, node);
            return;
        }
        match kind {
            "class_declaration" | "abstract_class_declaration" | "class" => {
                if let Some(name) = node.child_by_field_name("name") {
                    semantic.bind(scope, name, node.start_byte(), BindingValue::Value(node));
                }
            }
            "import_statement" => bind_import(semantic, scope, node),
            "variable_declarator" => {
                let (Some(name), value) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) else {
                    return;
                };
                let position = node.end_byte();
                match (name.kind(), value) {
                    ("identifier", Some(value)) => {
                        semantic.bind(scope, name, position, BindingValue::Value(value));
                    }
                    ("object_pattern", Some(value)) => {
                        bind_destructured(semantic, scope, name, value, position);
                    }
                    _ => bind_pattern(semantic, scope, name, position),
                }
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return;
                };
                match left.kind() {
                    "identifier" => {
                        semantic.bind(scope, left, node.end_byte(), BindingValue::Value(right));
                    }
                    "member_expression" => {
                        let object = left.child_by_field_name("object");
                        let property = left.child_by_field_name("property");
                        if let (Some(object), Some(property)) = (object, property) {
                            if object.kind() == "this" {
                                if let Some(class) = super::enclosing_class(semantic.root, node) {
                                    semantic.bind_attribute(
                                        class,
                                        property,
                                        BindingValue::Value(right),
                                    );
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            "augmented_assignment_expression" => {
                if let Some(left) = node.child_by_field_name("left") {
                    if left.kind() == "identifier" {
                        semantic.bind(scope, left, node.end_byte(), BindingValue::Augmented(node));
                    }
                }
            }
            "public_field_definition" | "field_definition" => {
                let name = node
                    .child_by_field_name("name")
                    .or_else(|| node.child_by_field_name("property"));
                let value = node.child_by_field_name("value");
                if let (Some(name), Some(value), Some(class)) =
                    (name, value, super::enclosing_class(semantic.root, node))
                {
                    semantic.bind_attribute(class, name, BindingValue::Value(value));
                }
            }
            "required_parameter" | "optional_parameter" => {
                // Constructor parameter properties: `constructor(private http: HttpService)`.
                let has_modifier = node.child(0).is_some_and(|c| {
                    matches!(
                        c.kind(),
                        "accessibility_modifier" | "readonly" | "override_modifier"
                    )
                });
                if has_modifier {
                    if let (Some(pattern), Some(class)) = (
                        node.child_by_field_name("pattern"),
                        super::enclosing_class(semantic.root, node),
                    ) {
                        semantic.bind_attribute(class, pattern, BindingValue::Unknown);
                    }
                }
            }
            "for_in_statement" => {
                if let Some(left) = node.child_by_field_name("left") {
                    bind_pattern(semantic, scope, left, left.start_byte());
                }
            }
            "catch_clause" => {
                if let Some(parameter) = node.child_by_field_name("parameter") {
                    bind_pattern(semantic, scope, parameter, parameter.start_byte());
                }
            }
            _ => {}
        }
    });
}

/// `require('m')`, `await import('m')` and `require('m')` behind parentheses: the module.
pub(super) fn require_source<'t>(semantic: &Semantic<'t>, expr: Node<'_>) -> Option<&'t str> {
    let expr = semantic.unwrap_expression(expr);
    if expr.kind() != "call_expression" {
        return None;
    }
    let function = expr.child_by_field_name("function")?;
    let is_loader = match function.kind() {
        "identifier" => semantic.text(function) == "require",
        "import" => true,
        _ => false,
    };
    if !is_loader {
        return None;
    }
    let arguments = expr.child_by_field_name("arguments")?;
    let first = arguments.named_child(0)?;
    string_content(semantic, first)
}

/// The text inside a plain string literal (no interpolation).
pub(super) fn string_content<'t>(semantic: &Semantic<'t>, node: Node<'_>) -> Option<&'t str> {
    if node.kind() != "string" {
        return None;
    }
    let text = semantic.text(node);
    text.get(1..text.len().checked_sub(1)?)
}

fn bind_import<'t>(semantic: &mut Semantic<'t>, scope: ScopeId, node: Node<'t>) {
    let Some(source) = node
        .child_by_field_name("source")
        .and_then(|s| string_content(semantic, s))
    else {
        // `import x = require('m')`
        let mut cursor = node.walk();
        let clause = node
            .named_children(&mut cursor)
            .find(|c| c.kind() == "import_require_clause");
        if let Some(clause) = clause {
            let name = clause.named_child(0);
            let source = clause
                .child_by_field_name("source")
                .and_then(|s| string_content(semantic, s));
            if let (Some(name), Some(source)) = (name, source) {
                semantic.bind(
                    scope,
                    name,
                    node.end_byte(),
                    BindingValue::Import(source, None),
                );
            }
        }
        return;
    };
    let position = node.end_byte();
    let mut cursor = node.walk();
    let clauses: Vec<Node<'t>> = node
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "import_clause")
        .collect();
    for clause in clauses {
        let mut cursor = clause.walk();
        let parts: Vec<Node<'t>> = clause.named_children(&mut cursor).collect();
        for part in parts {
            match part.kind() {
                "identifier" => {
                    semantic.bind(scope, part, position, BindingValue::Import(source, None))
                }
                "namespace_import" => {
                    if let Some(name) = part.named_child(0) {
                        semantic.bind(scope, name, position, BindingValue::Import(source, None));
                    }
                }
                "named_imports" => {
                    let mut cursor = part.walk();
                    let specifiers: Vec<Node<'t>> = part
                        .named_children(&mut cursor)
                        .filter(|s| s.kind() == "import_specifier")
                        .collect();
                    for specifier in specifiers {
                        let Some(name) = specifier.child_by_field_name("name") else {
                            continue;
                        };
                        let local = specifier.child_by_field_name("alias").unwrap_or(name);
                        let member = semantic.text(name);
                        let value = if member == "default" {
                            BindingValue::Import(source, None)
                        } else {
                            BindingValue::Import(source, Some(member))
                        };
                        semantic.bind(scope, local, position, value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// `const {Pool, Client: PgClient} = require('pg')` → `Pool` is `pg.Pool`, `PgClient` is `pg.Client`.
fn bind_destructured<'t>(
    semantic: &mut Semantic<'t>,
    scope: ScopeId,
    pattern: Node<'t>,
    value: Node<'t>,
    position: usize,
) {
    let mut cursor = pattern.walk();
    let properties: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
    for property in properties {
        match property.kind() {
            "shorthand_property_identifier_pattern" => {
                let key = semantic.text(property);
                semantic.bind(scope, property, position, BindingValue::Member(value, key));
            }
            "pair_pattern" => {
                let key = property.child_by_field_name("key");
                let local = property.child_by_field_name("value");
                match (key, local) {
                    (Some(key), Some(local))
                        if key.kind() == "property_identifier" && local.kind() == "identifier" =>
                    {
                        let key = semantic.text(key);
                        semantic.bind(scope, local, position, BindingValue::Member(value, key));
                    }
                    (_, Some(local)) => bind_pattern(semantic, scope, local, position),
                    _ => {}
                }
            }
            _ => bind_pattern(semantic, scope, property, position),
        }
    }
}

/// Binds every identifier in a parameter list or destructuring pattern as unknown.
fn bind_pattern<'t>(
    semantic: &mut Semantic<'t>,
    scope: ScopeId,
    pattern: Node<'t>,
    position: usize,
) {
    let mut pending = vec![pattern];
    while let Some(node) = pending.pop() {
        match node.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                semantic.bind(scope, node, position, BindingValue::Unknown);
            }
            // Defaults and type annotations are expressions, not bindings.
            "type_annotation" | "decorator" => {}
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(left) = node.child_by_field_name("left") {
                    pending.push(left);
                }
            }
            "pair_pattern" => {
                if let Some(value) = node.child_by_field_name("value") {
                    pending.push(value);
                }
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(pattern) = node.child_by_field_name("pattern") {
                    pending.push(pattern);
                }
            }
            _ => {
                let mut cursor = node.walk();
                pending.extend(node.named_children(&mut cursor));
            }
        }
    }
}
