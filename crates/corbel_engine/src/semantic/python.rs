//! Builds scopes and bindings for Python.

use super::{walk_preorder, BindingValue, ScopeId, ScopeKind, ScopeStack, Semantic};
use tree_sitter::Node;

pub(super) fn collect<'t>(semantic: &mut Semantic<'t>, visit: &mut dyn FnMut(Node<'t>)) {
    let root = semantic.root;
    let mut stack = ScopeStack::new();
    walk_preorder(root, |node| {
        visit(node);
        let scope = stack.current(node);
        match node.kind() {
            // `node.is_named()`: the `lambda` keyword token has the kind of its expression.
            "function_definition" | "lambda" if node.is_named() => {
                if let Some(name) = node.child_by_field_name("name") {
                    semantic.bind(scope, name, node.start_byte(), BindingValue::Value(node));
                }
                let inner = semantic.push_scope(node, ScopeKind::Function, scope);
                if let Some(parameters) = node.child_by_field_name("parameters") {
                    bind_parameters(semantic, inner, parameters);
                }
                stack.enter(inner, node);
            }
            "class_definition" => {
                if let Some(name) = node.child_by_field_name("name") {
                    semantic.bind(scope, name, node.start_byte(), BindingValue::Value(node));
                }
                let inner = semantic.push_scope(node, ScopeKind::Class, scope);
                stack.enter(inner, node);
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

/// The first identifier among a node's children, else the first found the same way in
/// each child in turn. An explicit stack instead of recursion: error recovery can nest
/// nodes deeper than a thread's stack allows.
fn first_identifier(node: Node<'_>) -> Option<Node<'_>> {
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        if let Some(found) = children.iter().find(|child| child.kind() == "identifier") {
            return Some(*found);
        }
        pending.extend(children.into_iter().rev());
    }
    None
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
                    if let Some(class) = super::enclosing_class(semantic.root, node) {
                        semantic.bind_attribute(class, attribute, BindingValue::Value(right));
                    }
                }
            }
        }
        _ => bind_identifiers(semantic, scope, left, position, BindingValue::Unknown),
    }
}

/// Binds a target that is a plain name to `value`, and every identifier nested in a
/// target pattern (`a, (b, *c)`) to unknown. An explicit stack instead of recursion:
/// targets nest as deep as the source likes (`[[[[x]]]] = v`).
fn bind_identifiers<'t>(
    semantic: &mut Semantic<'t>,
    scope: ScopeId,
    target: Node<'t>,
    position: usize,
    value: BindingValue<'t>,
) {
    let mut pending = vec![(target, value)];
    while let Some((node, value)) = pending.pop() {
        match node.kind() {
            "identifier" => semantic.bind(scope, node, position, value),
            "attribute" | "subscript" => {}
            // `with f() as (x)`: a wrapper around one name keeps the value.
            "as_pattern_target" | "parenthesized_expression" if node.named_child_count() == 1 => {
                if let Some(inner) = node.named_child(0) {
                    pending.push((inner, value));
                }
            }
            _ => {
                let mut cursor = node.walk();
                let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                // Reversed, so names are bound in source order.
                pending.extend(
                    children
                        .into_iter()
                        .rev()
                        .map(|child| (child, BindingValue::Unknown)),
                );
            }
        }
    }
}
