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

/// The `function` / `lambda` keyword tokens share their kind with function nodes; they
/// must not open scopes, or climbing from a function to its enclosing one cycles.
#[test]
fn keyword_tokens_are_not_functions() {
    let js = "function handler(a) {\n  return db.run(a);\n}\n";
    let tree = parse(Grammar::TypeScript, js);
    let semantic = Semantic::build(&tree, js, Grammar::TypeScript);
    let run = call(&semantic, "db.run");
    let function = semantic.enclosing_function(run).unwrap();
    assert_eq!(function.kind(), "function_declaration");
    assert!(semantic.enclosing_function(function).is_none());
    assert!(semantic.request_handler(run).is_none());

    let py = "f = lambda x: db.run(x)\n";
    let tree = parse(Grammar::Python, py);
    let semantic = Semantic::build(&tree, py, Grammar::Python);
    let run = call(&semantic, "db.run");
    let function = semantic.enclosing_function(run).unwrap();
    assert!(function.is_named());
    assert!(semantic.enclosing_function(function).is_none());
}

#[test]
fn functions_of_the_projects_own_modules_are_told_from_libraries() {
    let source = "import os\nimport shop.db.ddl as ddl_mod\nfrom . import ddl\nfrom .ddl import quote\n\
                  from shop.db.sql import clause, Clause\nfrom requests import get\nfrom .schemas import list_schema\n\
                  quote(a)\nclause(b)\nddl.default(c)\nddl_mod.default(d)\nget(e)\nos.path.join(f)\nClause(g)\n\
                  list_schema.load(h)\n";
    let tree = parse(Grammar::Python, source);
    let mut semantic = Semantic::build(&tree, source, Grammar::Python);
    semantic.set_path("shop/api/tables.py");
    let project = |callee: &str| semantic.calls_project_function(call(&semantic, callee));
    for callee in ["quote", "clause", "ddl.default", "ddl_mod.default"] {
        assert!(project(callee), "{callee}");
    }
    for callee in ["get", "os.path.join", "Clause", "list_schema.load"] {
        assert!(!project(callee), "{callee}");
    }

    let source = "import { columnDefault } from './ddl';\nimport * as sql from '../lib/sql';\n\
                  import { trimEnd } from 'lodash';\nimport { schema } from '@/schemas';\n\
                  columnDefault(a);\nsql.where(b);\ntrimEnd(c);\nschema.parse(d);\n";
    let tree = parse(Grammar::TypeScript, source);
    let semantic = Semantic::build(&tree, source, Grammar::TypeScript);
    let project = |callee: &str| semantic.calls_project_function(call(&semantic, callee));
    assert!(project("columnDefault") && project("sql.where"));
    assert!(!project("trimEnd") && !project("schema.parse"));
}
