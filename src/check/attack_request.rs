//! Checking an attack's request: method, path, headers, body (inline or from a file), and its
//! per-request templates and feeders; `existing_file` also serves targets files.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::parser::ast;
use crate::parser::span::Spanned;
use std::collections::BTreeMap;
use std::path::PathBuf;

impl Checker<'_> {
    pub(super) fn request(&self, req: &ast::RequestDecl, decl: &ast::AttackDecl) -> Option<RequestSource> {
        let method = self.method(&req.method);
        let target = self.string(&req.target);
        let mut ok = method.is_some() && target.is_some();
        if let Some(t) = &target {
            let absolute = t.starts_with("http://") || t.starts_with("https://");
            if absolute {
                let url_ok = url::Url::parse(t).map(|u| u.host().is_some()).unwrap_or(false);
                if !url_ok {
                    self.push(
                        Diagnostic::error(Code::BadUrl, format!("`{t}` is not a valid URL"))
                            .label(req.target.span, "not a valid URL")
                            .help(
                                "write an absolute URL like \"http://127.0.0.1:8080/path\", or a path like \"/path\"",
                            ),
                    );
                    ok = false;
                } else if let Some(node) = decl.nodes.first() {
                    self.push(
                        Diagnostic::error(Code::Conflict, "the request has an absolute URL and the attack names nodes")
                            .label(req.target.span, "absolute URL")
                            .label(node.span, "node")
                            .help("write a path like \"/function/figlet\" to use the nodes, or drop `on ...` to use the URL"),
                    );
                    ok = false;
                }
            } else if !t.starts_with('/') {
                self.push(
                    Diagnostic::error(Code::BadUrl, format!("`{t}` is neither a path nor a URL"))
                        .label(req.target.span, "not a path")
                        .help("write a path starting with `/` (appended to the node's URL) or an absolute \"http://...\" URL"),
                );
                ok = false;
            } else if decl.nodes.is_empty() {
                self.push(
                    Diagnostic::error(
                        Code::MissingTarget,
                        format!("attack `{}` sends to a path but names no node", decl.name.node),
                    )
                    .label(decl.name.span, "add `on NODE` here")
                    .help(format!("write `attack {} on NODE {{`, or use an absolute URL", decl.name.node)),
                );
                ok = false;
            }
        }
        let mut seen = BTreeMap::new();
        let mut spec = RequestSpec {
            method: method.unwrap_or_default(),
            target: target.unwrap_or_default(),
            headers: Vec::new(),
            body: Body::None,
            feeder: None,
        };
        for item in &req.items {
            let good = match &item.node {
                ast::RequestItem::Header(kv) => self.header(kv).map(|h| spec.headers.push(h)).is_some(),
                ast::RequestItem::Body(s) => {
                    self.once(&mut seen, "body", item.span)
                        && self.string(s).map(|b| spec.body = Body::Inline(b)).is_some()
                }
                ast::RequestItem::BodyFile(path) => {
                    self.once(&mut seen, "body", item.span)
                        && self.existing_file(path, "body file").map(|p| spec.body = Body::File(p)).is_some()
                }
                ast::RequestItem::Feeder(path, mode) => {
                    self.once(&mut seen, "feeder", item.span)
                        && self
                            .existing_file(path, "feeder file")
                            .map(|p| {
                                spec.feeder = Some(Feeder {
                                    path: p,
                                    mode: mode.as_ref().map(|m| m.node).unwrap_or(ast::FeederMode::Cycle),
                                })
                            })
                            .is_some()
                }
            };
            ok &= good;
        }
        ok &= self.templates(req, spec.feeder.is_some());
        ok.then_some(RequestSource::Spec(spec))
    }

    /// Per-request templates (target, header values, inline body) must compile and name only
    /// known placeholders, so that a run never starts with a request it cannot build.
    pub(super) fn templates(&self, req: &ast::RequestDecl, has_feeder: bool) -> bool {
        let mut texts: Vec<(&Spanned<ast::Str>, &str)> = vec![(&req.target, "request target")];
        for item in &req.items {
            match &item.node {
                ast::RequestItem::Header(kv) => texts.push((&kv.value, "header value")),
                ast::RequestItem::Body(s) => texts.push((s, "body")),
                _ => {}
            }
        }
        let mut ok = true;
        for (text, what) in texts {
            let Some(source) = self.string(text) else { continue };
            if !source.contains("{{") && !source.contains("{%") && !source.contains("{#") {
                continue;
            }
            let env = minijinja::Environment::new();
            let template = match env.template_from_str(&source) {
                Ok(t) => t,
                Err(e) => {
                    self.push(
                        Diagnostic::error(
                            Code::BadTemplate,
                            format!("the {what} template does not compile: {}", e.detail().unwrap_or("syntax error")),
                        )
                        .label(text.span, format!("template error on its line {}", e.line().unwrap_or(1)))
                        .help("placeholders are written `{{ seq }}`; to send `{{` literally, write `{{ \"{{\" }}`"),
                    );
                    ok = false;
                    continue;
                }
            };
            let mut names: Vec<String> = template.undeclared_variables(false).into_iter().collect();
            names.sort();
            for name in names {
                if !TEMPLATE_PLACEHOLDERS.contains(&name.as_str()) {
                    self.push(
                        Diagnostic::error(Code::BadTemplate, format!("unknown placeholder `{name}` in the {what}"))
                            .label(text.span, format!("uses `{{{{ {name} }}}}`"))
                            .help(crate::diagnostic::suggest(&name, TEMPLATE_PLACEHOLDERS.iter().copied())),
                    );
                    ok = false;
                } else if name == "feeder" && !has_feeder {
                    self.push(
                        Diagnostic::error(
                            Code::BadTemplate,
                            format!("the {what} uses `feeder` but the request has no feeder"),
                        )
                        .label(text.span, "uses `{{ feeder.… }}`")
                        .help("add `feeder csv \"rows.csv\"` to the request block"),
                    );
                    ok = false;
                }
            }
        }
        ok
    }

    /// A path relative to the declaring file that must name an existing file.
    pub(super) fn existing_file(&self, path: &Spanned<ast::Str>, what: &str) -> Option<PathBuf> {
        let text = self.string(path)?;
        let full = self.base_dir(path.span).join(&text);
        if full.is_file() {
            return Some(full);
        }
        let looked_for = super::load::relative_name(&self.sources.get(path.span.file).name, &text);
        self.push(
            Diagnostic::error(Code::Io, format!("{what} `{text}` does not exist"))
                .label(path.span, format!("looked for {looked_for}"))
                .help("paths are relative to the scenario file that names them"),
        );
        None
    }
}
