//! Diagnostics → text for people (miette's graphical report, source line underlined) or JSON for
//! editors and CI (`docs/diagnostics.schema.json`). Only the CLI prints; this returns strings.

use super::excerpt::Excerpt;
use crate::diagnostic::{Diagnostic, Severity};
use crate::parser::span::SourceMap;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use std::fmt;

/// Whether to colour terminal output.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Renders one diagnostic with its source (the file of its first label).
pub fn human(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let source = d.primary_span().map(|span| Excerpt::new(sources, span.file));
    let shown = Shown { d, source, sources };
    let mut out = String::new();
    if handler.render_report(&mut out, &shown).is_err() {
        out = format!("{}: {}\n", d.code.as_str(), d.message);
    }
    out
}

struct Shown<'a> {
    d: &'a Diagnostic,
    source: Option<Excerpt<'a>>,
    sources: &'a SourceMap,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.d.path, self.d.labels.is_empty()) {
            (Some(path), true) if !self.d.message.contains(path.as_str()) => write!(f, "{path}: {}", self.d.message),
            _ => f.write_str(&self.d.message),
        }
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let primary_file = self.d.primary_span().map(|s| s.file);
        let elsewhere: Vec<String> = self
            .d
            .labels
            .iter()
            .filter(|l| Some(l.span.file) != primary_file)
            .map(|l| {
                let (line, col) = self.sources.line_col(l.span.file, l.span.start);
                format!("{}: {}:{line}:{col}", l.text, self.sources.get(l.span.file).name)
            })
            .collect();
        let mut help = self.d.help.clone().unwrap_or_default();
        for e in elsewhere {
            if !help.is_empty() {
                help.push_str("; ");
            }
            help.push_str(&e);
        }
        (!help.is_empty()).then(|| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary_file = self.d.primary_span()?.file;
        let source = self.source.as_ref()?;
        let labels = self.d.labels.iter().filter(move |l| l.span.file == primary_file).enumerate().map(|(i, l)| {
            let span = source.clamp(l.span.into());
            if i == 0 {
                LabeledSpan::new_primary_with_span(Some(l.text.clone()), span)
            } else {
                LabeledSpan::new_with_span(Some(l.text.clone()), span)
            }
        });
        Some(Box::new(labels))
    }
}
