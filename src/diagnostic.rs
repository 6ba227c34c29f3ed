//! Problems found in scenario files, as data: a stable code, a message, labelled spans and a help
//! line. Stages collect them; the CLI renders them once, at the edge (miette or JSON).

use crate::parser::span::{SourceMap, Span};
use serde::Serialize;

/// Declares `Code`, its stable names and `Code::ALL` from one table, so they cannot drift apart.
macro_rules! codes {
    ($($variant:ident => $name:literal,)*) => {
        /// Stable diagnostic codes (`dfs::…`). Tests and editors match on these; never renumber or rename.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in declaration order (`docs/diagnostics.schema.json` lists the same names).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    Syntax => "dfs::syntax",
    Io => "dfs::io",
    Encoding => "dfs::encoding",
    TooLarge => "dfs::too_large",
    NoScenarios => "dfs::no_scenarios",
    ImportCycle => "dfs::import_cycle",
    ImportMissing => "dfs::import_missing",
    ScenarioInImport => "dfs::scenario_in_import",
    UnsetVariable => "dfs::unset_variable",
    UnknownOverride => "dfs::unknown_override",
    BadInterpolation => "dfs::bad_interpolation",
    Duplicate => "dfs::duplicate",
    DuplicateProperty => "dfs::duplicate_property",
    UnknownNode => "dfs::unknown_node",
    UnknownFunction => "dfs::unknown_function",
    UnknownStep => "dfs::unknown_step",
    AfterCycle => "dfs::after_cycle",
    MissingProperty => "dfs::missing_property",
    Conflict => "dfs::conflict",
    InvalidDuration => "dfs::invalid_duration",
    InvalidRate => "dfs::invalid_rate",
    InvalidPercent => "dfs::invalid_percent",
    InvalidSize => "dfs::invalid_size",
    InvalidNumber => "dfs::invalid_number",
    InvalidStatus => "dfs::invalid_status",
    UnitMismatch => "dfs::unit_mismatch",
    UnknownMetric => "dfs::unknown_metric",
    UnknownMethod => "dfs::unknown_method",
    UnknownFormat => "dfs::unknown_format",
    BadUrl => "dfs::bad_url",
    BadHeader => "dfs::bad_header",
    BadRegex => "dfs::bad_regex",
    ReservedName => "dfs::reserved_name",
    EmptyStages => "dfs::empty_stages",
    MissingTarget => "dfs::missing_target",
    NoAttacks => "dfs::no_attacks",
    Unused => "dfs::unused",
    BadTemplate => "dfs::bad_template",
    UnknownVariable => "dfs::unknown_variable",
    ListLength => "dfs::list_length",
    TrailingRemark => "dfs::trailing_remark",
    InvalidBoolean => "dfs::invalid_boolean",
    InvalidName => "dfs::invalid_name",
    NotImported => "dfs::not_imported",
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A span with the text shown under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem. `labels[0]` is the primary location when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// For problems without a span in a file (a missing file): the path concerned.
    pub path: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            path: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label { span, text: text.into() });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

/// A "did you mean …?" help line, from the known names closest to `got` (or `None`).
pub fn did_you_mean<'a>(got: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in known {
        let score = strsim::jaro_winkler(got, candidate);
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, name)| format!("did you mean `{name}`?"))
}

/// A list of known names for a help line: "known: a, b, c".
pub fn known_list<'a>(known: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = known.into_iter().collect();
    if names.is_empty() {
        "none are declared".to_string()
    } else {
        format!("known: {}", names.join(", "))
    }
}

/// Did-you-mean when something is close, otherwise the list of known names.
pub fn suggest<'a>(got: &str, known: impl IntoIterator<Item = &'a str> + Clone) -> String {
    did_you_mean(got, known.clone()).unwrap_or_else(|| known_list(known))
}

/// The machine-readable form of a diagnostic (`check --format json`), documented in
/// `docs/diagnostics.schema.json`.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub labels: Vec<JsonLabel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonLabel {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub text: String,
}

impl Diagnostic {
    pub fn to_json(&self, sources: &SourceMap, fallback_file: &str) -> JsonDiagnostic {
        let labels: Vec<JsonLabel> = self
            .labels
            .iter()
            .map(|l| {
                let (line, column) = sources.line_col(l.span.file, l.span.start);
                let (end_line, end_column) = sources.line_col(l.span.file, l.span.end);
                JsonLabel {
                    file: sources.get(l.span.file).name.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                    text: l.text.clone(),
                }
            })
            .collect();
        let (file, line, column, end_line, end_column) = match labels.first() {
            Some(l) => (l.file.clone(), l.line, l.column, l.end_line, l.end_column),
            None => {
                let file = self.path.clone().unwrap_or_else(|| fallback_file.to_string());
                (file, 1, 1, 1, 1)
            }
        };
        JsonDiagnostic {
            file,
            line,
            column,
            end_line,
            end_column,
            code: self.code.as_str(),
            severity: self.severity,
            message: self.message.clone(),
            help: self.help.clone(),
            labels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_have_unique_well_formed_names() {
        let names: HashSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len(), "two codes share a name");
        for name in names {
            let rest = name.strip_prefix("dfs::").unwrap_or_default();
            assert!(!rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
        }
    }
}
