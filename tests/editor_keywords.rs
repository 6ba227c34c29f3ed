//! The editor grammars (TextMate and Vim) list exactly the `kw_*` keywords of `grammar/dfs.pest`.
//! A static check for `cargo test`; `editors/test/keywords.test.mjs` checks the same with real engines.

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

/// Every `kw_x = @{ "word" ~ !ident_tail }` of the pest grammar.
fn pest_keywords() -> Vec<String> {
    let pest = read("grammar/dfs.pest");
    let mut words = Vec::new();
    for line in pest.lines().filter(|l| l.trim_start().starts_with("kw_")) {
        let word = line.split('"').nth(1).unwrap_or_else(|| panic!("a kw_ rule without a quoted word: {line}"));
        words.push(word.to_string());
    }
    assert!(words.len() >= 50, "only {} kw_* rules found in grammar/dfs.pest", words.len());
    words
}

/// The words of an alternation `(?:a|b|c)` (TextMate) or `\%(a\|b\|c\)` (Vim).
fn alternation<'a>(pattern: &'a str, open: &str, close: &str, sep: &str) -> Vec<&'a str> {
    let start = pattern.find(open).map(|i| i + open.len()).unwrap_or_else(|| panic!("no {open} in {pattern}"));
    let end = pattern[start..].find(close).map(|i| start + i).unwrap_or_else(|| panic!("no {close} in {pattern}"));
    pattern[start..end].split(sep).collect()
}

fn textmate_keywords() -> Vec<String> {
    let grammar: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/dfs.tmLanguage.json")).expect("the grammar is JSON");
    ["keyword-control", "keyword-other", "constant-language"]
        .iter()
        .flat_map(|rule| {
            let pattern = grammar["repository"][rule]["match"]
                .as_str()
                .unwrap_or_else(|| panic!("repository.{rule}.match is missing"))
                .to_string();
            alternation(&pattern, "(?:", ")", "|").into_iter().map(str::to_string).collect::<Vec<_>>()
        })
        .collect()
}

fn vim_keywords() -> Vec<String> {
    let vim = read("editors/vim/syntax/dfs.vim");
    vim.lines()
        .filter(|l| {
            ["dfsKeywordControl", "dfsKeywordOther", "dfsConstant"]
                .iter()
                .any(|g| l.starts_with(&format!("syn match {g} ")))
        })
        .flat_map(|l| alternation(l, "\\%(", "\\)", "\\|").into_iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn assert_same(editor: &str, listed: &[String], keywords: &[String]) {
    let listed_set: BTreeSet<&String> = listed.iter().collect();
    let keyword_set: BTreeSet<&String> = keywords.iter().collect();
    let missing: Vec<&&String> = keyword_set.difference(&listed_set).collect();
    let extra: Vec<&&String> = listed_set.difference(&keyword_set).collect();
    assert!(missing.is_empty(), "{editor} has no highlighting rule for these pest keywords: {missing:?}");
    assert!(extra.is_empty(), "{editor} highlights words that are not pest keywords: {extra:?}");
    assert_eq!(listed.len(), listed_set.len(), "{editor} lists a keyword twice");
}

#[test]
fn textmate_grammar_lists_every_pest_keyword() {
    assert_same("editors/vscode/syntaxes/dfs.tmLanguage.json", &textmate_keywords(), &pest_keywords());
}

#[test]
fn vim_syntax_lists_every_pest_keyword() {
    assert_same("editors/vim/syntax/dfs.vim", &vim_keywords(), &pest_keywords());
}
