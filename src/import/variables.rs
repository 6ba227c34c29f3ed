//! The variables of the DFaaS operator's `.env` (both layouts) and what the importer says about
//! any other name: an error when it looks like a typo of a known one, a warning otherwise.

use super::env_file::EnvFile;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};

/// Every variable the operator's scripts read (`operator_entrypoint.sh`, 2024, and `operator.sh`).
pub const KNOWN: &[&str] = &[
    "NODES",
    "DEPLOY_MODE",
    "FUNCS_NAMES",
    "FUNCS_IMAGES",
    "FUNCS_LIMITS",
    "DEPLOY_MAXRATES",
    "OPENFAAS_GATEWAY_USER",
    "OPENFAAS_GATEWAY_PWD",
    "WAIT_TIME",
    "TEST_MODE",
    "ATTACKS_NAME",
    "ATTACKS_DELAY",
    "ATTACKS_TARGET",
    "ATTACKS_METHOD",
    "ATTACKS_BODY",
    "ATTACKS_RATE",
    "ATTACKS_DURATION",
    "DELETE_FUNCTIONS",
    "SKIP_PLOTS",
];

/// The gateway credentials: never copied into a scenario, whatever their value.
pub const CREDENTIALS: &[&str] = &["OPENFAAS_GATEWAY_USER", "OPENFAAS_GATEWAY_PWD"];

/// One diagnostic per variable the operator does not read, and one per known variable written
/// without `=` (Docker takes those from its own environment, which the importer cannot see).
pub fn check_names(file: &EnvFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for entry in &file.entries {
        let name = entry.name.node.as_str();
        if KNOWN.contains(&name) {
            if entry.value.is_none() && !CREDENTIALS.contains(&name) {
                out.push(
                    Diagnostic::warning(Code::NotImported, format!("`{name}` has no value in the file"))
                        .label(entry.name.span, "no `=`: Docker reads it from its own environment")
                        .help(format!("the importer reads only the file: write `{name}=VALUE` to import it")),
                );
            }
            continue;
        }
        match did_you_mean(name, KNOWN.iter().copied()) {
            Some(hint) => out.push(
                Diagnostic::error(Code::UnknownVariable, format!("unknown operator variable `{name}`"))
                    .label(entry.name.span, "the operator never reads this")
                    .help(hint),
            ),
            None => out.push(
                Diagnostic::warning(Code::UnknownVariable, format!("`{name}` is not an operator variable; ignored"))
                    .label(entry.name.span, "not read by the operator")
                    .help(format!("the operator reads: {}", KNOWN.join(", "))),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::env_file::read_env_file;
    use crate::parser::span::FileId;

    #[test]
    fn typos_are_errors_and_strangers_warnings() {
        let (file, _) = read_env_file("ATTACK_RATE=1\nTZ=UTC\nNODES\nOPENFAAS_GATEWAY_PWD\n", FileId(0));
        let found: Vec<(Code, bool, Option<String>)> =
            check_names(&file).into_iter().map(|d| (d.code, d.is_error(), d.help)).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0], (Code::UnknownVariable, true, Some("did you mean `ATTACKS_RATE`?".into())));
        assert_eq!((found[1].0, found[1].1), (Code::UnknownVariable, false));
        assert_eq!((found[2].0, found[2].1), (Code::NotImported, false));
    }
}
