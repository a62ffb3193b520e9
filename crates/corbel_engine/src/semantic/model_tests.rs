//! The model on real snippets: names resolve, strings show their runtime parts,
//! contexts are recognised.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::language::Grammar;
use tree_sitter::Parser;

fn parse(grammar: Grammar, source: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&grammar.ts_language()).unwrap();
    parser.parse(source, None).unwrap()
}

/// The first call whose callee text is `callee`.
fn call<'t>(semantic: &Semantic<'t>, callee: &str) -> Node<'t> {
    let mut found = None;
    walk_preorder(semantic.root(), |node| {
        if found.is_none()
            && matches!(node.kind(), "call" | "call_expression")
            && node
                .child_by_field_name("function")
                .is_some_and(|f| semantic.text(f) == callee)
        {
            found = Some(node);
        }
    });
    found.unwrap()
}

fn first_argument<'t>(call: Node<'t>) -> Node<'t> {
    call.child_by_field_name("arguments")
        .unwrap()
        .named_child(0)
        .unwrap()
}

fn dynamic_parts(grammar: Grammar, source: &str, callee: &str) -> Option<Vec<String>> {
    let tree = parse(grammar, source);
    let semantic = Semantic::build(&tree, source, grammar);
    let argument = first_argument(call(&semantic, callee));
    semantic.string_build(argument).map(|b| {
        b.dynamic
            .iter()
            .map(|n| semantic.text(*n).to_string())
            .collect()
    })
}

#[test]
fn python_strings_built_from_runtime_values() {
    let source = r#"
TABLE = "users"

def find(cur, name, order):
    q = "SELECT * FROM " + TABLE + " WHERE name = '" + name + "'"
    q += " ORDER BY " + order
    cur.execute(q)
"#;
    assert_eq!(
        dynamic_parts(Grammar::Python, source, "cur.execute").unwrap(),
        ["name", "order"]
    );

    let constant =
        "TABLE = 'users'\ndef f(cur):\n    cur.execute(f\"SELECT * FROM {TABLE} LIMIT 10\")\n";
    assert!(dynamic_parts(Grammar::Python, constant, "cur.execute")
        .unwrap()
        .is_empty());

    let formatted = "def f(cur, uid):\n    cur.execute(\"SELECT * FROM t WHERE id = %s\" % uid)\n    cur.execute('x {}'.format(uid))\n";
    assert_eq!(
        dynamic_parts(Grammar::Python, formatted, "cur.execute").unwrap(),
        ["uid"]
    );

    let parameter = "def f(cur, query):\n    cur.execute(query)\n";
    assert!(dynamic_parts(Grammar::Python, parameter, "cur.execute").is_none());
}

#[test]
fn javascript_strings_built_from_runtime_values() {
    let source = "const T = 'users';\nasync function f(db, id, sort) {\n  let sql = `SELECT * FROM ${T} WHERE id = ${id}`;\n  sql += ' ORDER BY ' + sort;\n  return db.query(sql);\n}\n";
    assert_eq!(
        dynamic_parts(Grammar::TypeScript, source, "db.query").unwrap(),
        ["id", "sort"]
    );
    let concat = "function f(db, id) { return db.query('SELECT 1 '.concat(id)); }";
    assert_eq!(
        dynamic_parts(Grammar::TypeScript, concat, "db.query").unwrap(),
        ["id"]
    );
}

#[test]
fn contexts_are_recognised() {
    let source = r#"
from flask import Flask
app = Flask(__name__)

@app.get("/users")
def list_users():
    for u in range(3):
        db.fetch(u)
    return db.all()

async def job():
    await db.run()
"#;
    let tree = parse(Grammar::Python, source);
    let semantic = Semantic::build(&tree, source, Grammar::Python);
    let fetch = call(&semantic, "db.fetch");
    let all = call(&semantic, "db.all");
    let run = call(&semantic, "db.run");
    assert!(semantic.in_loop(fetch));
    assert!(!semantic.in_loop(all));
    assert!(semantic.request_handler(all).is_some());
    assert!(semantic.request_handler(run).is_none());
    let job = semantic.enclosing_function(run).unwrap();
    assert!(semantic.is_async(job));
    assert!(!semantic.is_async(semantic.enclosing_function(all).unwrap()));
    assert!(semantic.is_module_level(call(&semantic, "Flask")));

    let js = "app.get('/users', async (req, res) => { const ids = req.query.ids; ids.forEach((id) => db.find(id)); res.json(await db.all()); });";
    let tree = parse(Grammar::Tsx, js);
    let semantic = Semantic::build(&tree, js, Grammar::Tsx);
    let find = call(&semantic, "db.find");
    let all = call(&semantic, "db.all");
    assert!(semantic.in_loop(find));
    assert!(!semantic.in_loop(all));
    assert!(semantic.request_handler(all).is_some());
}

#[test]
fn call_chains_list_links_outermost_first() {
    let source = "users = session.query(User).filter(User.active).all()\n";
    let tree = parse(Grammar::Python, source);
    let semantic = Semantic::build(&tree, source, Grammar::Python);
    let all = call(&semantic, "session.query(User).filter(User.active).all");
    let (links, root) = semantic.call_chain(all);
    let names: Vec<&str> = links.iter().map(|l| l.name).collect();
    assert_eq!(names, ["all", "filter", "query"]);
    assert_eq!(semantic.text(root), "session");
}

/// `function` expressions: the keyword token is not a scope of its own, so climbing
/// enclosing functions ends (it used to ping-pong between the two forever).
#[test]
fn enclosing_functions_of_function_expressions_end() {
    let source = "module.exports = function (db) {\n  return { go: async function () { await db.run(); } };\n};\n";
    let tree = parse(Grammar::Tsx, source);
    let semantic = Semantic::build(&tree, source, Grammar::Tsx);
    let run = call(&semantic, "db.run");
    assert!(semantic.request_handler(run).is_none());
    let inner = semantic.enclosing_function(run).unwrap();
    let outer = semantic.enclosing_function(inner).unwrap();
    assert_eq!(outer.kind(), "function_expression");
    assert!(semantic.enclosing_function(outer).is_none());
}
