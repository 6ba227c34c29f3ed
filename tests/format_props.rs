//! Property tests of the formatter on random scenarios covering the whole grammar: idempotent,
//! meaning-preserving, every comment kept; and no input (random bytes, mutations) panics a stage.

mod support;

use dfaas_run::check::{check_path, CheckOptions};
use dfaas_run::parser::format::format_source;
use dfaas_run::parser::parse_file;
use dfaas_run::parser::span::FileId;
use proptest::prelude::*;
use proptest::test_runner::Config;
use support::scenario_gen::{scenario, Generated};

/// 256 cases by default (a few seconds); raise with `PROPTEST_CASES=10000`.
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    Config { cases, ..Config::default() }
}

fn formatted(text: &str) -> Result<String, TestCaseError> {
    format_source(text).map_err(|e| TestCaseError::fail(format!("the formatter refused:\n{text}\n{e:#?}")))
}

proptest! {
    #![proptest_config(config())]

    /// Every generated scenario is valid syntax: a failure here is a grammar or generator bug.
    #[test]
    fn generated_scenarios_parse(generated in scenario()) {
        let parsed = parse_file(&generated.text, FileId(0));
        prop_assert!(parsed.is_ok(), "does not parse:\n{}\n{:#?}", generated.text, parsed.err());
    }

    #[test]
    fn formatting_is_idempotent(generated in scenario()) {
        let once = formatted(&generated.text)?;
        let twice = formatted(&once)?;
        prop_assert_eq!(&twice, &once, "input:\n{}", generated.text);
    }

    #[test]
    fn formatting_keeps_the_meaning(generated in scenario()) {
        let once = formatted(&generated.text)?;
        let before = parse_file(&generated.text, FileId(0)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let after = parse_file(&once, FileId(0)).map_err(|e| TestCaseError::fail(format!("{once}\n{e:?}")))?;
        prop_assert_eq!(after, before, "input:\n{}\noutput:\n{}", generated.text, once);
    }

    #[test]
    fn formatting_keeps_every_comment_once(generated in scenario()) {
        let once = formatted(&generated.text)?;
        keeps_comments(&generated, &once)?;
        lines_are_clean(&generated, &once)?;
    }

    /// Random bytes: parsing, formatting and checking never panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_file(&text, FileId(0));
        if let Ok(once) = format_source(&text) {
            prop_assert_eq!(formatted(&once)?, once);
        }
        check_file(&bytes)?;
    }

    /// Valid scenarios with a few random edits (deletions, insertions, duplications): no panics,
    /// and whatever still parses formats idempotently.
    #[test]
    fn mutated_scenarios_never_panic(
        generated in scenario(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..4usize, "[{}\";#$\n -]{0,3}"), 1..4),
    ) {
        let mut text: Vec<char> = generated.text.chars().collect();
        for (at, kind, insert) in edits {
            let at = if text.is_empty() { 0 } else { at.index(text.len()) };
            match kind {
                0 => { text.drain(at..(at + 3).min(text.len())); }
                1 => { text.splice(at..at, insert.chars()); }
                2 => { let copy: Vec<char> = text[at..(at + 8).min(text.len())].to_vec(); text.splice(at..at, copy); }
                _ => { text.truncate(at); }
            }
        }
        let text: String = text.into_iter().collect();
        let _ = parse_file(&text, FileId(0));
        if let Ok(once) = format_source(&text) {
            prop_assert_eq!(formatted(&once)?, once);
        }
        check_file(text.as_bytes())?;
    }
}

/// Each `#C<n>:` comment of the input appears exactly once in the output, with its text.
fn keeps_comments(generated: &Generated, output: &str) -> Result<(), TestCaseError> {
    for marker in &generated.comments {
        let prefix = &marker[..marker.find(':').map_or(marker.len(), |i| i + 1)];
        let found: Vec<&str> = output.lines().filter_map(|line| line.find(prefix).map(|i| &line[i..])).collect();
        prop_assert_eq!(
            found,
            vec![marker.trim_end()],
            "comment {} lost or duplicated\ninput:\n{}\noutput:\n{}",
            prefix,
            generated.text,
            output
        );
    }
    Ok(())
}

/// Outside multi-line strings: two-space indentation, no tabs before text, no trailing spaces.
fn lines_are_clean(generated: &Generated, output: &str) -> Result<(), TestCaseError> {
    if output.contains("\"\"\"") {
        return Ok(());
    }
    prop_assert!(output.is_empty() || output.ends_with('\n') && !output.ends_with("\n\n"), "one final newline");
    for line in output.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        prop_assert!(line.trim_end() == line, "trailing space in {:?}\ninput:\n{}", line, generated.text);
        prop_assert!(indent % 2 == 0 && !line[indent..].starts_with('\t'), "bad indentation in {:?}", line);
    }
    prop_assert!(!output.contains("\n\n\n"), "at most one blank line in a row:\n{}", output);
    Ok(())
}

/// Runs the checker on `bytes` written to a scenario file in a fresh temporary folder.
fn check_file(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("fuzz.dfs");
    std::fs::write(&path, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let _ = check_path(&path, &CheckOptions::with_env(&[]));
    Ok(())
}
