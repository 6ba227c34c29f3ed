//! The examples of the documentation stay true: every scenario snippet parses, complete scenarios
//! check, the plan shown in `docs/cli.md` is the golden one, and code blocks only use local URLs.

mod support;

use dfaas_run::parser::span::FileId;
use dfaas_run::parser::{parse_file, TOP_LEVEL_KEYWORDS};
use support::root;

const DOCS: &[&str] = &[
    "README.md",
    "docs/language.md",
    "docs/cli.md",
    "docs/architecture.md",
    "docs/migrating-from-dfaas-operator.md",
    "docs/kubernetes.md",
    "docs/reports.md",
    "docs/performance.md",
    "docs/results-format.md",
    "docs/plots.md",
    "docs/demo-target.md",
    "docs/scenario-repository.md",
];

/// The fenced code blocks of a Markdown file, with their info string (`json`, or empty).
fn code_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_string(), String::new())),
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "an unclosed code block");
    blocks
}

fn read(doc: &str) -> String {
    std::fs::read_to_string(root().join(doc)).unwrap_or_else(|e| panic!("cannot read {doc}: {e}"))
}

/// A block as a `.dfs` file: declarations as they are, attack and request properties (`stages`,
/// `request`, `body`) inside a minimal attack; `None` for anything else (shell, JSON, plans).
fn as_scenario_text(body: &str) -> Option<String> {
    let first = body.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let opens = |kw: &str| first.starts_with(&format!("{kw} "));
    if TOP_LEVEL_KEYWORDS.iter().any(|kw| opens(kw)) {
        Some(body.to_string())
    } else if opens("stages") || opens("request") {
        Some(format!("attack a {{\n{body}}}\n"))
    } else if opens("body") {
        Some(format!("attack a {{\n  request POST \"/\" {{\n{body}  }}\n}}\n"))
    } else {
        None
    }
}

#[test]
fn scenario_snippets_parse_and_complete_scenarios_check() {
    let mut parsed = 0;
    for doc in DOCS {
        for (info, body) in code_blocks(&read(doc)) {
            let Some(text) = as_scenario_text(&body).filter(|_| info.is_empty()) else { continue };
            if let Err(errors) = parse_file(&text, FileId(0)) {
                let messages: Vec<String> = errors.iter().map(|d| d.message.clone()).collect();
                panic!("{doc}: a snippet does not parse ({}):\n{body}", messages.join("; "));
            }
            parsed += 1;
            if body.lines().any(|l| l.starts_with("scenario ")) {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("example.dfs");
                std::fs::write(&path, &body).expect("temp file writable");
                let checked = support::check(&path);
                assert!(
                    !checked.has_errors(),
                    "{doc}: a complete scenario does not check:\n{}",
                    support::describe(&checked)
                );
            }
        }
    }
    assert!(parsed >= 15, "only {parsed} scenario snippets found: is the block detection broken?");
}

#[test]
fn the_plan_shown_in_cli_md_is_the_golden_one() {
    let golden = read("tests/golden/plan/quickstart.txt");
    let shown = code_blocks(&read("docs/cli.md"))
        .into_iter()
        .map(|(_, body)| body)
        .find(|body| body.starts_with("plan for scenario \"quickstart\""))
        .expect("docs/cli.md shows the quick start's plan");
    assert!(
        shown == golden,
        "docs/cli.md shows an outdated plan; paste tests/golden/plan/quickstart.txt:\n{}",
        support::line_diff(&golden, &shown)
    );
}

#[test]
fn documentation_code_only_uses_local_urls() {
    for doc in DOCS {
        for (_, body) in code_blocks(&read(doc)) {
            for (i, _) in body.match_indices("://") {
                // `s3://BUCKET/PREFIX` names a bucket, not a host (its endpoint is AWS_ENDPOINT_URL).
                if body[..i].ends_with("s3") {
                    continue;
                }
                let host: String =
                    body[i + 3..].chars().take_while(|c| c.is_alphanumeric() || *c == '.' || *c == '-').collect();
                let local = host == "localhost" || host.starts_with("127.");
                assert!(local, "{doc}: a code block sends traffic to `{host}`; use 127.0.0.1 or localhost:\n{body}");
            }
        }
    }
}
