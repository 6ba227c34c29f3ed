//! The checking pass over what a run produces and decides: the `report` block, `expect` lines
//! (metric, target and a threshold of the metric's unit) and `notify` webhooks.

use super::Checker;
use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::*;
use crate::parser::ast::{self, Item, Literal};
use crate::parser::span::{Span, Spanned};
use crate::parser::{parse_value, Rule};
use std::collections::BTreeMap;
use std::time::Duration;

impl Checker<'_> {
    pub(super) fn report(&self) -> ReportSpec {
        let mut spec = ReportSpec::default();
        let mut first: Option<Span> = None;
        for item in self.items() {
            let Item::Report(decl) = &item.node else { continue };
            if let Some(previous) = first {
                self.push(
                    Diagnostic::error(Code::DuplicateProperty, "`report` is declared twice")
                        .label(previous, "first here")
                        .label(item.span, "again here")
                        .help("merge both blocks into one"),
                );
                continue;
            }
            first = Some(item.span);
            let mut seen = BTreeMap::new();
            for ri in &decl.items {
                match &ri.node {
                    ast::ReportItem::Formats(names) => {
                        if self.once(&mut seen, "formats", ri.span) {
                            spec.formats = self.choices(names, REPORT_FORMATS, "report format");
                        }
                    }
                    ast::ReportItem::Plots(names) => {
                        if self.once(&mut seen, "plots", ri.span) {
                            let plots = self.choices(names, PLOT_FORMATS, "plot format");
                            if plots.len() > 1 && plots.iter().any(|p| p == "none") {
                                self.push(
                                    Diagnostic::error(
                                        Code::Conflict,
                                        "`plots none` cannot be combined with plot formats",
                                    )
                                    .label(ri.span, "`none` with other formats")
                                    .help("write `plots none` alone to turn plots off"),
                                );
                            }
                            spec.plots = plots.into_iter().filter(|p| p != "none").collect();
                        }
                    }
                    ast::ReportItem::Template(path, output) => {
                        if let Some(t) = self.user_template(path, output.as_ref()) {
                            spec.templates.push(t);
                        }
                    }
                    ast::ReportItem::Output(path) => {
                        if self.once(&mut seen, "output", ri.span) {
                            spec.output = self.string(path).map(Into::into);
                        }
                    }
                }
            }
        }
        spec
    }

    /// Names from a fixed set, each once.
    fn choices(&self, names: &[ast::Ident], known: &[&str], what: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            if !known.contains(&n.node.as_str()) {
                self.push(
                    Diagnostic::error(Code::UnknownFormat, format!("unknown {what} `{}`", n.node))
                        .label(n.span, "unknown")
                        .help(suggest(&n.node, known.iter().copied())),
                );
            } else if out.contains(&n.node) {
                self.push(
                    Diagnostic::error(Code::DuplicateProperty, format!("{what} `{}` is listed twice", n.node))
                        .label(n.span, "again here")
                        .help("list each once"),
                );
            } else {
                out.push(n.node.clone());
            }
        }
        out
    }

    /// A template that does not compile is reported now, not at the end of a run.
    fn template_compiles(&self, path: &Spanned<ast::Str>, full: &std::path::Path) -> bool {
        let Err(e) = crate::report::templates::syntax_check(full) else { return true };
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
            (Some(l), None) => format!("{}:{l}", e.file),
            _ => e.file.clone(),
        };
        let line = e.source_line.as_deref().map(|l| format!(", in `{}`", l.trim())).unwrap_or_default();
        self.push(
            Diagnostic::error(Code::BadTemplate, format!("the template does not compile: {}", e.message))
                .label(path.span, "this template")
                .help(format!("fix it at {at}{line}")),
        );
        false
    }

    fn user_template(&self, path: &Spanned<ast::Str>, output: Option<&Spanned<ast::Str>>) -> Option<UserTemplate> {
        let full = self.existing_file(path, "template")?;
        if !self.template_compiles(path, &full) {
            return None;
        }
        let output = match output {
            Some(o) => self.string(o)?,
            None => {
                let name = full.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                name.strip_suffix(".j2").map(str::to_string).unwrap_or(name)
            }
        };
        if output.is_empty() || output.contains(['/', '\\']) || output == "." || output == ".." {
            self.push(
                Diagnostic::error(Code::Conflict, format!("`{output}` cannot name a report file"))
                    .label(path.span, "template")
                    .help("give a plain file name: `template \"t.md.j2\" as \"summary.md\"`"),
            );
            return None;
        }
        Some(UserTemplate { path: full, output })
    }

    pub(super) fn expectations(&self, attacks: &[Attack]) -> Vec<Expectation> {
        // Attacks that failed their own checks are still valid targets: don't pile up errors.
        let declared: Vec<&str> = self
            .items()
            .filter_map(|i| match &i.node {
                Item::Attack(a) => Some(a.name.node.as_str()),
                _ => None,
            })
            .collect();
        let mut out = Vec::new();
        for item in self.items() {
            let Item::Expect(decl) = &item.node else { continue };
            let text = self.sources.get(item.span.file).text[item.span.start..item.span.end]
                .trim_start_matches("expect")
                .trim()
                .to_string();
            let metric = self.metric(&decl.metric);
            let target = if decl.target.node == "all" && declared.is_empty() {
                self.push(
                    Diagnostic::error(Code::NoAttacks, "`all` names no attack: the scenario declares none")
                        .label(decl.target.span, "nothing to measure")
                        .help("add `attack NAME on NODE { ... }`, or remove this `expect`"),
                );
                None
            } else if decl.target.node == "all" {
                Some(None)
            } else if declared.contains(&decl.target.node.as_str()) {
                Some(Some(decl.target.node.clone()))
            } else {
                self.known(&decl.target, &[declared.as_slice(), &["all"]].concat(), "attack", Code::UnknownStep);
                None
            };
            let (Some(metric), Some(target)) = (metric, target) else { continue };
            let Some(threshold) = self.threshold(metric, &decl.metric.node, &decl.value) else { continue };
            if let (Metric::Rate | Metric::Throughput, Threshold::Percent(_)) = (metric, threshold) {
                let closed = match &target {
                    Some(name) => attacks.iter().filter(|a| &a.name == name).any(|a| a.expected_requests().is_none()),
                    None => attacks.iter().any(|a| a.expected_requests().is_none()),
                };
                if closed {
                    self.push(
                        Diagnostic::error(
                            Code::UnitMismatch,
                            "a closed-model attack has no planned rate to compare with",
                        )
                        .label(decl.value.span, "a share of the planned rate")
                        .help("compare with an absolute rate like `100/s`, or target open-model attacks only"),
                    );
                    continue;
                }
            }
            out.push(Expectation { text, metric, target, op: decl.op.node, threshold });
        }
        out
    }

    fn metric(&self, name: &ast::Ident) -> Option<Metric> {
        let n = name.node.as_str();
        match Metric::from_name(n) {
            Some(Metric::Percentile(q)) if !Metric::is_percentile(q) => {
                self.push(
                    Diagnostic::error(Code::UnknownMetric, format!("`{n}` is not a percentile"))
                        .label(name.span, "out of range")
                        .help("percentiles go from p0.001 to p100, like `p99` or `p99.9`"),
                );
                None
            }
            Some(metric) => Some(metric),
            None => {
                self.push(
                    Diagnostic::error(Code::UnknownMetric, format!("unknown metric `{n}`"))
                        .label(name.span, "unknown")
                        .help(suggest(n, METRIC_NAMES.iter().copied())),
                );
                None
            }
        }
    }

    /// The threshold, in a unit the metric accepts.
    fn threshold(&self, metric: Metric, name: &str, value: &Spanned<Literal>) -> Option<Threshold> {
        let accepts: &[(&str, Rule)] = match metric {
            Metric::Percentile(_) | Metric::Mean | Metric::Min | Metric::Max => &[("a duration", Rule::duration)],
            Metric::Success => &[("a percentage", Rule::percent)],
            Metric::Errors => &[("a count", Rule::int), ("a percentage", Rule::percent)],
            Metric::Requests => &[("a count", Rule::int)],
            Metric::Rate | Metric::Throughput => &[("a rate", Rule::rate), ("a percentage", Rule::percent)],
        };
        let literal = match &value.node {
            Literal::Interp(i) => {
                let text = self.expand(&Spanned::new(value.span, i.clone()))?;
                let found = accepts.iter().find_map(|(_, rule)| parse_value(*rule, text.trim()).map(|t| (*rule, t)));
                match found {
                    Some((Rule::duration, t)) => Literal::Duration(t),
                    Some((Rule::percent, t)) => Literal::Percent(t),
                    Some((Rule::rate, t)) => Literal::Rate(t),
                    Some((_, t)) => Literal::Int(t),
                    None => Literal::Str(ast::Str { raw: text.clone(), parts: vec![ast::StrPart::Text(text)] }),
                }
            }
            // `expect` values are parsed as `literal`, where a whole number is a `number`.
            Literal::Number(t) if parse_value(Rule::int, t).is_some() => Literal::Int(t.clone()),
            other => other.clone(),
        };
        let lit = Spanned::new(value.span, literal);
        let threshold = match (&lit.node, metric) {
            (Literal::Duration(_), Metric::Percentile(_) | Metric::Mean | Metric::Min | Metric::Max) => {
                Threshold::Duration(self.duration(&lit)?)
            }
            (Literal::Percent(_), Metric::Success | Metric::Errors) => Threshold::Percent(self.share(&lit)?),
            (Literal::Percent(_), Metric::Rate | Metric::Throughput) => Threshold::Percent(self.percent(&lit)?),
            // The grammar reads a bare `6` as a number; `count` insists on a whole one.
            (Literal::Int(_) | Literal::Number(_), Metric::Errors | Metric::Requests) => {
                Threshold::Count(self.count(&lit, "a count", 0, u64::MAX)?)
            }
            (Literal::Rate(_), Metric::Rate | Metric::Throughput) => Threshold::Rate(self.rate(&lit)?),
            (other, _) => {
                let kinds: Vec<&str> = accepts.iter().map(|(k, _)| *k).collect();
                let example = match metric {
                    Metric::Percentile(_) | Metric::Mean | Metric::Min | Metric::Max => {
                        format!("expect {name}(all) < 250ms")
                    }
                    Metric::Success => "expect success(all) >= 99.5%".to_string(),
                    Metric::Errors => "expect errors(all) == 0".to_string(),
                    Metric::Requests => "expect requests(all) >= 1000".to_string(),
                    Metric::Rate | Metric::Throughput => format!("expect {name}(all) >= 99%"),
                };
                self.push(
                    Diagnostic::error(
                        Code::UnitMismatch,
                        format!(
                            "`{name}` is compared with {}, not {}",
                            kinds.join(" or "),
                            super::values::describe(other)
                        ),
                    )
                    .label(value.span, format!("expected {}", kinds.join(" or ")))
                    .help(format!("for example: `{example}`")),
                );
                return None;
            }
        };
        Some(threshold)
    }

    pub(super) fn notifications(&self) -> Vec<Notification> {
        let mut out = Vec::new();
        for item in self.items() {
            let Item::Notify(decl) = &item.node else { continue };
            let url = self.url(&decl.url);
            let mut seen = BTreeMap::new();
            let mut n = Notification {
                url: url.clone().unwrap_or_else(|| url::Url::parse("http://127.0.0.1/").expect("static URL")),
                template: None,
                when: ast::When::Always,
                headers: Vec::new(),
                retries: 3,
                timeout: Duration::from_secs(10),
            };
            let mut ok = url.is_some();
            for ni in &decl.items {
                let good = match &ni.node {
                    ast::NotifyItem::Template(path, output) => {
                        if output.is_some() {
                            self.push(
                                Diagnostic::error(Code::Conflict, "a notification template has no output file")
                                    .label(ni.span, "remove `as ...`")
                                    .help("the rendered template is the webhook's body"),
                            );
                            false
                        } else {
                            self.once(&mut seen, "template", ni.span)
                                && self
                                    .existing_file(path, "template")
                                    .filter(|p| self.template_compiles(path, p))
                                    .map(|p| n.template = Some(p))
                                    .is_some()
                        }
                    }
                    ast::NotifyItem::When(w) => {
                        self.once(&mut seen, "when", ni.span) && {
                            n.when = w.node;
                            true
                        }
                    }
                    ast::NotifyItem::Header(kv) => self.header(kv).map(|h| n.headers.push(h)).is_some(),
                    ast::NotifyItem::Retries(r) => {
                        self.once(&mut seen, "retries", ni.span)
                            && self.count(r, "`retries`", 0, 20).map(|r| n.retries = r as u32).is_some()
                    }
                    ast::NotifyItem::Timeout(t) => {
                        self.once(&mut seen, "timeout", ni.span)
                            && self.positive_duration(t, "`timeout`").map(|t| n.timeout = t).is_some()
                    }
                };
                ok &= good;
            }
            if ok {
                out.push(n);
            }
        }
        out
    }
}
