//! Builds scopes and bindings for Python.

use super::{walk_preorder, BindingValue, ScopeId, ScopeKind, Semantic};
use tree_sitter::Node;

pub(super) fn collect(semantic: &mut Semantic<'_>) {
    let root = semantic.root;
    // (scope, end byte) of the scopes enclosing the current node.
    let mut stack: Vec<(ScopeId, usize)> = vec![(0, usize::MAX)];
    walk_preorder(root, |node| {
        while stack.len() > 1
            && stack
                .last()
                .is_some_and(|&(_, end)| node.start_byte() >= end)
        {
            stack.pop();
        }
        let scope = stack.last().map_or(0, |&(id, _)| id);
        match node.kind() {
            "function_definition" | "lambda" => {
                if let Some(name) = node.child_by_field_name("name") {
                    semantic.bind(scope, name, node.start_byte(), BindingValue::Value(node));
                }
                let inner = semantic.push_scope(node, ScopeKind::Function, scope);
                if let Some(parameters) = node.child_by_field_name("parameters") {
                    bind_parameters(semantic, inner, parameters);
                }
                stack.push((inner, node.end_byte()));
            }
            "class_definition" => {
                if let Some(name) = node.child_by_field_name("name") {
                    semantic.bind(scope, name, node.start_byte(), BindingValue::Value(node));
                }
                let inner = semantic.push_scope(node, ScopeKind::Class, scope);
                stack.push((inner, node.end_byte()));
            }
            "import_statement" => bind_import(semantic, scope, node),
            "import_from_statement" => bind_import_from(semantic, scope, node),
            "assignment" => bind_assignment(semantic, scope, node),
            "augmented_assignment" => {
                if let Some(left) = node.child_by_field_name("left") {
                    if left.kind() == "identifier" {
                        semantic.bind(scope, left, node.end_byte(), BindingValue::Augmented(node));
                    }
                }
            }
            "named_expression" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    semantic.bind(scope, name, node.end_byte(), BindingValue::Value(value));
                }
            }
            "as_pattern" => {
                // `with expr as name` / `except E as name`
                let value = node.named_child(0);
                let alias = node.child_by_field_name("alias");
                if let (Some(value), Some(alias)) = (value, alias) {
                    let in_with = node.parent().is_some_and(|p| p.kind() == "with_item");
                    let bound = if in_with {
                        BindingValue::Value(value)
                    } else {
                        BindingValue::Unknown
                    };
                    bind_identifiers(semantic, scope, alias, node.end_byte(), bound);
                }
            }
            "for_statement" | "for_in_clause" => {
                if let Some(left) = node.child_by_field_name("left") {
                    bind_identifiers(
                        semantic,
                        scope,
                        left,
                        left.start_byte(),
                        BindingValue::Unknown,
                    );
                }
            }
            _ => {}
        }
    });
}

fn bind_parameters<'t>(semantic: &mut Semantic<'t>, scope: ScopeId, parameters: Node<'t>) {
    let mut cursor = parameters.walk();
    for parameter in parameters.named_children(&mut cursor) {
        let name = match parameter.kind() {
            "identifier" => Some(parameter),
            "default_parameter" | "typed_default_parameter" => {
                parameter.child_by_field_name("name")
            }
            "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                first_identifier(parameter)
            }
            _ => None,
        };
        if let Some(name) = name {
            semantic.bind(scope, name, parameters.start_byte(), BindingValue::Unknown);
        }
    }
}

fn first_identifier(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|child| child.kind() == "identifier");
    found.or_else(|| {
        let mut cursor = node.walk();
        let nested = node
            .named_children(&mut cursor)
            .find_map(|child| first_identifier(child));
        nested
    })
}

fn bind_import<'t>(semantic: &mut Semantic<'t>, scope: ScopeId, node: Node<'t>) {
    let mut cursor = node.walk();
    for name in node.children_by_field_name("name", &mut cursor) {
        match name.kind() {
            "dotted_name" => {
                // `import a.b` binds `a`.
                let Some(head) = name.named_child(0) else {
                    continue;
                };
                let module = semantic.text(head);
                semantic.bind(
                    scope,
                    head,
                    node.end_byte(),
                    BindingValue::Import(module, None),
                );
            }
            "aliased_import" => {
                let (Some(path), Some(alias)) = (
                    name.child_by_field_name("name"),
                    name.child_by_field_name("alias"),
                ) else {
                    continue;
                };
                let module = semantic.text(path);
                semantic.bind(
                    scope,
                    alias,
                    node.end_byte(),
                    BindingValue::Import(module, None),
                );
            }
            _ => {}
        }
    }
}

fn bind_import_from<'t>(semantic: &mut Semantic<'t>, scope: ScopeId, node: Node<'t>) {
    let Some(module) = node.child_by_field_name("module_name") else {
        return;
    };
    let module = semantic.text(module);
    let mut cursor = node.walk();
    for name in node.children_by_field_name("name", &mut cursor) {
        let (member, local) = match name.kind() {
            "dotted_name" => (name, name),
            "aliased_import" => match (
                name.child_by_field_name("name"),
                name.child_by_field_name("alias"),
            ) {
                (Some(member), Some(alias)) => (member, alias),
                _ => continue,
            },
            _ => continue,
        };
        let member = semantic.text(member);
        semantic.bind(
            scope,
            local,
            node.end_byte(),
            BindingValue::Import(module, Some(member)),
        );
    }
}

fn bind_assignment<'t>(semantic: &mut Semantic<'t>, scope: ScopeId, node: Node<'t>) {
    let Some(left) = node.child_by_field_name("left") else {
        return;
    };
    // `a = b = value`: the value is the innermost right-hand side.
    let mut right = node.child_by_field_name("right");
    while let Some(inner) = right.filter(|r| r.kind() == "assignment") {
        right = inner.child_by_field_name("right");
    }
    let Some(right) = right else {
        return; // an annotation without a value
    };
    let position = node.end_byte();
    match left.kind() {
        "identifier" => {
            semantic.bind(scope, left, position, BindingValue::Value(right));
            // A class-body assignment is also an attribute of every instance.
            if semantic.scope(scope).kind == ScopeKind::Class {
                let class = semantic.scope(scope).node;
                semantic.bind_attribute(class, left, BindingValue::Value(right));
            }
        }
        "attribute" => {
            let object = left.child_by_field_name("object");
            let attribute = left.child_by_field_name("attribute");
            if let (Some(object), Some(attribute)) = (object, attribute) {
                if matches!(semantic.text(object), "self" | "cls") {
                    if let Some(class) = super::enclosing_class(node) {
                        semantic.bind_attribute(class, attribute, BindingValue::Value(right));
                    }
                }
            }
        }
        _ => bind_identifiers(semantic, scope, left, position, BindingValue::Unknown),
    }
}

/// Binds every identifier in a target pattern (`a, (b, *c)`) to `value`.
fn bind_identifiers<'t>(
    semantic: &mut Semantic<'t>,
    scope: ScopeId,
    target: Node<'t>,
    position: usize,
    value: BindingValue<'t>,
) {
    if target.kind() == "identifier" {
        semantic.bind(scope, target, position, value);
        return;
    }
    if matches!(target.kind(), "attribute" | "subscript") {
        return;
    }
    // `with f() as (x)`: a wrapper around one name keeps the value.
    if matches!(
        target.kind(),
        "as_pattern_target" | "parenthesized_expression"
    ) && target.named_child_count() == 1
    {
        if let Some(inner) = target.named_child(0) {
            bind_identifiers(semantic, scope, inner, position, value);
        }
        return;
    }
    let mut cursor = target.walk();
    let children: Vec<Node<'t>> = target.named_children(&mut cursor).collect();
    for child in children {
        bind_identifiers(semantic, scope, child, position, BindingValue::Unknown);
    }
}
