//! A template that fails to compile or render, as a diagnostic pointing into the template: the
//! file, line and column, the line itself with a caret under the failing part, and a help line.

use std::fmt;

/// Stable code of template errors (as the scenario diagnostics have theirs).
pub const CODE: &str = "dfs::bad_template";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The template file as the user named it (or the built-in's name).
    pub file: String,
    /// 1-based line and column (in characters) of the failing part, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The template's line, and how many characters to underline from `column`.
    pub source_line: Option<String>,
    pub width: usize,
    pub message: String,
    pub help: Option<String>,
}

impl TemplateError {
    /// From minijinja's error for the template `file` whose text is `source`. `names` are the
    /// names a template can use (for "did you mean").
    pub fn new(err: &minijinja::Error, file: &str, source: &str, names: &[String]) -> TemplateError {
        // An error inside a macro or include names the inner template; report the innermost one
        // that carries a position.
        let mut message = match err.detail() {
            Some(detail) => format!("{}: {detail}", err.kind()),
            None => err.kind().to_string(),
        };
        let mut cause = std::error::Error::source(err);
        while let Some(inner) = cause {
            message.push_str(&format!(": {inner}"));
            cause = inner.source();
        }
        let (mut line, mut column, mut source_line, mut width) = (err.line(), None, None, 1);
        let mut failing = None;
        let mut range = err.range().filter(|r| r.start <= r.end && r.end <= source.len());
        // An undefined value given to one of our filters: point at the value, not the filter.
        if let Some(r) = range.clone().filter(|_| message.ends_with(super::template_filters::UNDEFINED_INPUT)) {
            if let Some(expr) = filter_input(source, r.start) {
                message = format!("undefined value: `{}` is not in the report context", &source[expr.clone()]);
                range = Some(expr);
            }
        }
        if let Some(range) = range {
            if source.is_char_boundary(range.start) && source.is_char_boundary(range.end) {
                let before = &source[..range.start];
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let line_end = source[range.start..].find('\n').map_or(source.len(), |i| range.start + i);
                line = Some(before.matches('\n').count() + 1);
                column = Some(source[line_start..range.start].chars().count() + 1);
                source_line = Some(source[line_start..line_end].to_string());
                let end = range.end.min(line_end);
                width = source[range.start..end].chars().count().max(1);
                failing = Some(&source[range.start..range.end]);
            }
        } else if let Some(n) = line {
            source_line = source.lines().nth(n.saturating_sub(1)).map(str::to_string);
        }
        TemplateError {
            file: file.to_string(),
            line,
            column,
            source_line,
            width,
            help: help(err.kind(), failing, names),
            message,
        }
    }

    /// An error that is not in the template's text (unreadable file, ...).
    pub fn whole_file(file: &str, message: impl Into<String>) -> TemplateError {
        TemplateError {
            file: file.to_string(),
            line: None,
            column: None,
            source_line: None,
            width: 0,
            message: message.into(),
            help: None,
        }
    }
}

/// The expression piped into the filter that starts at `filter`: back over `|`, then to the
/// start of the expression (after `{{`, `(`, `,` or `=`).
fn filter_input(source: &str, filter: usize) -> Option<std::ops::Range<usize>> {
    let before = source.get(..filter)?.trim_end();
    let pipe = before.strip_suffix('|')?.trim_end();
    let end = pipe.len();
    let start = ["{{", "{%", "(", ",", "="].iter().filter_map(|m| pipe.rfind(m).map(|i| i + m.len())).max()?;
    let expr = &source[start..end];
    let skip = expr.len() - expr.trim_start().len();
    (start + skip < end).then_some(start + skip..end)
}

fn help(kind: minijinja::ErrorKind, failing: Option<&str>, names: &[String]) -> Option<String> {
    use minijinja::ErrorKind::*;
    let last_name = failing.and_then(|f| {
        let name = f.rsplit(['.', '(', ' ', '|']).find(|s| !s.trim().is_empty())?.trim();
        name.chars().all(|c| c.is_alphanumeric() || c == '_').then_some(name)
    });
    let did_you_mean = last_name
        .and_then(|n| crate::diagnostic::did_you_mean(n, names.iter().map(String::as_str)))
        .map(|s| format!("{s} "))
        .unwrap_or_default();
    let text = match kind {
        UndefinedError => format!(
            "{did_you_mean}the names a template can use are the fields of report.json, listed in docs/reports.md; test optional ones with `is defined` or `is none`"
        ),
        UnknownFilter => format!("{did_you_mean}the filters are minijinja's built-ins and those listed in docs/reports.md"),
        UnknownFunction => format!("{did_you_mean}the functions are minijinja's built-ins and those listed in docs/reports.md"),
        SyntaxError => "see the template syntax at https://docs.rs/minijinja/latest/minijinja/syntax/".into(),
        _ => return None,
    };
    Some(text.replace("  ", " "))
}

impl fmt::Display for TemplateError {
    /// ```text
    /// error[dfs::bad_template]: undefined value
    ///   --> summary.md.j2:3:12
    ///    |
    ///  3 | Success: {{ merged.sucess_ratio }}
    ///    |             ^^^^^^^^^^^^^^^^^^^
    ///    = help: ...
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error[{CODE}]: {}", self.message)?;
        match (self.line, self.column) {
            (Some(l), Some(c)) => writeln!(f, "  --> {}:{l}:{c}", self.file)?,
            (Some(l), None) => writeln!(f, "  --> {}:{l}", self.file)?,
            _ => writeln!(f, "  --> {}", self.file)?,
        }
        if let (Some(line), Some(text)) = (self.line, &self.source_line) {
            let gutter = " ".repeat(line.to_string().len());
            writeln!(f, " {gutter} |")?;
            writeln!(f, " {line} | {text}")?;
            if let Some(column) = self.column {
                let pad: String = text.chars().take(column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                writeln!(f, " {gutter} | {pad}{}", "^".repeat(self.width))?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TemplateError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(source: &str) -> TemplateError {
        let mut env = minijinja::Environment::new();
        env.set_debug(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let names = vec!["success_ratio".to_string(), "merged".to_string()];
        let err = match env.template_from_str(source) {
            Ok(t) => {
                t.render(minijinja::context! { merged => minijinja::context! { success_ratio => 1 } }).unwrap_err()
            }
            Err(e) => e,
        };
        TemplateError::new(&err, "t.md.j2", source, &names)
    }

    #[test]
    fn an_undefined_field_points_at_its_line_and_column_with_a_suggestion() {
        let e = failing("# Title\nSuccess: {{ merged.sucess_ratio }}\n");
        assert_eq!((e.line, e.column), (Some(2), Some(13)));
        let shown = e.to_string();
        assert!(shown.starts_with("error[dfs::bad_template]: undefined value"), "{shown}");
        assert!(shown.contains("  --> t.md.j2:2:13\n"), "{shown}");
        assert!(
            shown.contains(" 2 | Success: {{ merged.sucess_ratio }}\n   |             ^^^^^^^^^^^^^^^^^^^\n"),
            "{shown}"
        );
        assert!(shown.contains("did you mean `success_ratio`?"), "{shown}");
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let e = failing("line one\n{% for x in %}\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("syntax error"), "{}", e.message);
        assert!(e.to_string().contains(" 2 | {% for x in %}"), "{e}");
    }
}
