//! Helpers shared by rules: reading call arguments, keyword arguments, object literals.
//!
//! Every lookup distinguishes "absent" from "cannot tell" (a `**kwargs` or `...spread`,
//! an options object built elsewhere), because rules must stay silent on the latter.

use corbel_engine::semantic::walk_preorder;
use corbel_engine::{BindingValue, Semantic};
use tree_sitter::Node;

/// The outcome of looking for an option in a call or an options object.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'t> {
    /// Given, with this value.
    Present(Node<'t>),
    /// Certainly not given.
    Absent,
    /// Possibly given through something the model cannot see.
    Unknown,
}

/// Named children that are not comments.
pub fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .collect()
}

/// Python: a call's argument list.
pub fn py_arguments(call: Node<'_>) -> Option<Node<'_>> {
    call.child_by_field_name("arguments")
        .filter(|args| args.kind() == "argument_list")
}

/// Python: the value of keyword argument `name`, or the positional argument at
/// `position` when the parameter can also be passed positionally.
pub fn py_argument<'t>(
    call: Node<'t>,
    name: &str,
    position: Option<usize>,
    semantic: &Semantic<'t>,
) -> Lookup<'t> {
    let Some(arguments) = py_arguments(call) else {
        return Lookup::Unknown;
    };
    let mut positional = 0;
    let mut unknown = false;
    for argument in named_children(arguments) {
        match argument.kind() {
            "keyword_argument" => {
                let key = argument.child_by_field_name("name");
                if key.is_some_and(|key| semantic.text(key) == name) {
                    if let Some(value) = argument.child_by_field_name("value") {
                        return Lookup::Present(value);
                    }
                }
            }
            "dictionary_splat" => unknown = true,
            "list_splat" => {
                if position.is_some() {
                    unknown = true;
                }
            }
            _ => {
                if position == Some(positional) {
                    return Lookup::Present(argument);
                }
                positional += 1;
            }
        }
    }
    if unknown {
        Lookup::Unknown
    } else {
        Lookup::Absent
    }
}

/// Python: whether a call passes no arguments at all.
pub fn py_has_no_arguments(call: Node<'_>) -> bool {
    py_arguments(call).is_some_and(|args| named_children(args).is_empty())
}

/// Whether an expression is `None`, directly or through a local variable.
pub fn py_is_none<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> bool {
    resolve_local(value, semantic).kind() == "none"
}

/// Follows a plain local variable to the expression it was last assigned.
pub fn resolve_local<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Node<'t> {
    let mut current = semantic.unwrap_expression(value);
    for _ in 0..8 {
        if current.kind() != "identifier" {
            break;
        }
        match semantic.lookup(semantic.text(current), current.start_byte()) {
            Some(binding) => match binding.value {
                BindingValue::Value(next) => current = semantic.unwrap_expression(next),
                _ => break,
            },
            None => break,
        }
    }
    current
}

/// JS/TS: the arguments of a call or `new` expression, without comments.
pub fn js_arguments(call: Node<'_>) -> Vec<Node<'_>> {
    call.child_by_field_name("arguments")
        .filter(|args| args.kind() == "arguments")
        .map(named_children)
        .unwrap_or_default()
}

/// JS/TS: whether any argument is spread (`f(...args)`), hiding positions.
pub fn js_has_spread_argument(call: Node<'_>) -> bool {
    js_arguments(call)
        .iter()
        .any(|arg| arg.kind() == "spread_element")
}

/// JS/TS: looks up `key` in an options object, following local variables to an object
/// literal. A spread element or an unresolvable value makes the answer `Unknown`.
pub fn js_property<'t>(options: Node<'t>, key: &str, semantic: &Semantic<'t>) -> Lookup<'t> {
    let options = semantic.unwrap_expression(options);
    if options.kind() == "identifier"
        && is_mutated(
            semantic.text(options),
            key,
            enclosing_scope_text(options, semantic),
        )
    {
        return Lookup::Unknown;
    }
    let object = resolve_local(options, semantic);
    if object.kind() != "object" {
        return Lookup::Unknown;
    }
    let mut unknown = false;
    // Later properties win, so keep the last match.
    let mut found = None;
    for property in named_children(object) {
        match property.kind() {
            "pair" => {
                let Some(name) = property.child_by_field_name("key") else {
                    continue;
                };
                match js_property_key(name, semantic) {
                    Some(name) if name == key => {
                        found = property.child_by_field_name("value");
                    }
                    Some(_) => {}
                    None => unknown = true, // computed key
                }
            }
            "shorthand_property_identifier" if semantic.text(property) == key => {
                found = Some(property);
            }
            "method_definition" => {
                let name = property.child_by_field_name("name");
                if name.is_some_and(|name| semantic.text(name) == key) {
                    found = Some(property);
                }
            }
            "spread_element" => {
                // A spread after the key may override it; before it, it may supply it.
                found = None;
                unknown = true;
            }
            _ => {}
        }
    }
    match (found, unknown) {
        (Some(value), _) => Lookup::Present(value),
        (None, true) => Lookup::Unknown,
        (None, false) => Lookup::Absent,
    }
}

fn js_property_key<'t>(name: Node<'t>, semantic: &Semantic<'t>) -> Option<&'t str> {
    match name.kind() {
        "property_identifier" | "number" => Some(semantic.text(name)),
        "string" => {
            let text = semantic.text(name);
            text.get(1..text.len().checked_sub(1)?)
        }
        _ => None,
    }
}

/// JS/TS: whether a value is a literal `0` (which disables axios/got timeouts), `null`
/// or `undefined`, directly or through a local variable.
pub fn js_is_zero_or_nullish<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> bool {
    let value = resolve_local(value, semantic);
    match value.kind() {
        "number" => semantic
            .text(value)
            .replace('_', "")
            .parse::<f64>()
            .is_ok_and(|n| n == 0.0),
        "null" | "undefined" => true,
        _ => false,
    }
}

/// Whether `key` of an options object held in `name` may be set after it is built
/// (`opts.timeout = 5`, `opts[k] = v`, `Object.assign(opts, ...)`): its final value is
/// then unknown.
fn is_mutated(name: &str, key: &str, source: &str) -> bool {
    source.match_indices(name).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
            return false;
        }
        let after = source[at + name.len()..].trim_start();
        let target = if let Some(member) = after.strip_prefix('.') {
            let member = member.trim_start();
            let rest = member.strip_prefix(key).filter(|rest| {
                !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
            });
            rest.map(str::trim_start)
        } else {
            after
                .strip_prefix('[')
                .and_then(|rest| rest.split_once(']'))
                .map(|(_, rest)| rest.trim_start())
        };
        let assigned = target.is_some_and(|rest| {
            rest.starts_with('=') && !rest.starts_with("==")
                || rest.starts_with("??=")
                || rest.starts_with("||=")
        });
        assigned || source[..at].trim_end().ends_with("Object.assign(")
    })
}

/// The source of the function (or module) that holds `node`.
fn enclosing_scope_text<'t>(node: Node<'_>, semantic: &Semantic<'t>) -> &'t str {
    let scope = semantic.scope(semantic.scope_at(node.start_byte()));
    semantic.text(scope.node)
}

/// The lower-cased words of a name: `ProjectOnboardingSteps` → project, onboarding,
/// steps; `user_roles` → user, roles; `self.role_model` → self, role, model.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut current = String::new();
        let chars: Vec<char> = part.chars().collect();
        for (index, c) in chars.iter().enumerate() {
            let previous_upper = index > 0 && chars[index - 1].is_ascii_uppercase();
            let next_lower = chars.get(index + 1).is_some_and(|n| n.is_ascii_lowercase());
            // `orderItems` → order, items; `CAConnector` → ca, connector.
            let boundary = c.is_ascii_uppercase() && (!previous_upper || next_lower);
            if boundary && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            current.push(c.to_ascii_lowercase());
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

/// The text of a plain string literal (no interpolation), following local variables.
pub fn literal_str<'t>(value: Node<'t>, semantic: &Semantic<'t>) -> Option<String> {
    let value = resolve_local(value, semantic);
    if value.kind() != "string" {
        return None;
    }
    let mut text = String::new();
    for child in named_children(value) {
        match child.kind() {
            "string_content" | "string_fragment" | "escape_sequence" => {
                text.push_str(semantic.text(child))
            }
            "interpolation" => return None,
            _ => {}
        }
    }
    Some(text)
}

/// Whether `name` occurs as an identifier inside `node`. The walk stops after 2,000 nodes
/// (a generated array literal), answering no.
pub fn mentions_identifier(node: Node<'_>, name: &str, semantic: &Semantic<'_>) -> bool {
    let mut found = false;
    let mut budget = 2_000usize;
    walk_preorder(node, |child| {
        if found || budget == 0 {
            return;
        }
        budget -= 1;
        if child.kind() == "identifier" && semantic.text(child) == name {
            found = true;
        }
    });
    found
}

/// A path's file stem and its directories, innermost first: `app/management/commands/x.py`
/// gives `x` and `commands`, `management`, `app`.
pub fn stem_and_dirs(path: &str) -> (&str, Vec<&str>) {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    (stem, parts.collect())
}

/// The decorators of a Python function or class, or of a JS class method.
pub fn decorators(function: Node<'_>) -> Vec<Node<'_>> {
    let mut decorators = Vec::new();
    match function.kind() {
        "function_definition" | "class_definition" => {
            if let Some(decorated) = function
                .parent()
                .filter(|p| p.kind() == "decorated_definition")
            {
                decorators.extend(
                    named_children(decorated)
                        .into_iter()
                        .filter(|d| d.kind() == "decorator"),
                );
            }
        }
        "method_definition" => {
            let mut sibling = function.prev_named_sibling();
            while let Some(decorator) = sibling.filter(|n| n.kind() == "decorator") {
                decorators.push(decorator);
                sibling = decorator.prev_named_sibling();
            }
            decorators.extend(
                named_children(function)
                    .into_iter()
                    .filter(|d| d.kind() == "decorator"),
            );
        }
        _ => {}
    }
    decorators
}
