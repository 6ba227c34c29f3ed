//! Regression tests for grammar bugs found while building the formatter and its property tests.
//! Each test names the construct that used to parse wrongly and checks the AST it must give.

use dfaas_run::parser::ast::{Item, Literal, StrPart};
use dfaas_run::parser::parse_file;
use dfaas_run::parser::span::FileId;

/// `"""` used to match the empty string `""` first (ordered choice), so raw strings never parsed.
#[test]
fn raw_strings_parse_as_one_literal() {
    let text = "let body = \"\"\"line one\n  \"quoted\" ${NAME:-x}\"\"\"\n";
    let file = match parse_file(text, FileId(0)) {
        Ok(file) => file,
        Err(errors) => panic!("a raw string must parse: {errors:?}"),
    };
    let [item] = file.items.as_slice() else { panic!("one item expected, got {:?}", file.items) };
    let Item::Let(decl) = &item.node else { panic!("a let, got {item:?}") };
    let Literal::Str(s) = &decl.value.node else { panic!("a string, got {:?}", decl.value) };
    assert_eq!(s.raw, "\"\"\"line one\n  \"quoted\" ${NAME:-x}\"\"\"");
    assert_eq!(s.parts.len(), 2);
    assert_eq!(s.parts[0], StrPart::Text("line one\n  \"quoted\" ".to_string()));
}

#[test]
fn raw_strings_parse_in_string_positions() {
    let text = "attack a {\n  request POST \"/f\" {\n    body \"\"\"{\"k\": 1}\"\"\"\n  }\n}\n";
    assert!(parse_file(text, FileId(0)).is_ok(), "a raw string body must parse");
    let empty = "let e = \"\"\n";
    assert!(parse_file(empty, FileId(0)).is_ok(), "the empty string still parses");
}
