//! `report.json` against `docs/report-json.schema.json`, with a strict validator of the JSON
//! Schema keywords the schema uses (an unknown keyword fails, so nothing is silently ignored).

use super::fixture::{build_run, Behaviour};
use super::*;
use serde_json::Value;

/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &["title", "description", "$defs"];

/// Every violation of `schema` by `value`, with its JSON path.
fn validate(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let Some(map) = schema.as_object() else { panic!("{path}: a schema must be an object") };
    for (keyword, rule) in map {
        match keyword.as_str() {
            k if ANNOTATIONS.contains(&k) => {}
            "$ref" => {
                let pointer = rule.as_str().and_then(|r| r.strip_prefix('#')).expect("local $ref");
                let target = root.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {pointer}"));
                validate(root, target, value, path, out);
            }
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().map(|t| t.as_str().expect("type name")).collect(),
                    _ => panic!("bad type"),
                };
                let fits = |t: &str| match t {
                    "object" => value.is_object(),
                    "array" => value.is_array(),
                    "string" => value.is_string(),
                    "boolean" => value.is_boolean(),
                    "null" => value.is_null(),
                    "number" => value.is_number(),
                    "integer" => value.is_u64() || value.is_i64(),
                    other => panic!("unknown type {other}"),
                };
                if !types.iter().any(|t| fits(t)) {
                    out.push(format!("{path}: {value} is not {types:?}"));
                }
            }
            "const" => {
                if value != rule {
                    out.push(format!("{path}: {value} is not {rule}"));
                }
            }
            "enum" => {
                if !rule.as_array().expect("enum list").contains(value) {
                    out.push(format!("{path}: {value} is not one of {rule}"));
                }
            }
            "minimum" | "maximum" => {
                if let (Some(v), Some(limit)) = (value.as_f64(), rule.as_f64()) {
                    if (keyword == "minimum" && v < limit) || (keyword == "maximum" && v > limit) {
                        out.push(format!("{path}: {v} is out of range ({keyword} {limit})"));
                    }
                }
            }
            "required" => {
                if let Some(obj) = value.as_object() {
                    for name in rule.as_array().expect("required list") {
                        let name = name.as_str().expect("name");
                        if !obj.contains_key(name) {
                            out.push(format!("{path}: `{name}` is missing"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(obj) = value.as_object() {
                    for (name, sub) in rule.as_object().expect("properties") {
                        if let Some(v) = obj.get(name) {
                            validate(root, sub, v, &format!("{path}.{name}"), out);
                        }
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(rule, &Value::Bool(false), "only `additionalProperties: false` is supported");
                if let Some(obj) = value.as_object() {
                    let known = map.get("properties").and_then(Value::as_object);
                    for name in obj.keys() {
                        if !known.is_some_and(|k| k.contains_key(name)) {
                            out.push(format!("{path}: `{name}` is not in the schema"));
                        }
                    }
                }
            }
            "items" => {
                if let Some(items) = value.as_array() {
                    for (i, v) in items.iter().enumerate() {
                        validate(root, rule, v, &format!("{path}[{i}]"), out);
                    }
                }
            }
            "oneOf" => {
                let matching = rule
                    .as_array()
                    .expect("oneOf list")
                    .iter()
                    .filter(|s| {
                        let mut errors = Vec::new();
                        validate(root, s, value, path, &mut errors);
                        errors.is_empty()
                    })
                    .count();
                if matching != 1 {
                    out.push(format!("{path}: matches {matching} of the oneOf schemas"));
                }
            }
            other => panic!("the validator does not know the keyword `{other}` (at {path})"),
        }
    }
}

fn schema() -> Value {
    let path = support::root().join("docs/report-json.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("the schema is JSON")
}

fn violations(value: &Value) -> Vec<String> {
    let schema = schema();
    let mut out = Vec::new();
    validate(&schema, &schema, value, "$", &mut out);
    out
}

#[test]
fn report_json_follows_its_schema() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), "runs/fixture/a", Behaviour::BASELINE);
    let out = dfaas_run(tmp.path(), &["report", "runs/fixture/a", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).expect("json")).expect("JSON");
    assert_eq!(violations(&report), Vec::<String>::new());
    // The expectations are listed with their measured values.
    let verdicts = report["expectations"]["verdicts"].as_array().expect("verdicts");
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts[0]["expectation"], "p99(spike) < 40ms");
    assert_eq!(verdicts[0]["measured"], "20.0ms");
    assert_eq!(report["merged"]["name"], "all");
    assert_eq!(report["attacks"][0]["headers"][0]["name"], "X-Server");
}

/// Breaks a valid report.
type Damage = fn(&mut Value);

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), "runs/fixture/a", Behaviour::BASELINE);
    let out = dfaas_run(tmp.path(), &["report", "runs/fixture/a", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let good: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).expect("json")).expect("JSON");
    let broken: [(&str, Damage); 5] = [
        ("an unknown field", |v| v["extra"] = Value::Bool(true)),
        ("a missing field", |v| {
            v["attacks"][0].as_object_mut().expect("object").remove("latency");
        }),
        ("a wrong type", |v| v["attacks"][0]["requests"] = Value::String("200".into())),
        ("a ratio above 1", |v| v["merged"]["success_ratio"] = serde_json::json!(1.5)),
        ("an unknown outcome", |v| v["outcome"] = Value::String("fine".into())),
    ];
    for (what, damage) in broken {
        let mut bad = good.clone();
        damage(&mut bad);
        assert!(!violations(&bad).is_empty(), "{what} was not caught");
    }
}
