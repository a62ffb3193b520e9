//! The README's rules table is generated from the rule registry and its docs; this test
//! fails when it is stale. `UPDATE_README=1 cargo test -p corbel_tests --test readme`
//! rewrites it.
#![allow(clippy::unwrap_used)]

use corbel_tests::repo_root;

const START: &str = "<!-- rules-table:start -->\n";
const END: &str = "<!-- rules-table:end -->";

fn languages(meta: &corbel_engine::RuleMeta) -> String {
    meta.families
        .iter()
        .map(|family| match family {
            corbel_engine::Family::Python => "Python",
            corbel_engine::Family::JavaScript => "TS/JS",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn table() -> String {
    let mut table = String::from(
        "| rule | category | default severity | languages | finds |\n|---|---|---|---|---|\n",
    );
    for meta in corbel_rules::all_metas() {
        table.push_str(&format!(
            "| [`{id}`](rules/{id}.md){preview} | {category} | {severity} | {languages} | {summary} |\n",
            id = meta.id,
            preview = if corbel_rules::is_preview(meta.id) { " (preview)" } else { "" },
            category = meta.category.as_str(),
            severity = meta.default_severity.as_str(),
            languages = languages(meta),
            summary = meta.summary,
        ));
    }
    table
}

#[test]
fn readme_rules_table_is_current() {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(START)
        .expect("README has the rules-table start marker")
        + START.len();
    let end = readme
        .find(END)
        .expect("README has the rules-table end marker");
    let expected = table();
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!("README.md's rules table is stale; run `UPDATE_README=1 cargo test -p corbel_tests --test readme`\nexpected:\n{expected}");
}

/// The README shows the example workflows inline; they must be the files in
/// examples/workflows (which .ci/run validates against GitHub's workflow schema).
#[test]
fn readme_workflows_are_the_example_files() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(root.join("examples/workflows")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "yml") {
            let workflow = std::fs::read_to_string(&path).unwrap();
            let block = format!("```yaml\n{workflow}```\n");
            assert!(
                readme.contains(&block),
                "README.md does not show {} verbatim in a ```yaml block",
                path.display()
            );
            count += 1;
        }
    }
    assert!(count >= 3, "examples/workflows holds {count} workflows");
}
