//! Where a node sits: its enclosing function, loops, request handlers, module level.

use super::Semantic;
use tree_sitter::Node;

/// Python function kinds; the JS/TS ones are the model builder's, so both agree on
/// what opens a function scope.
const PYTHON_FUNCTION_KINDS: &[&str] = &["function_definition", "lambda"];
const LOOP_KINDS: &[&str] = &[
    "for_statement",
    "while_statement",
    "for_in_statement",
    "do_statement",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
];

/// Array methods whose callback runs once per element.
const ITERATING_METHODS: &[&str] = &[
    "map", "forEach", "flatMap", "filter", "reduce", "some", "every", "find",
];

/// HTTP verbs route registrations use (Express, Fastify, Koa, Hono, Flask, FastAPI).
const ROUTE_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "del",
    "all",
    "options",
    "head",
    "route",
    "api_route",
    "websocket",
];

/// NestJS controller method decorators.
const NEST_ROUTE_DECORATORS: &[&str] = &[
    "Get", "Post", "Put", "Patch", "Delete", "All", "Options", "Head",
];

/// Django REST framework and class-based view handler names.
const VIEW_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "list",
    "retrieve",
    "create",
    "update",
    "partial_update",
    "destroy",
];

impl<'t> Semantic<'t> {
    pub fn is_function(node: Node<'_>) -> bool {
        node.is_named()
            && (PYTHON_FUNCTION_KINDS.contains(&node.kind())
                || super::javascript::FUNCTION_KINDS.contains(&node.kind()))
    }

    /// The innermost function (or lambda/arrow) holding `node`.
    pub fn enclosing_function(&self, node: Node<'t>) -> Option<Node<'t>> {
        let scope = self.scope_at(node.start_byte());
        let mut id = Some(scope);
        while let Some(current) = id {
            let scope = &self.scopes[current];
            if Semantic::is_function(scope.node) && scope.node.id() != node.id() {
                return Some(scope.node);
            }
            id = scope.parent;
        }
        None
    }

    /// Whether `node` runs at import time: not inside any function.
    pub fn is_module_level(&self, node: Node<'t>) -> bool {
        self.enclosing_function(node).is_none()
    }

    /// `async def` / `async function` / `async () =>`.
    pub fn is_async(&self, function: Node<'_>) -> bool {
        let mut cursor = function.walk();
        let result = function
            .children(&mut cursor)
            .take_while(|child| {
                !matches!(
                    child.kind(),
                    "identifier" | "formal_parameters" | "parameters" | "property_identifier"
                )
            })
            .any(|child| child.kind() == "async");
        result
    }

    /// Whether `node` runs repeatedly: inside a loop or comprehension, or in a callback
    /// passed to `.map/.forEach/...`, within its own function.
    pub fn in_loop(&self, node: Node<'t>) -> bool {
        let boundary = self.enclosing_function(node);
        let mut current = node.parent();
        while let Some(parent) = current {
            if LOOP_KINDS.contains(&parent.kind()) {
                return true;
            }
            if Some(parent) == boundary {
                // A callback of `items.map(...)` / `for ... of` iterates per element.
                return self.is_iterating_callback(parent);
            }
            current = parent.parent();
        }
        false
    }

    fn is_iterating_callback(&self, function: Node<'t>) -> bool {
        let Some(arguments) = function.parent().filter(|p| p.kind() == "arguments") else {
            return false;
        };
        let Some(call) = arguments.parent() else {
            return false;
        };
        let method = call
            .child_by_field_name("function")
            .and_then(|f| f.child_by_field_name("property"))
            .map(|p| self.text(p));
        method.is_some_and(|m| ITERATING_METHODS.contains(&m))
    }

    /// The request handler `node` runs in: a Flask/FastAPI route function, a Django view
    /// (a function taking `request`, or a method of a view class), an
    /// Express/Fastify/Koa/Hono route callback, or a NestJS `@Get()`-style method.
    pub fn request_handler(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut function = self.enclosing_function(node);
        // Bounded: each step must leave the previous function.
        for _ in 0..256 {
            let candidate = function?;
            if self.is_request_handler(candidate) {
                return Some(candidate);
            }
            function = self
                .enclosing_function(candidate)
                .filter(|outer| outer.byte_range() != candidate.byte_range());
        }
        None
    }

    pub fn is_request_handler(&self, function: Node<'t>) -> bool {
        match function.kind() {
            "function_definition" => self.is_python_handler(function),
            "method_definition" => self.has_nest_route_decorator(function),
            _ => self.is_route_callback(function),
        }
    }

    fn is_python_handler(&self, function: Node<'t>) -> bool {
        // Decorators: `@app.get("/")`, `@router.post(...)`, `@bp.route(...)`, `@api_view`.
        if let Some(decorated) = function
            .parent()
            .filter(|p| p.kind() == "decorated_definition")
        {
            let mut cursor = decorated.walk();
            let routed = decorated.named_children(&mut cursor).any(|decorator| {
                if decorator.kind() != "decorator" {
                    return false;
                }
                let text = self.text(decorator);
                let name = text
                    .trim_start_matches('@')
                    .split('(')
                    .next()
                    .unwrap_or("")
                    .rsplit('.')
                    .next()
                    .unwrap_or("");
                ROUTE_METHODS.contains(&name) || matches!(name, "api_view" | "action")
            });
            if routed {
                return true;
            }
        }
        let first_parameter = function
            .child_by_field_name("parameters")
            .and_then(|p| p.named_child(0))
            .map(|p| self.text(p));
        let name = function
            .child_by_field_name("name")
            .map(|n| self.text(n))
            .unwrap_or("");
        match first_parameter {
            // Django function views take the request first.
            Some(parameter) if is_http_request_parameter(parameter) => true,
            // Methods of class-based views: `def get(self, request, ...)`.
            Some("self") => {
                let second = function
                    .child_by_field_name("parameters")
                    .and_then(|p| p.named_child(1))
                    .map(|p| self.text(p));
                VIEW_METHODS.contains(&name) && second.is_some_and(is_http_request_parameter)
            }
            _ => false,
        }
    }

    /// `app.get("/x", (req, res) => ...)`, `router.post(path, auth, async (req, res) => ...)`.
    fn is_route_callback(&self, function: Node<'t>) -> bool {
        self.route_registration(function)
            .is_some_and(|method| ROUTE_METHODS.contains(&method) || method == "use")
    }

    /// When `node` is an argument, after the path, of a route registration
    /// (`router.get("/x", auth, list)`): the registering method (`get`).
    pub fn route_registration(&self, node: Node<'t>) -> Option<&'t str> {
        let arguments = node.parent().filter(|p| p.kind() == "arguments")?;
        let call = arguments
            .parent()
            .filter(|c| c.kind() == "call_expression")?;
        let method = call
            .child_by_field_name("function")
            .filter(|f| f.kind() == "member_expression")
            .and_then(|f| f.child_by_field_name("property"))
            .map(|p| self.text(p))?;
        // The first argument is the path (a string) for route registrations.
        let first_is_path = arguments.named_child(0).is_some_and(|first| {
            first.id() != node.id()
                && matches!(first.kind(), "string" | "template_string")
                && self
                    .text(first)
                    .trim_matches(['"', '\'', '`'])
                    .starts_with('/')
        });
        first_is_path.then_some(method)
    }

    fn has_nest_route_decorator(&self, method: Node<'t>) -> bool {
        let mut sibling = method.prev_named_sibling();
        while let Some(node) = sibling.filter(|n| n.kind() == "decorator") {
            let name = self
                .text(node)
                .trim_start_matches('@')
                .split('(')
                .next()
                .unwrap_or("");
            if NEST_ROUTE_DECORATORS.contains(&name) {
                return true;
            }
            sibling = node.prev_named_sibling();
        }
        let mut cursor = method.walk();
        let inline = method.children(&mut cursor).any(|child| {
            child.kind() == "decorator"
                && NEST_ROUTE_DECORATORS.contains(
                    &self
                        .text(child)
                        .trim_start_matches('@')
                        .split('(')
                        .next()
                        .unwrap_or(""),
                )
        });
        inline
    }

    /// The links of a method chain, outermost call first: for
    /// `session.query(User).filter(x).all()` → `all`, `filter`, `query`, and the root
    /// expression (`session`).
    pub fn call_chain(&self, expr: Node<'t>) -> (Vec<ChainLink<'t>>, Node<'t>) {
        let mut links = Vec::new();
        let mut current = self.unwrap_expression(expr);
        loop {
            if !matches!(current.kind(), "call" | "call_expression") {
                break;
            }
            let Some(function) = current.child_by_field_name("function") else {
                break;
            };
            if !matches!(function.kind(), "attribute" | "member_expression") {
                break;
            }
            let (Some(object), Some(name)) = (
                function.child_by_field_name("object"),
                function
                    .child_by_field_name("attribute")
                    .or_else(|| function.child_by_field_name("property")),
            ) else {
                break;
            };
            links.push(ChainLink {
                name: self.text(name),
                call: current,
            });
            current = self.unwrap_expression(object);
        }
        (links, current)
    }
}

/// One `.name(...)` call in a method chain.
#[derive(Debug, Clone, Copy)]
pub struct ChainLink<'t> {
    pub name: &'t str,
    pub call: Node<'t>,
}

/// `request`, `request: HttpRequest`, `request: Request`: a parameter holding the HTTP
/// request. One annotated with another type (`request: DBRequest`) holds something else.
fn is_http_request_parameter(parameter: &str) -> bool {
    if parameter == "request" {
        return true;
    }
    let Some(annotation) = parameter.strip_prefix("request:") else {
        return false;
    };
    annotation
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|token| {
            matches!(
                token,
                "HttpRequest" | "Request" | "WSGIRequest" | "ASGIRequest"
            )
        })
}
