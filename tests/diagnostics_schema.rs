//! `docs/diagnostics.schema.json` against what `dfaas-run check --format json` really prints, and
//! its code enum (and `docs/diagnostics.md`) against `Code::ALL`: docs and program cannot drift.

// The validator below interprets the JSON Schema keywords the schema uses and refuses any other
// keyword, so no constraint of the schema can be skipped silently. (The `jsonschema` crate would
// add 36 crates to the build for this one test.)

use dfaas_run::diagnostic::Code;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn schema() -> Value {
    let text = std::fs::read_to_string("docs/diagnostics.schema.json").expect("docs/diagnostics.schema.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The problems of `instance` against `schema` (empty when valid), as JSON-pointer-like paths.
fn validate(root: &Value, schema: &Value, instance: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(rules) = schema.as_object() else {
        problems.push(format!("{at}: the schema is not an object"));
        return;
    };
    for (keyword, rule) in rules {
        match keyword.as_str() {
            "$schema" | "title" | "description" | "$defs" => {}
            "$ref" => {
                let target = rule
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/"))
                    .and_then(|path| path.split('/').try_fold(root, |node, key| node.get(key)));
                match target {
                    Some(target) => validate(root, target, instance, at, problems),
                    None => problems.push(format!("{at}: unresolved $ref {rule}")),
                }
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                if !types.iter().any(|t| has_type(instance, t)) {
                    problems.push(format!("{at}: {instance} is not of type {rule}"));
                }
            }
            "const" => {
                if instance != rule {
                    problems.push(format!("{at}: {instance} is not {rule}"));
                }
            }
            "enum" => {
                if !rule.as_array().is_some_and(|values| values.contains(instance)) {
                    problems.push(format!("{at}: {instance} is not one of the allowed values"));
                }
            }
            "minimum" => {
                if let (Some(n), Some(min)) = (instance.as_f64(), rule.as_f64()) {
                    if n < min {
                        problems.push(format!("{at}: {n} is below {min}"));
                    }
                }
            }
            "minLength" => {
                if let (Some(s), Some(min)) = (instance.as_str(), rule.as_u64()) {
                    if (s.chars().count() as u64) < min {
                        problems.push(format!("{at}: {instance} is shorter than {min}"));
                    }
                }
            }
            "required" => {
                for key in rule.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if instance.is_object() && instance.get(key).is_none() {
                        problems.push(format!("{at}: `{key}` is missing"));
                    }
                }
            }
            "properties" => {
                for (key, sub) in rule.as_object().into_iter().flatten() {
                    if let Some(value) = instance.get(key) {
                        validate(root, sub, value, &format!("{at}/{key}"), problems);
                    }
                }
            }
            "additionalProperties" => {
                let known = rules.get("properties").and_then(Value::as_object);
                if rule == &Value::Bool(false) {
                    for key in instance.as_object().into_iter().flat_map(|o| o.keys()) {
                        if !known.is_some_and(|k| k.contains_key(key)) {
                            problems.push(format!("{at}: unexpected property `{key}`"));
                        }
                    }
                } else {
                    problems.push(format!("{at}: additionalProperties other than false is not supported"));
                }
            }
            "items" => {
                for (i, item) in instance.as_array().into_iter().flatten().enumerate() {
                    validate(root, rule, item, &format!("{at}/{i}"), problems);
                }
            }
            other => problems.push(format!("{at}: the schema uses `{other}`, which this test does not check")),
        }
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_u64() || value.is_i64(),
        "number" => value.is_number(),
        _ => false,
    }
}

fn problems_of(instance: &Value) -> Vec<String> {
    let schema = schema();
    let mut problems = Vec::new();
    validate(&schema, &schema, instance, "", &mut problems);
    problems
}

/// Runs `check --format json` in `dir` and returns its exit code and document.
fn check_json(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .arg("check")
        .arg("--format")
        .arg("json")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the dfaas-run binary runs");
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("stdout of check {args:?} is not JSON ({e}):\n{}", String::from_utf8_lossy(&output.stdout))
    });
    (output.status.code(), document)
}

/// Valid against the schema, and consistent with itself: counts and file results agree with
/// the diagnostics.
fn assert_valid(what: &str, document: &Value) {
    let problems = problems_of(document);
    assert!(problems.is_empty(), "{what}: the output does not follow the schema:\n{}", problems.join("\n"));
    let diagnostics = document["diagnostics"].as_array().expect("diagnostics");
    let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count() as u64;
    assert_eq!(document["errors"].as_u64(), Some(errors), "{what}: error count");
    assert_eq!(document["warnings"].as_u64(), Some(diagnostics.len() as u64 - errors), "{what}: warning count");
    for d in diagnostics {
        if let Some(first) = d["labels"].as_array().and_then(|l| l.first()) {
            for key in ["file", "line", "column", "end_line", "end_column"] {
                assert_eq!(d[key], first[key], "{what}: a diagnostic's position is its first label's: {d}");
            }
        }
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn schema_codes_are_the_stable_codes() {
    let schema = schema();
    let listed: Vec<&str> =
        schema["$defs"]["code"]["enum"].as_array().expect("a code enum").iter().filter_map(Value::as_str).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a code is listed twice in the schema");
    let codes: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(unique, codes, "docs/diagnostics.schema.json and Code::ALL list different codes");
}

#[test]
fn every_code_is_documented() {
    let docs = std::fs::read_to_string("docs/diagnostics.md").expect("docs/diagnostics.md");
    let missing: Vec<&str> =
        Code::ALL.iter().map(|c| c.as_str()).filter(|c| !docs.contains(&format!("**`{c}`**"))).collect();
    assert!(missing.is_empty(), "docs/diagnostics.md has no entry for {missing:?}");
}

#[test]
fn real_outputs_follow_the_schema() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("nothing-here")).expect("a folder");
    let corpus = repo().join("tests/check");
    let corpus = corpus.to_str().expect("a UTF-8 path");
    let error = format!("{corpus}/error");
    let cases: Vec<(&str, Vec<String>, i32)> = vec![
        ("valid files", vec![format!("{corpus}/ok")], 0),
        ("one file, several problems", vec![format!("{error}/multi_across_declarations.dfs")], 2),
        ("every file of both corpora", vec![format!("{corpus}/ok"), error.clone()], 2),
        ("an import problem across files", vec![format!("{error}/import_duplicate_node.dfs")], 2),
        ("no file found", vec!["nothing-here".into()], 2),
        ("a missing file", vec!["missing.dfs".into()], 2),
        ("a file that is not UTF-8", vec![format!("{error}/encoding.dfs")], 2),
        ("an unknown --set", vec!["--set".into(), "NO_SUCH=1".into(), format!("{corpus}/ok/figlet_spike.dfs")], 2),
    ];
    for (what, args, code) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (status, document) = check_json(dir.path(), &args);
        assert_eq!(status, Some(*code), "{what}: exit status");
        assert_valid(what, &document);
    }
    // The whole corpus produces every code a file can produce: the enum is exercised, not just listed.
    let (_, all) = check_json(dir.path(), &[&format!("{corpus}/ok"), &error]);
    let seen: BTreeSet<&str> =
        all["diagnostics"].as_array().into_iter().flatten().filter_map(|d| d["code"].as_str()).collect();
    assert!(seen.len() >= 30, "only {} distinct codes in the corpus output", seen.len());
}

#[test]
fn the_schema_rejects_what_the_format_forbids() {
    let valid = json!({
        "version": 1,
        "files": [{ "file": "a.dfs", "ok": false }],
        "diagnostics": [{
            "file": "a.dfs", "line": 3, "column": 7, "end_line": 3, "end_column": 11,
            "code": "dfs::unknown_node", "severity": "error", "message": "unknown node `egde`",
            "help": "did you mean `edge`?",
            "labels": [{ "file": "a.dfs", "line": 3, "column": 7, "end_line": 3, "end_column": 11, "text": "no node has this name" }]
        }],
        "errors": 1,
        "warnings": 0
    });
    assert_eq!(problems_of(&valid), Vec::<String>::new());
    let broken: Vec<(&str, Value)> = vec![
        ("an unknown code", with(&valid, "/diagnostics/0/code", json!("dfs::no_such_code"))),
        ("a column 0", with(&valid, "/diagnostics/0/column", json!(0))),
        ("a severity `info`", with(&valid, "/diagnostics/0/severity", json!("info"))),
        ("a missing help", without(&valid, "/diagnostics/0", "help")),
        ("an extra property", with(&valid, "/diagnostics/0/labels/0/colour", json!("red"))),
        ("version 2", with(&valid, "/version", json!(2))),
        ("a negative count", with(&valid, "/errors", json!(-1))),
        ("a file result without `ok`", without(&valid, "/files/0", "ok")),
        ("labels that are not a list", with(&valid, "/diagnostics/0/labels", json!({}))),
    ];
    for (what, document) in broken {
        assert!(!problems_of(&document).is_empty(), "the schema accepts {what}");
    }
}

/// `value` with the member at `pointer` set (its parent must exist).
fn with(value: &Value, pointer: &str, new: Value) -> Value {
    let mut copy = value.clone();
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    match copy.pointer_mut(parent).expect("the parent exists") {
        Value::Object(map) => {
            map.insert(key.to_string(), new);
        }
        other => panic!("{parent} is {other}"),
    }
    copy
}

fn without(value: &Value, pointer: &str, key: &str) -> Value {
    let mut copy = value.clone();
    if let Some(Value::Object(map)) = copy.pointer_mut(pointer) {
        map.remove(key);
    }
    copy
}
