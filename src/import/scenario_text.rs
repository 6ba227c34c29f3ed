//! The operator's configuration written as a `.dfs` scenario: nodes, functions, deploys, the
//! wait, health gates, attacks and teardown, with comments saying where each part came from.

use super::config::{AttackTarget, OperatorAttack, OperatorConfig};
use crate::model::units::format_duration;
use std::fmt::Write as _;

/// The operator's retry policies: its deploy and delete loops make 10 useful tries, 10 s apart
/// (`MAX_TRIES_DEPLOY=10`, `MAX_TRIES_DELETE=10`), its health check 25 tries, 10 s apart, each
/// answered within 10 s (`MAX_TRIES=25`, `curl --max-time 10`).
pub const DEPLOY_RETRIES: u32 = 9;
pub const RETRY_EVERY_SECS: u64 = 10;
pub const HEALTH_TRIES: u32 = 25;
pub const HEALTH_EVERY_SECS: u64 = 10;
pub const HEALTH_TIMEOUT_SECS: u64 = 10;

/// What to call the scenario and the file it came from (only its name is written, never a path).
pub struct Naming<'a> {
    pub scenario: &'a str,
    pub source_file: &'a str,
}

/// The scenario, not yet in canonical layout (the caller formats it).
pub fn render(config: &OperatorConfig, naming: &Naming) -> String {
    let mut out = String::new();
    header(&mut out, config, naming);
    nodes(&mut out, config);
    functions(&mut out, config);
    gates(&mut out, config);
    attacks(&mut out, config);
    cleanup(&mut out, config);
    out
}

/// `# ─── title ───...` to column 80.
fn section(out: &mut String, title: &str) {
    let fill = 80usize.saturating_sub(title.chars().count() + 8);
    let _ = writeln!(out, "\n# ─── {title} {}", "─".repeat(fill));
}

/// A string literal of the language for `text`: quotes, backslashes and `${` escaped.
pub fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A request body: request bodies are templates, so text that looks like one is kept raw.
fn body_literal(body: &str) -> String {
    if body.contains("{{") || body.contains("{%") || body.contains("{#") {
        quoted(&format!("{{% raw %}}{body}{{% endraw %}}"))
    } else {
        quoted(body)
    }
}

/// `NAME=value` as the file sets it (a flag, `WAIT_TIME`), or `NAME`.
fn flag(config: &OperatorConfig, name: &str) -> String {
    match config.value(name) {
        Some(v) => format!("{name}={v}"),
        None => name.to_string(),
    }
}

fn header(out: &mut String, config: &OperatorConfig, naming: &Naming) {
    let n = config.nodes.len();
    let sep = config.layout.separator.char();
    let _ = writeln!(
        out,
        "# The DFaaS operator's experiment, imported from `{}` by `dfaas-run import`.",
        naming.source_file
    );
    let _ = writeln!(out, "# Its lists are separated by `{sep}`, as in {}.", config.layout.separator.layout());
    out.push_str("# When the .env changes, import it again rather than editing this file by hand.\n#\n");
    if config.deploy || config.teardown {
        out.push_str("# Before running, set the OpenFaaS gateway credentials in the environment (the importer never\n");
        out.push_str("# copies them): OPENFAAS_GATEWAY_USER and OPENFAAS_GATEWAY_PWD.\n");
    }
    let range = if n == 1 {
        "DFAAS_NODE_1 to a full URL".to_string()
    } else {
        format!("DFAAS_NODE_1 to DFAAS_NODE_{n} to full URLs")
    };
    out.push_str("# Each node's URL defaults to its address in NODES (port 80 when none is given). To point the\n");
    let _ = writeln!(out, "# scenario at other nodes, set {range} (on Kubernetes:");
    out.push_str("# `http://<node-ip>:30080`), in the environment or with `--set`.\n#\n");
    let node_names: Vec<&str> = config.nodes.iter().map(|n| n.name.as_str()).collect();
    let deployed = !config.functions.is_empty();
    let mut rows: Vec<(String, String)> = vec![(
        "NODES".into(),
        format!("{}: URL{s} and health gate", node_names.join(", "), s = if n == 1 { "" } else { "s" }),
    )];
    if config.is_set("DEPLOY_MODE") {
        let here = if config.deploy { "one `deploy` per node and function" } else { "nothing is deployed" };
        rows.push((flag(config, "DEPLOY_MODE"), here.into()));
    }
    if config.is_set("FUNCS_NAMES") || config.is_set("FUNCS_IMAGES") {
        let here = if deployed { "the `function` blocks" } else { "not used: nothing is deployed or deleted" };
        let set: Vec<&str> = ["FUNCS_NAMES", "FUNCS_IMAGES"].into_iter().filter(|v| config.is_set(v)).collect();
        rows.push((set.join(", "), here.into()));
    }
    if config.is_set("DEPLOY_MAXRATES") || config.is_set("FUNCS_LIMITS") {
        let here = if config.limits.is_some() {
            "label \"dfaas.maxrate\" on each deploy (limits node-major)"
        } else {
            "not used: no `dfaas.maxrate` label"
        };
        let mut set = Vec::new();
        if config.is_set("DEPLOY_MAXRATES") {
            set.push(flag(config, "DEPLOY_MAXRATES"));
        }
        if config.is_set("FUNCS_LIMITS") {
            set.push("FUNCS_LIMITS".to_string());
        }
        rows.push((set.join(", "), here.into()));
    }
    if config.is_set("OPENFAAS_GATEWAY_USER") || config.is_set("OPENFAAS_GATEWAY_PWD") {
        let here = if config.deploy || config.teardown {
            "each node's `gateway`, read from the environment"
        } else {
            "not used: nothing is deployed or deleted"
        };
        rows.push(("OPENFAAS_GATEWAY_USER, _PWD".into(), here.into()));
    }
    if config.is_set("WAIT_TIME") {
        let here = match config.wait {
            Some(w) => format!("wait {}", format_duration(w)),
            None => "not used: the operator waits only after deploying".into(),
        };
        rows.push((flag(config, "WAIT_TIME"), here));
    }
    if config.is_set("TEST_MODE") {
        let here = if config.test_mode == Some(true) { "the attacks run" } else { "ignored: the attacks run anyway" };
        rows.push((flag(config, "TEST_MODE"), here.into()));
    }
    rows.push(("ATTACKS_* (delay s, duration m)".into(), "the `attack` blocks".into()));
    if config.is_set("DELETE_FUNCTIONS") {
        let here = match (config.teardown, config.value("DELETE_FUNCTIONS")) {
            (true, _) => "`teardown` (runs even when an attack failed)",
            (false, Some("true")) => "no teardown: its functions need their images (FUNCS_IMAGES)",
            (false, _) => "no teardown",
        };
        rows.push((flag(config, "DELETE_FUNCTIONS"), here.into()));
    }
    if config.is_set("SKIP_PLOTS") {
        let here = if config.skip_plots == Some(true) { "report { plots none }" } else { "plots are drawn" };
        rows.push((flag(config, "SKIP_PLOTS"), here.into()));
    }
    let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0).max(".env variable".len()) + 2;
    let _ = writeln!(out, "#   {:<width$}here", ".env variable");
    for (variable, here) in rows {
        let _ = writeln!(out, "#   {variable:<width$}{here}");
    }
    let _ = writeln!(out, "scenario {}", quoted(naming.scenario));
}

fn nodes(out: &mut String, config: &OperatorConfig) {
    section(out, "nodes");
    for node in &config.nodes {
        let url = format!("${{{}:-{}}}", node.url_variable, node.address.url());
        let _ = writeln!(out, "node {} {{\n  url {}", node.name, quoted_interp(&url));
        if config.deploy || config.teardown {
            out.push_str("  gateway {\n    user \"${OPENFAAS_GATEWAY_USER:-}\"\n    password \"${OPENFAAS_GATEWAY_PWD:-}\"\n  }\n");
        }
        out.push_str("}\n\n");
    }
}

/// A string holding one `${VAR:-default}` (not escaped: the default is an address).
fn quoted_interp(text: &str) -> String {
    format!("\"{text}\"")
}

fn functions(out: &mut String, config: &OperatorConfig) {
    if config.functions.is_empty() {
        return;
    }
    section(out, if config.deploy { "functions and their deployment" } else { "functions" });
    for f in &config.functions {
        let _ = writeln!(out, "function {} {{ image {} }}\n", f.name, quoted(&f.image));
    }
    if !config.deploy {
        return;
    }
    let _ = writeln!(
        out,
        "# POST /system/functions on each node's gateway: up to {} tries, {RETRY_EVERY_SECS}s apart, like the operator.",
        DEPLOY_RETRIES + 1
    );
    let retry = format!("  retries {DEPLOY_RETRIES}\n  every {RETRY_EVERY_SECS}s\n");
    match &config.limits {
        Some(limits) => {
            out.push_str("# Each (node, function) gets its `dfaas.maxrate` label from FUNCS_LIMITS, node-major.\n");
            let pairs = config.nodes.iter().flat_map(|n| config.functions.iter().map(move |f| (n, f)));
            for ((node, function), limit) in pairs.zip(limits) {
                let _ = writeln!(
                    out,
                    "deploy {} on {} {{\n  label \"dfaas.maxrate\" = \"{limit}\"\n{retry}}}\n",
                    function.name, node.name
                );
            }
        }
        None => {
            let _ = writeln!(out, "deploy {} on {} {{\n{retry}}}\n", function_list(config), node_list(config));
        }
    }
    if let Some(wait) = config.wait {
        out.push_str("# Let each node's proxy pick up the new functions (WAIT_TIME, in seconds).\n");
        let _ = writeln!(out, "wait {}", format_duration(wait));
    }
}

fn function_list(config: &OperatorConfig) -> String {
    config.functions.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn node_list(config: &OperatorConfig) -> String {
    config.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn gates(out: &mut String, config: &OperatorConfig) {
    section(out, "health gates");
    let _ = writeln!(
        out,
        "# GET /healthz until it answers 200: up to {HEALTH_TRIES} tries, {HEALTH_EVERY_SECS}s apart, each within {HEALTH_TIMEOUT_SECS}s. If a node\n\
         # stays down, no attack runs and the run exits with code 3."
    );
    if config.deploy {
        out.push_str(
            "# The operator checks health before deploying; here the gates follow the deploys and the wait.\n",
        );
    }
    let _ = writeln!(
        out,
        "health {} {{\n  request GET \"/healthz\"\n  expect status 200\n  every {HEALTH_EVERY_SECS}s\n  tries {HEALTH_TRIES}\n  timeout {HEALTH_TIMEOUT_SECS}s\n}}",
        node_list(config)
    );
}

fn attacks(out: &mut String, config: &OperatorConfig) {
    section(out, "attacks");
    out.push_str(
        "# Every attack starts once the gates have passed, after its own delay. Bodies go as text/plain.\n\
         # The operator's plots and report_values.txt count only 200 as a success (vegeta's report\n\
         # counts 200-399), hence `success 200`. `record header \"X-Server\"` keeps the node that\n\
         # served each request: DFaaS nodes forward their overload to their peers.\n",
    );
    for attack in &config.attacks {
        attack_block(out, config, attack);
    }
    if config.skip_plots == Some(true) {
        out.push_str("# SKIP_PLOTS=true: no plots; reports and report_values.txt are still written.\n");
        out.push_str("report { plots none }\n\n");
    }
}

fn attack_block(out: &mut String, config: &OperatorConfig, attack: &OperatorAttack) {
    let (on, target) = match &attack.target {
        AttackTarget::Node { node, path } => (format!(" on {}", config.nodes[*node].name), path.clone()),
        AttackTarget::Url(url) => {
            out.push_str("# Its target is not in NODES: the URL as the operator would send it, with no health gate.\n");
            (String::new(), url.clone())
        }
    };
    let _ = writeln!(out, "attack {}{on} {{", attack.name);
    let _ = writeln!(out, "  delay {}", format_duration(attack.delay));
    let _ = writeln!(out, "  duration {}", format_duration(attack.duration));
    let _ = writeln!(out, "  rate {}/s", attack.rate);
    out.push_str("  success 200\n  record header \"X-Server\"\n");
    let _ = writeln!(out, "  request {} {} {{", attack.method, quoted(&target));
    out.push_str("    header \"Content-Type\" = \"text/plain\"\n");
    if !attack.body.is_empty() {
        let _ = writeln!(out, "    body {}", body_literal(&attack.body));
    }
    out.push_str("  }\n}\n\n");
}

fn cleanup(out: &mut String, config: &OperatorConfig) {
    if !config.teardown || config.functions.is_empty() {
        return;
    }
    section(out, "cleanup");
    let _ = writeln!(
        out,
        "# DELETE_FUNCTIONS=true: delete every function from every node, up to {} tries each, {RETRY_EVERY_SECS}s apart.",
        DEPLOY_RETRIES + 1
    );
    let _ = writeln!(
        out,
        "teardown {} on {} {{\n  retries {DEPLOY_RETRIES}\n  every {RETRY_EVERY_SECS}s\n}}",
        function_list(config),
        node_list(config)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_the_language() {
        assert_eq!(quoted("Hello DFaaS World!"), "\"Hello DFaaS World!\"");
        assert_eq!(quoted("a \"b\" \\ ${HOME}"), "\"a \\\"b\\\" \\\\ \\${HOME}\"");
        assert_eq!(quoted("tab\there\u{1}"), "\"tab\\there\\u{1}\"");
        assert_eq!(body_literal("{{ seq }}"), "\"{% raw %}{{ seq }}{% endraw %}\"");
    }
}
