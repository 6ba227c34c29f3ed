//! Fuzz target: arbitrary UTF-8 through the parser; whatever parses is formatted, and the result
//! must parse to the same AST and be a fixed point of the formatter. Panics are findings.

#![no_main]

use dfaas_run::parser::format::format_source;
use dfaas_run::parser::parse_file;
use dfaas_run::parser::span::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(before) = parse_file(text, FileId(0)) else { return };
    let once = match format_source(text) {
        Ok(once) => once,
        Err(errors) => panic!("parsed but the formatter refused it: {errors:?}"),
    };
    let after = match parse_file(&once, FileId(0)) {
        Ok(after) => after,
        Err(errors) => panic!("the formatted text does not parse: {errors:?}\n{once}"),
    };
    assert_eq!(after, before, "formatting changed the meaning:\n{once}");
    let twice = match format_source(&once) {
        Ok(twice) => twice,
        Err(errors) => panic!("the formatted text does not format: {errors:?}"),
    };
    assert_eq!(twice, once, "formatting is not idempotent");
});
