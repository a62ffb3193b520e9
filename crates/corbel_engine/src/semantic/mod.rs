//! The per-file semantic model shared by all rules: scopes, bindings (imports and
//! assigned values), instance attributes, and name resolution.
//!
//! Rules ask "is this call `requests.get`?" or "what was `client` last assigned?",
//! never re-implementing import resolution themselves. The model is flow-insensitive
//! within a scope except for order: a name resolves to its last binding before the use.

mod context;
mod javascript;
mod python;
mod strings;

pub use context::ChainLink;
pub use strings::StringBuild;

use crate::language::{Family, Grammar};
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::{Node, Tree};

/// How deep alias chains (`a = b; b = c; ...`) are followed before giving up.
pub(crate) const MAX_ALIAS_DEPTH: usize = 8;

pub type ScopeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Class,
}

#[derive(Debug, Clone, Copy)]
pub enum BindingValue<'t> {
    /// The name is an import of this dotted path: `requests`, `requests.post`, `pg.Pool`.
    Import(&'t str, Option<&'t str>),
    /// The name was assigned this expression (or bound by `with ... as`, a `def`, ...).
    Value(Node<'t>),
    /// `name += value`: the augmented assignment node itself.
    Augmented(Node<'t>),
    /// Destructured or `from`-style member of an expression: `const {Pool} = require('pg')`.
    Member(Node<'t>, &'t str),
    /// Bound to something the model cannot see: a parameter, a loop target, unpacking.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding<'t> {
    /// Byte offset where the binding takes effect.
    pub position: usize,
    pub value: BindingValue<'t>,
}

#[derive(Debug)]
pub struct Scope<'t> {
    pub node: Node<'t>,
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    bindings: HashMap<&'t str, Vec<Binding<'t>>>,
}

/// The semantic model of one file. Lives as long as the file's syntax tree.
pub struct Semantic<'t> {
    source: &'t str,
    family: Family,
    root: Node<'t>,
    /// Scopes in pre-order, so their start bytes are sorted.
    scopes: Vec<Scope<'t>>,
    /// `self.x = v` / `this.x = v` / class fields, keyed by (class node id, attribute).
    attributes: HashMap<(usize, &'t str), Vec<BindingValue<'t>>>,
    /// Answers about the whole file that a rule computes once and asks for at every
    /// candidate (see [`Semantic::memo`]).
    memo: RefCell<HashMap<&'static str, Rc<dyn Any>>>,
    /// The folders of the file's path from the report root: a Python import that starts
    /// with one of them (`lagun.db.utils` in `lagun/api/tables.py`) is the project's own.
    folders: Vec<String>,
}

/// A dotted module path split into its import part and the member part.
fn join_path(module: &str, member: Option<&str>) -> String {
    match member {
        Some(member) if !module.is_empty() => format!("{module}.{member}"),
        Some(member) => member.to_string(),
        None => module.to_string(),
    }
}

impl<'t> Semantic<'t> {
    /// The answer stored under `key` for this file, computed by `compute` the first time
    /// it is asked for: a walk of the whole file done once rather than per candidate.
    /// Each key must always be used with the same type.
    pub fn memo<T: 'static>(&self, key: &'static str, compute: impl FnOnce() -> T) -> Rc<T> {
        if let Some(found) = self.memo.borrow().get(key) {
            if let Ok(found) = Rc::clone(found).downcast::<T>() {
                return found;
            }
        }
        let value = Rc::new(compute());
        self.memo
            .borrow_mut()
            .insert(key, Rc::clone(&value) as Rc<dyn Any>);
        value
    }

    pub fn build(tree: &'t Tree, source: &'t str, grammar: Grammar) -> Semantic<'t> {
        Semantic::build_visiting(tree, source, grammar, &mut |_| {})
    }

    /// Builds the model and hands every node, in preorder, to `visit` on the way: one
    /// walk of the tree serves the model and whoever needs the nodes.
    pub fn build_visiting(
        tree: &'t Tree,
        source: &'t str,
        grammar: Grammar,
        visit: &mut dyn FnMut(Node<'t>),
    ) -> Semantic<'t> {
        let root = tree.root_node();
        let mut semantic = Semantic {
            source,
            family: grammar.family(),
            root,
            scopes: vec![Scope {
                node: root,
                kind: ScopeKind::Module,
                parent: None,
                bindings: HashMap::new(),
            }],
            attributes: HashMap::new(),
            memo: RefCell::default(),
            folders: Vec::new(),
        };
        match grammar.family() {
            Family::Python => python::collect(&mut semantic, visit),
            Family::JavaScript => javascript::collect(&mut semantic, visit),
        }
        semantic
    }

    pub fn source(&self) -> &'t str {
        self.source
    }

    /// Records where the file sits (`/`-separated, from the report root), so imports of
    /// the project's own modules can be told from libraries.
    pub fn set_path(&mut self, path: &str) {
        let mut folders: Vec<String> = path.split('/').map(str::to_string).collect();
        folders.pop();
        self.folders = folders;
    }

    /// Whether a call runs a function imported from another module of this project:
    /// `format_default_clause(...)` after `from lagun.db.utils import ...` or
    /// `from .utils import ...`, `sql.buildWhere(...)` after `import * as sql from
    /// './sql'`. What that function does with its arguments is in a file this model does
    /// not see. A class (`Filters(**args)`) is not one: the object holds its arguments.
    pub fn calls_project_function(&self, call: Node<'_>) -> bool {
        let Some(callee) = call
            .child_by_field_name("function")
            .map(|c| self.unwrap_expression(c))
        else {
            return false;
        };
        // The function itself, or a function of an imported module (`sql.buildWhere`);
        // not a method of an imported object (`listQuerySchema.parse`).
        let imported = match callee.kind() {
            "identifier" => callee,
            "attribute" | "member_expression" => match callee.child_by_field_name("object") {
                Some(object) if object.kind() == "identifier" => object,
                _ => return false,
            },
            _ => return false,
        };
        let Some(BindingValue::Import(module, member)) = self
            .lookup(self.text(imported), imported.start_byte())
            .map(|binding| binding.value)
        else {
            return false;
        };
        // `from . import ddl` names a module of the package.
        let names_module =
            member.is_none() || self.family == Family::Python && module.chars().all(|c| c == '.');
        if !(names_module || imported.id() == callee.id()) {
            return false;
        }
        let Some(path) = self.qualified_name(callee) else {
            return false;
        };
        let name = path.rsplit(['.', '/']).next().unwrap_or("");
        !name.starts_with(|c: char| c.is_ascii_uppercase()) && self.is_project_module(&path)
    }

    fn is_project_module(&self, path: &str) -> bool {
        match self.family {
            Family::Python => {
                path.starts_with('.')
                    || path
                        .split('.')
                        .next()
                        .is_some_and(|head| self.folders.iter().any(|folder| folder == head))
            }
            // Relative paths, and the aliases bundlers and `tsconfig` paths give the
            // source folder.
            Family::JavaScript => ["./", "../", "@/", "~/", "#", "src/"]
                .iter()
                .any(|prefix| path.starts_with(prefix)),
        }
    }

    pub fn root(&self) -> Node<'t> {
        self.root
    }

    pub fn text(&self, node: Node<'_>) -> &'t str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    pub fn scope(&self, id: ScopeId) -> &Scope<'t> {
        &self.scopes[id]
    }

    pub(crate) fn push_scope(
        &mut self,
        node: Node<'t>,
        kind: ScopeKind,
        parent: ScopeId,
    ) -> ScopeId {
        self.scopes.push(Scope {
            node,
            kind,
            parent: Some(parent),
            bindings: HashMap::new(),
        });
        self.scopes.len() - 1
    }

    pub(crate) fn bind(
        &mut self,
        scope: ScopeId,
        name: Node<'t>,
        position: usize,
        value: BindingValue<'t>,
    ) {
        let name = self.text(name);
        if name.is_empty() {
            return;
        }
        self.scopes[scope]
            .bindings
            .entry(name)
            .or_default()
            .push(Binding { position, value });
    }

    pub(crate) fn bind_attribute(
        &mut self,
        class: Node<'t>,
        attribute: Node<'t>,
        value: BindingValue<'t>,
    ) {
        let name = self.text(attribute);
        self.attributes
            .entry((class.id(), name))
            .or_default()
            .push(value);
    }

    /// The innermost scope whose node contains `offset`.
    pub fn scope_at(&self, offset: usize) -> ScopeId {
        let candidate = self
            .scopes
            .partition_point(|scope| scope.node.start_byte() <= offset)
            .saturating_sub(1);
        let mut id = candidate;
        loop {
            let node = self.scopes[id].node;
            if node.start_byte() <= offset && offset < node.end_byte().max(node.start_byte() + 1) {
                return id;
            }
            match self.scopes[id].parent {
                Some(parent) => id = parent,
                None => return 0,
            }
        }
    }

    /// The binding a name refers to at `offset`: the last binding before the use in the
    /// innermost scope that binds the name (class bodies are not visible from methods).
    pub fn lookup(&self, name: &str, offset: usize) -> Option<&Binding<'t>> {
        let mut id = self.scope_at(offset);
        let start_kind = self.scopes[id].kind;
        let mut first = true;
        loop {
            let scope = &self.scopes[id];
            let skip = !first && scope.kind == ScopeKind::Class && start_kind != ScopeKind::Class;
            if !skip {
                if let Some(bindings) = scope.bindings.get(name) {
                    let before = bindings.iter().rev().find(|b| b.position <= offset);
                    // Bound in this scope, but only later: in a loop it may hold anything.
                    return before.or(Some(&UNKNOWN_BINDING));
                }
            }
            first = false;
            id = scope.parent?;
        }
    }

    /// All bindings of a name in the scope that `offset` resolves it in.
    pub fn bindings_in_scope_of(&self, name: &str, offset: usize) -> &[Binding<'t>] {
        let mut id = self.scope_at(offset);
        loop {
            let scope = &self.scopes[id];
            if let Some(bindings) = scope.bindings.get(name) {
                return bindings;
            }
            match scope.parent {
                Some(parent) => id = parent,
                None => return &[],
            }
        }
    }

    /// Whether an identifier refers to nothing bound in this file (a builtin or global).
    pub fn is_unbound(&self, identifier: Node<'_>) -> bool {
        self.lookup(self.text(identifier), identifier.start_byte())
            .is_none()
    }

    /// The dotted path an expression names through this file's imports:
    /// `rq.get` after `import requests as rq` → `requests.get`; `Pool` after
    /// `const {Pool} = require('pg')` → `pg.Pool`. `None` when it is not import-rooted.
    pub fn qualified_name(&self, expr: Node<'_>) -> Option<String> {
        self.qualified_name_at_depth(expr, 0)
    }

    fn qualified_name_at_depth(&self, expr: Node<'_>, depth: usize) -> Option<String> {
        if depth > MAX_ALIAS_DEPTH {
            return None;
        }
        let expr = self.unwrap_expression(expr);
        match expr.kind() {
            "identifier" => {
                let binding = self.lookup(self.text(expr), expr.start_byte())?;
                match binding.value {
                    BindingValue::Import(module, member) => Some(join_path(module, member)),
                    BindingValue::Value(value) if is_name_like(value.kind()) => {
                        self.qualified_name_at_depth(value, depth + 1)
                    }
                    BindingValue::Value(value) if self.family == Family::JavaScript => {
                        javascript::require_source(self, value).map(str::to_string)
                    }
                    BindingValue::Member(object, key) => {
                        let base = self.qualified_name_at_depth(object, depth + 1)?;
                        Some(format!("{base}.{key}"))
                    }
                    _ => None,
                }
            }
            "attribute" | "member_expression" => {
                let object = expr.child_by_field_name("object")?;
                let property = expr
                    .child_by_field_name("attribute")
                    .or_else(|| expr.child_by_field_name("property"))?;
                if property.kind() == "private_property_identifier" {
                    return None;
                }
                let base = self.qualified_name_at_depth(object, depth + 1)?;
                // `(await import('axios')).default` and `require('pg').default` are the module.
                if self.family == Family::JavaScript && self.text(property) == "default" {
                    return Some(base);
                }
                Some(format!("{base}.{}", self.text(property)))
            }
            "call_expression" if self.family == Family::JavaScript => {
                javascript::require_source(self, expr).map(str::to_string)
            }
            _ => None,
        }
    }

    /// Strips parentheses, TS non-null assertions, `as`/`satisfies` casts and `await`.
    pub fn unwrap_expression<'n>(&self, mut expr: Node<'n>) -> Node<'n> {
        loop {
            let inner = match expr.kind() {
                "parenthesized_expression"
                | "non_null_expression"
                | "as_expression"
                | "satisfies_expression"
                | "await_expression"
                | "await"
                | "type_assertion" => expr.named_child(0),
                _ => None,
            };
            match inner {
                Some(inner) if inner.kind() != "comment" => expr = inner,
                _ => return expr,
            }
        }
    }

    /// The values assigned anywhere in the class to the attribute `self.x` / `this.x`
    /// names (`None` for other expressions, or an attribute the class never assigns).
    pub fn attribute_values(&self, expr: Node<'t>) -> Option<&[BindingValue<'t>]> {
        let expr = self.unwrap_expression(expr);
        let object = expr.child_by_field_name("object")?;
        let property = expr
            .child_by_field_name("attribute")
            .or_else(|| expr.child_by_field_name("property"))?;
        if !matches!(self.text(object), "self" | "this") {
            return None;
        }
        let class = enclosing_class(self.root, expr)?;
        self.attributes
            .get(&(class.id(), self.text(property)))
            .map(Vec::as_slice)
    }

    /// The expressions an instance expression may have been created by, following local
    /// variables and `self.x` / `this.x` attributes. `None` when any origin is unknown
    /// (a parameter, an attribute set elsewhere, an import), so rules can stay silent.
    pub fn origins(&self, expr: Node<'t>) -> Option<Vec<Node<'t>>> {
        let mut out = Vec::new();
        self.collect_origins(expr, 0, &mut out).then_some(out)
    }

    fn collect_origins(&self, expr: Node<'t>, depth: usize, out: &mut Vec<Node<'t>>) -> bool {
        if depth > MAX_ALIAS_DEPTH {
            return false;
        }
        let expr = self.unwrap_expression(expr);
        match expr.kind() {
            "identifier" => match self.lookup(self.text(expr), expr.start_byte()) {
                Some(Binding {
                    value: BindingValue::Value(value),
                    ..
                }) => self.collect_origins(*value, depth + 1, out),
                _ => false,
            },
            "attribute" | "member_expression" => {
                let Some(values) = self.attribute_values(expr) else {
                    return false;
                };
                values.iter().all(|value| match value {
                    BindingValue::Value(value) => self.collect_origins(*value, depth + 1, out),
                    _ => false,
                })
            }
            _ => {
                out.push(expr);
                true
            }
        }
    }
}

/// The scopes enclosing the node a pre-order walk is at, as (scope, end byte).
pub(crate) struct ScopeStack(Vec<(ScopeId, usize)>);

impl ScopeStack {
    pub(crate) fn new() -> ScopeStack {
        ScopeStack(vec![(0, usize::MAX)])
    }

    /// The innermost scope still open at `node`, closing the ones it has left.
    pub(crate) fn current(&mut self, node: Node<'_>) -> ScopeId {
        while self.0.len() > 1
            && self
                .0
                .last()
                .is_some_and(|&(_, end)| node.start_byte() >= end)
        {
            self.0.pop();
        }
        self.0.last().map_or(0, |&(id, _)| id)
    }

    /// Opens the scope `node` creates.
    pub(crate) fn enter(&mut self, id: ScopeId, node: Node<'_>) {
        self.0.push((id, node.end_byte()));
    }
}

static UNKNOWN_BINDING: Binding<'static> = Binding {
    position: 0,
    value: BindingValue::Unknown,
};

fn is_name_like(kind: &str) -> bool {
    matches!(kind, "identifier" | "attribute" | "member_expression")
}

/// The class (Python `class_definition`, JS/TS class) whose body holds `node`, a node of
/// the tree whose root is `root`.
pub fn enclosing_class<'t>(root: Node<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let mut ancestors = path_from_root(root, node);
    ancestors.pop(); // `node` itself
    ancestors.into_iter().rev().find(|ancestor| {
        matches!(
            ancestor.kind(),
            "class_definition" | "class_declaration" | "class" | "abstract_class_declaration"
        )
    })
}

/// The nodes from `root` down to `node`, both included.
///
/// Tree-sitter nodes have no parent pointers: every `Node::parent` call descends again
/// from the root, so climbing from a node with `parent()` costs depth² steps, which on
/// deeply nested generated code (thousands of levels) is minutes per node. This is one
/// descent.
pub fn path_from_root<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let mut path = vec![root];
    let mut current = root;
    while current != node {
        match current.child_with_descendant(node) {
            Some(next) => {
                path.push(next);
                current = next;
            }
            None => break,
        }
    }
    path
}

/// Pre-order walk without recursion, so deeply nested input cannot overflow the stack.
pub fn walk_preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>)) {
    let mut cursor = root.walk();
    // Depth below `root`, so the walk never leaves it (cheaper than comparing nodes).
    let mut depth = 0usize;
    loop {
        visit(cursor.node());
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `path_from_root` must agree with climbing by `Node::parent`, for every node.
    #[test]
    fn path_from_root_matches_the_parent_chain() {
        let sources = [
            (
                Grammar::Python,
                "class A:\n    def f(self, x):\n        self.c = [(x, [y])]\n",
            ),
            (
                Grammar::TypeScript,
                "class A { m() { this.c = () => f((x), [y]); } }\nconst {a: {b}} = g(;\n",
            ),
        ];
        for (grammar, source) in sources {
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&grammar.ts_language())
                .unwrap_or_else(|error| panic!("{error}"));
            let Some(tree) = parser.parse(source, None) else {
                panic!("no tree for {source:?}");
            };
            let root = tree.root_node();
            walk_preorder(root, |node| {
                let mut climbed = vec![node];
                let mut current = node;
                while let Some(parent) = current.parent() {
                    climbed.push(parent);
                    current = parent;
                }
                climbed.reverse();
                assert_eq!(path_from_root(root, node), climbed, "{}", node.kind());
            });
        }
    }
}
#[cfg(test)]
mod model_tests;
