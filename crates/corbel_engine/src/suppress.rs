//! Inline suppressions: `corbel: ignore[rule-id] -- reason` comments.
//!
//! Comments are found through the syntax tree, so the marker inside a string literal is
//! never a suppression. A trailing comment covers the lines it sits on; a comment alone on
//! its line covers the whole statement that starts on the next code line;
//! `corbel: ignore-file[...]` in the file's leading comments covers the file.
//!
//! Notices: `blanket-suppression` for a directive without rule ids, `unused-suppression`
//! for ids that matched nothing (enabled ids only), unknown ids and a misplaced
//! `ignore-file`. The two notices can only be silenced file-wide with
//! `corbel: ignore-file[unused-suppression]` (resp. `blanket-suppression`): a line
//! comment silencing a notice about itself would be circular. Such file-level ids are
//! never reported as unused, as they are a deliberate per-file setting. `parse-error`
//! is an ordinary finding here and can be suppressed like any rule.

use crate::diagnostic::{Span, Suppression};
use crate::language::{Family, Grammar};
use crate::line_index::LineIndex;
use crate::prefilter::SUPPRESSION_MARKER;
use crate::rule::RawDiagnostic;
use crate::settings::{Settings, BLANKET_SUPPRESSION, UNUSED_SUPPRESSION};
use std::collections::BTreeSet;
use tree_sitter::{Node, Tree, TreeCursor};

pub struct SuppressionOutcome {
    /// Every finding, with the suppression that matched it, if any.
    pub diagnostics: Vec<(RawDiagnostic, Option<Suppression>)>,
    /// `blanket-suppression` and `unused-suppression` notices.
    pub notices: Vec<RawDiagnostic>,
}

pub fn apply_suppressions(
    source: &str,
    tree: &Tree,
    grammar: Grammar,
    raw: Vec<RawDiagnostic>,
    settings: &Settings,
) -> SuppressionOutcome {
    // The common case: no marker anywhere, nothing to find or report.
    if !source.contains(SUPPRESSION_MARKER) {
        return SuppressionOutcome {
            diagnostics: raw.into_iter().map(|d| (d, None)).collect(),
            notices: Vec::new(),
        };
    }
    let index = LineIndex::new(source);
    let mut directives = collect_directives(source, tree, grammar, &index);

    let mut diagnostics = Vec::with_capacity(raw.len());
    for finding in raw {
        let lines = line_range(&index, finding.span);
        let best = directives
            .iter()
            .enumerate()
            .filter_map(|(at, d)| {
                let id = d.matching_id(finding.rule)?;
                d.cover
                    .includes(lines)
                    .then_some((d.cover.specificity(), at, id))
            })
            .min();
        let suppression = best.and_then(|(_, at, id)| {
            let directive = directives.get_mut(at)?;
            if let Some(id) = directive.ids_mut().and_then(|ids| ids.get_mut(id)) {
                id.used = true;
            }
            Some(directive.suppression())
        });
        diagnostics.push((finding, suppression));
    }

    let mut notices = Vec::new();
    for directive in &directives {
        directive.notices(settings, &mut notices);
    }
    // File-level opt-outs of the notices themselves (see the module docs).
    let mut kept = Vec::with_capacity(notices.len());
    for notice in notices {
        let file_wide = directives
            .iter()
            .find(|d| d.cover == Cover::File && d.matching_id(notice.rule).is_some());
        match file_wide {
            Some(directive) => diagnostics.push((notice, Some(directive.suppression()))),
            None => kept.push(notice),
        }
    }
    SuppressionOutcome {
        diagnostics,
        notices: kept,
    }
}

/// One `corbel: ignore…` comment.
#[derive(Debug)]
struct Directive {
    /// The comment node.
    comment: Span,
    file_level: bool,
    ids: Ids,
    reason: Option<String>,
    cover: Cover,
}

#[derive(Debug)]
enum Ids {
    Listed(Vec<Id>),
    /// No `[...]`, or nothing inside it.
    Blanket,
    /// `[` without its `]`.
    Unclosed,
}

#[derive(Debug)]
struct Id {
    name: String,
    /// Where the id is written, for notices about it.
    span: Span,
    used: bool,
}

/// Which findings a directive applies to; lines are 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cover {
    File,
    /// Trailing comment: findings whose line range meets these lines.
    Overlapping(usize, usize),
    /// Own-line comment: findings that start on one of these lines.
    Starting(usize, usize),
    /// An own-line comment with no code after it, or a misplaced `ignore-file`.
    Nothing,
}

impl Cover {
    fn includes(self, (start, end): (usize, usize)) -> bool {
        match self {
            Cover::File => true,
            Cover::Overlapping(first, last) => start <= last && end >= first,
            Cover::Starting(first, last) => (first..=last).contains(&start),
            Cover::Nothing => false,
        }
    }

    /// Lower is more specific: when several directives match a finding, the narrowest
    /// one gets the credit, so a redundant wider one is reported as unused.
    fn specificity(self) -> (usize, usize) {
        match self {
            Cover::Overlapping(first, last) => (last - first, 0),
            Cover::Starting(first, last) => (last - first, 1),
            Cover::File | Cover::Nothing => (usize::MAX, 2),
        }
    }
}

impl Directive {
    fn ids_mut(&mut self) -> Option<&mut Vec<Id>> {
        match &mut self.ids {
            Ids::Listed(ids) => Some(ids),
            Ids::Blanket | Ids::Unclosed => None,
        }
    }

    /// The position of `rule` in this directive's ids, when the directive may suppress it.
    fn matching_id(&self, rule: &str) -> Option<usize> {
        let Ids::Listed(ids) = &self.ids else {
            return None;
        };
        let line_level_notice = !self.file_level && is_notice_id(rule);
        if line_level_notice {
            return None;
        }
        ids.iter().position(|id| id.name == rule)
    }

    fn suppression(&self) -> Suppression {
        Suppression {
            reason: self.reason.clone(),
            file_level: self.file_level,
        }
    }

    fn keyword(&self) -> &'static str {
        if self.file_level {
            "corbel: ignore-file"
        } else {
            "corbel: ignore"
        }
    }

    fn notices(&self, settings: &Settings, out: &mut Vec<RawDiagnostic>) {
        let ids = match &self.ids {
            Ids::Listed(ids) => ids,
            Ids::Blanket => {
                if settings.is_enabled(BLANKET_SUPPRESSION) {
                    out.push(notice(
                        BLANKET_SUPPRESSION,
                        self.comment,
                        format!("`{}` without rule ids suppresses nothing", self.keyword()),
                        format!("name the rules: `{}[rule-id] -- reason`", self.keyword()),
                    ));
                }
                return;
            }
            Ids::Unclosed => {
                if settings.is_enabled(BLANKET_SUPPRESSION) {
                    out.push(notice(
                        BLANKET_SUPPRESSION,
                        self.comment,
                        format!(
                            "`{}[` has no closing `]` and suppresses nothing",
                            self.keyword()
                        ),
                        format!("close the list: `{}[rule-id] -- reason`", self.keyword()),
                    ));
                }
                return;
            }
        };
        if !settings.is_enabled(UNUSED_SUPPRESSION) {
            return;
        }
        if self.file_level && self.cover == Cover::Nothing {
            out.push(notice(
                UNUSED_SUPPRESSION,
                self.comment,
                "`corbel: ignore-file` must be in the file's leading comments, before the first statement; this one suppresses nothing".to_string(),
                "move it to the top of the file, or use `corbel: ignore[rule-id]` on the line".to_string(),
            ));
            return;
        }
        let mut unused = Vec::new();
        for id in ids {
            if !settings.known_ids.contains(id.name.as_str()) {
                let help = match closest_known(&id.name, &settings.known_ids) {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => "`corbel rules` lists the rule ids".to_string(),
                };
                out.push(notice(
                    UNUSED_SUPPRESSION,
                    id.span,
                    format!("unknown rule id `{}`", id.name),
                    help,
                ));
            } else if is_notice_id(&id.name) {
                if !self.file_level {
                    out.push(notice(
                        UNUSED_SUPPRESSION,
                        id.span,
                        format!("`{}` can only be suppressed file-wide", id.name),
                        format!(
                            "use `corbel: ignore-file[{}]` in the file's leading comments",
                            id.name
                        ),
                    ));
                }
            } else if !id.used && settings.is_enabled(&id.name) {
                unused.push(format!("`{}`", id.name));
            }
        }
        if unused.is_empty() {
            return;
        }
        let list = unused.join(", ");
        let (message, help) = if self.file_level {
            (
                format!("file-level suppression of {list} matched no finding in this file"),
                format!("remove {list} from the comment"),
            )
        } else {
            (
                format!("suppression of {list} matched no finding here"),
                format!("remove {list} from the comment"),
            )
        };
        let help = if unused.len() == ids.len() {
            "remove the comment".to_string()
        } else {
            help
        };
        out.push(notice(UNUSED_SUPPRESSION, self.comment, message, help));
    }
}

/// Notices produced here, which only `ignore-file` can silence.
fn is_notice_id(id: &str) -> bool {
    id == UNUSED_SUPPRESSION || id == BLANKET_SUPPRESSION
}

fn notice(rule: &'static str, span: Span, message: String, help: String) -> RawDiagnostic {
    RawDiagnostic {
        rule,
        span,
        message,
        help: Some(help),
        fact: None,
    }
}

/// The first and last 0-based line of a half-open span.
fn line_range(index: &LineIndex<'_>, span: Span) -> (usize, usize) {
    let first = index.line_of(span.start);
    let last = index.line_of(span.end.saturating_sub(1).max(span.start));
    (first, last.max(first))
}

fn is_comment(node: Node<'_>) -> bool {
    node.kind() == "comment"
}

fn collect_directives(
    source: &str,
    tree: &Tree,
    grammar: Grammar,
    index: &LineIndex<'_>,
) -> Vec<Directive> {
    let root = tree.root_node();
    let leading_end = leading_comments_end(root, grammar.family());
    let mut seen = BTreeSet::new();
    let mut directives = Vec::new();
    // Look up the node under each marker instead of walking every node of the file.
    for (at, _) in source.match_indices(SUPPRESSION_MARKER) {
        let Some(node) = root.descendant_for_byte_range(at, at + SUPPRESSION_MARKER.len()) else {
            continue;
        };
        if !is_comment(node) || !seen.insert(node.start_byte()) {
            continue;
        }
        let Some(text) = source.get(node.byte_range()) else {
            continue;
        };
        let Some(parsed) = parse_comment(text, node.start_byte()) else {
            continue;
        };
        let cover = if parsed.file_level {
            if node.start_byte() < leading_end {
                Cover::File
            } else {
                Cover::Nothing
            }
        } else {
            line_cover(source, root, node, index)
        };
        directives.push(Directive {
            comment: Span::of(&node),
            file_level: parsed.file_level,
            ids: parsed.ids,
            reason: parsed.reason,
            cover,
        });
    }
    directives
}

/// Where the file's leading comments end: the start of the first statement that is not
/// a shebang, the Python module docstring or a JS directive ("use strict").
fn leading_comments_end(root: Node<'_>, family: Family) -> usize {
    let mut cursor = root.walk();
    let mut prologue_allowed = true;
    for child in root.children(&mut cursor) {
        if is_comment(child) || child.kind() == "hash_bang_line" {
            continue;
        }
        let skippable = prologue_allowed && is_string_statement(child);
        if !skippable {
            return child.start_byte();
        }
        // Python has one docstring; JS may have several directives.
        prologue_allowed = family == Family::JavaScript;
    }
    usize::MAX
}

/// An expression statement that is just a string literal.
fn is_string_statement(node: Node<'_>) -> bool {
    if node.kind() != "expression_statement" || node.named_child_count() != 1 {
        return false;
    }
    node.named_child(0)
        .is_some_and(|n| matches!(n.kind(), "string" | "concatenated_string"))
}

/// The lines a line-level directive in `comment` covers.
fn line_cover(source: &str, root: Node<'_>, comment: Node<'_>, index: &LineIndex<'_>) -> Cover {
    // In JSX a comment can only stand alone as `{/* … */}`: treat the braces as part of it.
    let anchor = match comment.parent() {
        Some(parent) if parent.kind() == "jsx_expression" && parent.named_child_count() == 1 => {
            parent
        }
        _ => comment,
    };
    let (first, last) = line_range(index, Span::of(&anchor));
    let line_start = index.line_start(first);
    let before_blank = source
        .get(line_start..anchor.start_byte())
        .is_some_and(|text| text.trim().is_empty());
    let next = first_token_after(root, anchor.end_byte());
    let code_after_on_line = next
        .as_ref()
        .is_some_and(|cursor| index.line_of(cursor.node().start_byte()) <= last);
    if !before_blank || code_after_on_line {
        return Cover::Overlapping(first, last);
    }
    match next {
        Some(cursor) => {
            let statement = statement_starting_at(root, cursor);
            let (start, end) = line_range(index, Span::of(&statement));
            Cover::Starting(start, end)
        }
        None => Cover::Nothing,
    }
}

/// A cursor on the first non-comment token that starts at or after `pos`. Iterative, and
/// only enters subtrees that extend past `pos`.
fn first_token_after<'t>(root: Node<'t>, pos: usize) -> Option<TreeCursor<'t>> {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.end_byte() > pos && !is_comment(node) {
            if node.child_count() == 0 {
                if node.start_byte() >= pos && node.start_byte() < node.end_byte() {
                    return Some(cursor);
                }
            } else if cursor.goto_first_child_for_byte(pos).is_some() {
                continue;
            }
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// The outermost node that starts with the token under `cursor`: the statement (or
/// decorated definition, clause, object member…) that begins there. Stops below the
/// root, below a Python `block` (which starts at its first statement but holds all of
/// them) and below error nodes, which can span far beyond the statement.
fn statement_starting_at<'t>(root: Node<'t>, mut cursor: TreeCursor<'t>) -> Node<'t> {
    let token = cursor.node();
    let mut statement = token;
    while cursor.goto_parent() {
        let parent = cursor.node();
        if parent.start_byte() != token.start_byte()
            || parent.id() == root.id()
            || parent.is_error()
            || parent.kind() == "block"
        {
            break;
        }
        statement = parent;
    }
    statement
}

/// A directive as written in one comment.
struct Parsed {
    file_level: bool,
    ids: Ids,
    reason: Option<String>,
}

/// Reads `corbel: ignore[...] -- reason` or `corbel: ignore-file[...]` from the full
/// text of a comment starting at byte `base`. The marker must open the comment (after
/// `#`, `//`, `/*` or a JSDoc `*`) or follow another pragma's `#`/`//`, so prose that
/// mentions corbel is not a directive.
fn parse_comment(text: &str, base: usize) -> Option<Parsed> {
    let text = text.trim_end_matches(['\r', '\n']);
    let text = match text.strip_suffix("*/") {
        Some(inner) if text.starts_with("/*") => inner,
        _ => text,
    };
    for (at, _) in text.match_indices(SUPPRESSION_MARKER) {
        let before = text.get(..at).unwrap_or("").trim_end();
        let opens = before.is_empty()
            || before.ends_with('#')
            || before.ends_with("//")
            || before.ends_with('*');
        if !opens {
            continue;
        }
        let after_marker = at + SUPPRESSION_MARKER.len();
        let rest = text.get(after_marker..).unwrap_or("");
        let keyword_at = after_marker + (rest.len() - rest.trim_start().len());
        let rest = rest.trim_start();
        let (file_level, keyword) = if rest.starts_with("ignore-file") {
            (true, "ignore-file")
        } else if rest.starts_with("ignore") {
            (false, "ignore")
        } else {
            continue;
        };
        let after = rest.get(keyword.len()..).unwrap_or("");
        if after
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        let list_at = keyword_at + keyword.len() + (after.len() - after.trim_start().len());
        return Some(parse_list(text, list_at, base, file_level));
    }
    None
}

/// Parses `[a, b] -- reason` starting at `list_at` in `text`.
fn parse_list(text: &str, list_at: usize, base: usize, file_level: bool) -> Parsed {
    let blanket = Parsed {
        file_level,
        ids: Ids::Blanket,
        reason: None,
    };
    let Some(rest) = text.get(list_at..) else {
        return blanket;
    };
    let Some(inside) = rest.strip_prefix('[') else {
        return blanket;
    };
    let Some(close) = inside.find(']') else {
        return Parsed {
            file_level,
            ids: Ids::Unclosed,
            reason: None,
        };
    };
    let mut ids: Vec<Id> = Vec::new();
    let mut offset = list_at + 1;
    for piece in inside.get(..close).unwrap_or("").split(',') {
        let name = piece.trim();
        let lead = piece.len() - piece.trim_start().len();
        let start = base + offset + lead;
        offset += piece.len() + 1;
        if name.is_empty() || ids.iter().any(|id| id.name == name) {
            continue;
        }
        ids.push(Id {
            name: name.to_string(),
            span: Span::new(start, start + name.len()),
            used: false,
        });
    }
    if ids.is_empty() {
        return blanket;
    }
    let tail = inside.get(close + 1..).unwrap_or("").trim_start();
    let reason = tail
        .strip_prefix("--")
        .map(clean_reason)
        .filter(|reason| !reason.is_empty());
    Parsed {
        file_level,
        ids: Ids::Listed(ids),
        reason,
    }
}

/// The reason on one line with single spaces, without the `*` that starts the
/// continuation lines of a doc-style block comment.
fn clean_reason(text: &str) -> String {
    let words = text.lines().enumerate().flat_map(|(at, line)| {
        let line = line.trim_start();
        let line = if at > 0 {
            line.strip_prefix('*').unwrap_or(line)
        } else {
            line
        };
        line.split_whitespace()
    });
    words.collect::<Vec<_>>().join(" ")
}

/// The known id an unknown one was probably meant to be: same letters ignoring case and
/// separators (`missing_timeout`, `MissingTimeout`), else a small edit distance.
fn closest_known(id: &str, known: &BTreeSet<&'static str>) -> Option<&'static str> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = squash(id);
    if let Some(&same) = known.iter().find(|k| squash(k) == wanted) {
        return Some(same);
    }
    let limit = 2.max(id.chars().count() / 3);
    known
        .iter()
        .map(|&k| (strsim::levenshtein(id, k), k))
        .filter(|&(distance, _)| distance <= limit)
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests;
