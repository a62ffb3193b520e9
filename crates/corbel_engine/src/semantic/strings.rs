//! How a string value was built: which runtime values went into it. Follows local
//! variables, reassignment and `+=`, f-strings, `%` and `.format()`, template literals,
//! `+` and `.concat()`. Module-level string constants and literals count as constant.

use super::{Binding, BindingValue, ScopeKind, Semantic, MAX_ALIAS_DEPTH};
use tree_sitter::Node;

/// A string assembled from parts.
#[derive(Debug, Clone, Default)]
pub struct StringBuild<'t> {
    /// Expressions whose runtime value is spliced into the text, in source order.
    pub dynamic: Vec<Node<'t>>,
    /// The literal text pieces that are visible (for keyword checks like `SELECT`).
    pub literal_text: String,
}

impl StringBuild<'_> {
    pub fn is_constant(&self) -> bool {
        self.dynamic.is_empty()
    }
}

impl<'t> Semantic<'t> {
    /// How `expr` builds a string, or `None` when it is not visibly a string (a call
    /// result, a parameter, an attribute): rules stay silent then.
    pub fn string_build(&self, expr: Node<'t>) -> Option<StringBuild<'t>> {
        let mut build = StringBuild::default();
        self.collect_string(expr, 0, &mut build).then_some(build)
    }

    /// Whether a value spliced into a string is a constant: a literal, or a name bound
    /// once, at module level, to a literal string or number.
    pub fn is_constant_value(&self, expr: Node<'t>) -> bool {
        let expr = self.unwrap_expression(expr);
        match expr.kind() {
            "integer" | "float" | "number" | "true" | "false" | "none" | "null" => true,
            "string" | "template_string" | "concatenated_string" => {
                self.string_build(expr).is_some_and(|b| b.is_constant())
            }
            "identifier" => self.is_module_constant(expr),
            _ => false,
        }
    }

    fn is_module_constant(&self, name: Node<'t>) -> bool {
        let text = self.text(name);
        let Some(binding) = self.lookup(text, name.start_byte()) else {
            return false;
        };
        let BindingValue::Value(value) = binding.value else {
            return false;
        };
        let scope = self.scope_at(value.start_byte());
        let module_level = self.scopes[scope].kind == ScopeKind::Module;
        let bound_once = self.scopes[scope]
            .bindings
            .get(text)
            .is_some_and(|bindings| bindings.len() == 1);
        module_level
            && bound_once
            && matches!(
                self.unwrap_expression(value).kind(),
                "string"
                    | "integer"
                    | "float"
                    | "number"
                    | "concatenated_string"
                    | "template_string"
            )
            && self.string_build(value).is_none_or(|b| b.is_constant())
    }

    fn collect_string(&self, expr: Node<'t>, depth: usize, out: &mut StringBuild<'t>) -> bool {
        if depth > MAX_ALIAS_DEPTH * 4 {
            return false;
        }
        let expr = self.unwrap_expression(expr);
        match expr.kind() {
            // Python strings (f-strings hold `interpolation` children) and JS plain strings.
            "string" => {
                let mut cursor = expr.walk();
                for child in expr.named_children(&mut cursor) {
                    match child.kind() {
                        "interpolation" => {
                            if let Some(value) = child.named_child(0) {
                                self.splice(value, out);
                            }
                        }
                        "string_content" | "string_fragment" | "escape_sequence" => {
                            out.literal_text.push_str(self.text(child));
                        }
                        _ => {}
                    }
                }
                if expr.named_child_count() == 0 {
                    out.literal_text.push_str(self.text(expr));
                }
                true
            }
            "concatenated_string" => {
                let mut cursor = expr.walk();
                let parts: Vec<Node<'t>> = expr.named_children(&mut cursor).collect();
                parts
                    .into_iter()
                    .all(|part| self.collect_string(part, depth + 1, out))
            }
            "template_string" => {
                let mut cursor = expr.walk();
                for child in expr.named_children(&mut cursor) {
                    match child.kind() {
                        "template_substitution" => {
                            if let Some(value) = child.named_child(0) {
                                self.splice(value, out);
                            }
                        }
                        "string_fragment" | "escape_sequence" => {
                            out.literal_text.push_str(self.text(child))
                        }
                        _ => {}
                    }
                }
                true
            }
            "binary_operator" | "binary_expression" => {
                let operator = expr.child_by_field_name("operator").map(|o| self.text(o));
                let (Some(left), Some(right)) = (
                    expr.child_by_field_name("left"),
                    expr.child_by_field_name("right"),
                ) else {
                    return false;
                };
                match operator {
                    Some("+") => {
                        // One visibly-string side makes it a concatenation.
                        let left_ok = self.collect_string(left, depth + 1, out);
                        if !left_ok && !self.looks_like_string(right) {
                            return false;
                        }
                        if !left_ok {
                            self.splice(left, out);
                        }
                        if !self.collect_string(right, depth + 1, out) {
                            self.splice(right, out);
                        }
                        true
                    }
                    // Python `"..." % values`
                    Some("%") if self.collect_string(left, depth + 1, out) => {
                        self.splice_all(right, out);
                        true
                    }
                    _ => false,
                }
            }
            "call" | "call_expression" => self.collect_call(expr, depth, out),
            "identifier" => self.collect_name(expr, depth, out),
            _ => false,
        }
    }

    /// `"...".format(a, b)` and `"...".concat(a)` / `s.concat(a)`.
    fn collect_call(&self, call: Node<'t>, depth: usize, out: &mut StringBuild<'t>) -> bool {
        let Some(function) = call.child_by_field_name("function") else {
            return false;
        };
        if !matches!(function.kind(), "attribute" | "member_expression") {
            return false;
        }
        let method = function
            .child_by_field_name("attribute")
            .or_else(|| function.child_by_field_name("property"))
            .map(|m| self.text(m));
        let Some(object) = function.child_by_field_name("object") else {
            return false;
        };
        if !matches!(method, Some("format" | "concat")) {
            return false;
        }
        if !self.collect_string(object, depth + 1, out) {
            return false;
        }
        if let Some(arguments) = call.child_by_field_name("arguments") {
            let mut cursor = arguments.walk();
            for argument in arguments.named_children(&mut cursor) {
                let value = if argument.kind() == "keyword_argument" {
                    argument.child_by_field_name("value")
                } else {
                    Some(argument)
                };
                if let Some(value) = value.filter(|v| v.kind() != "comment") {
                    if !self.collect_string(value, depth + 1, out) {
                        self.splice(value, out);
                    }
                }
            }
        }
        true
    }

    /// A variable: its last assignment before the use, and any `+=` in between.
    fn collect_name(&self, name: Node<'t>, depth: usize, out: &mut StringBuild<'t>) -> bool {
        match self.lookup(self.text(name), name.start_byte()) {
            Some(Binding {
                value: BindingValue::Value(value),
                ..
            }) => self.collect_string(*value, depth + 1, out),
            Some(Binding {
                value: BindingValue::Augmented(augmented),
                ..
            }) => {
                let Some(left) = augmented.child_by_field_name("left") else {
                    return false;
                };
                let Some(right) = augmented.child_by_field_name("right") else {
                    return false;
                };
                // The value before `+=`, then what was appended.
                if !self.collect_name(left, depth + 1, out) {
                    return false;
                }
                if !self.collect_string(right, depth + 1, out) {
                    self.splice(right, out);
                }
                true
            }
            _ => false,
        }
    }

    fn looks_like_string(&self, expr: Node<'t>) -> bool {
        matches!(
            self.unwrap_expression(expr).kind(),
            "string" | "template_string" | "concatenated_string"
        )
    }

    /// Records a spliced value unless it is a constant.
    fn splice(&self, value: Node<'t>, out: &mut StringBuild<'t>) {
        if self.is_constant_value(value) {
            if let Some(build) = self.string_build(value) {
                out.literal_text.push_str(&build.literal_text);
            }
        } else {
            out.dynamic.push(value);
        }
    }

    /// `"..." % (a, b)` / `% {"k": v}` / `% value`.
    fn splice_all(&self, values: Node<'t>, out: &mut StringBuild<'t>) {
        let values = self.unwrap_expression(values);
        match values.kind() {
            "tuple" | "list" => {
                let mut cursor = values.walk();
                for value in values.named_children(&mut cursor) {
                    self.splice(value, out);
                }
            }
            "dictionary" => {
                let mut cursor = values.walk();
                for pair in values.named_children(&mut cursor) {
                    if let Some(value) = pair.child_by_field_name("value") {
                        self.splice(value, out);
                    }
                }
            }
            _ => self.splice(values, out),
        }
    }
}
