//! Variables: `let` declarations, `--set name=value` overrides and the environment, and the
//! expansion of `${NAME}` / `${NAME:-default}`. Lookup order: `--set`, `let`, environment, default.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::parser::ast::{Interp, Literal, Str, StrPart};
use crate::parser::span::{Span, Spanned};

/// How many `let` variables may refer to each other in a chain (`${a}` → `${b}` → ...). Deeper
/// chains are refused instead of recursing without bound.
pub const MAX_NESTING: usize = 32;

/// A `let` declaration as seen by the expander.
#[derive(Debug, Clone)]
pub struct LetVar {
    pub value: Spanned<Literal>,
    pub span: Span,
}

impl Checker<'_> {
    /// Expands one `${...}`. An unset variable without default is a diagnostic.
    pub(super) fn expand(&self, interp: &Spanned<Interp>) -> Option<String> {
        let name = &interp.node.name;
        self.used_vars.borrow_mut().insert(name.clone());
        if let Some((_, value)) = self.options.overrides.iter().rev().find(|(n, _)| n == name) {
            return Some(value.clone());
        }
        if let Some(var) = self.lets.get(name) {
            if self.expanding.borrow().contains(name) {
                let chain = self.expanding.borrow().join(" → ");
                self.push(
                    Diagnostic::error(
                        Code::BadInterpolation,
                        format!("variable `{name}` refers to itself ({chain} → {name})"),
                    )
                    .label(interp.span, "expanded here")
                    .help("break the cycle by giving one of the variables a literal value"),
                );
                return None;
            }
            if self.expanding.borrow().len() >= MAX_NESTING {
                self.push(
                    Diagnostic::error(
                        Code::BadInterpolation,
                        format!("variable `{name}` nests more than {MAX_NESTING} variables deep"),
                    )
                    .label(interp.span, "expanded here")
                    .help("give one of the variables of the chain a literal value"),
                );
                return None;
            }
            self.expanding.borrow_mut().push(name.clone());
            let value = self.let_text(&var.value);
            self.expanding.borrow_mut().pop();
            return value;
        }
        if let Some(value) = (self.options.env)(name) {
            return Some(value);
        }
        if let Some(default) = &interp.node.default {
            return Some(default.clone());
        }
        let lets: Vec<&str> = self.lets.keys().map(String::as_str).collect();
        let mut d = Diagnostic::error(Code::UnsetVariable, format!("variable `{name}` is not set"))
            .label(interp.span, "used here")
            .help(format!(
                "set it in the environment, pass `--set {name}=VALUE`, or give a default: `${{{name}:-VALUE}}`"
            ));
        if let Some(hint) = crate::diagnostic::did_you_mean(name, lets) {
            d = d.help(format!(
                "{hint} (a `let` variable); otherwise set it in the environment or pass `--set {name}=VALUE`"
            ));
        }
        self.push(d);
        None
    }

    /// The text a `let` value stands for inside `${...}`.
    fn let_text(&self, value: &Spanned<Literal>) -> Option<String> {
        match &value.node {
            Literal::Str(s) => self.expand_parts(&s.parts),
            Literal::Interp(i) => self.expand(&Spanned::new(value.span, i.clone())),
            Literal::StatusRange(lo, hi) => Some(format!("{lo}..{hi}")),
            Literal::Duration(t)
            | Literal::Rate(t)
            | Literal::Percent(t)
            | Literal::Size(t)
            | Literal::Int(t)
            | Literal::Number(t)
            | Literal::StatusClass(t) => Some(t.clone()),
        }
    }

    /// A string literal with every `${...}` expanded.
    pub(super) fn string(&self, s: &Spanned<Str>) -> Option<String> {
        self.expand_parts(&s.node.parts)
    }

    fn expand_parts(&self, parts: &[StrPart]) -> Option<String> {
        let mut out = String::new();
        let mut ok = true;
        for part in parts {
            match part {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Interp(i) => match self.expand(i) {
                    Some(v) => out.push_str(&v),
                    None => ok = false,
                },
            }
        }
        ok.then_some(out)
    }

    /// `--set` names that match no `let` and no `${...}` anywhere: almost certainly typos.
    pub(super) fn check_overrides(&self) {
        let used = self.used_vars.borrow();
        for (name, _) in &self.options.overrides {
            if self.lets.contains_key(name) || used.contains(name) {
                continue;
            }
            let known: Vec<&str> =
                self.lets.keys().map(String::as_str).chain(used.iter().map(String::as_str)).collect();
            self.push(unknown_override(name, &known));
        }
    }
}

/// `--set NAME=...` where no scenario checked uses `NAME`; `known` are the variables they use.
pub fn unknown_override(name: &str, known: &[&str]) -> Diagnostic {
    let mut known = known.to_vec();
    known.sort_unstable();
    known.dedup();
    let help = match crate::diagnostic::did_you_mean(name, known.iter().copied()) {
        Some(hint) => format!("{hint} (`--set` only sets variables the scenario uses)"),
        None if known.is_empty() => format!("the scenario uses no variable; remove `--set {name}=...`"),
        None => format!("the scenario's variables are {}; remove `--set {name}=...` or fix its name", quoted(&known)),
    };
    Diagnostic::error(Code::UnknownOverride, format!("`--set {name}=...` matches no variable of the scenario"))
        .help(help)
}

/// "`a`, `b` and `c`".
fn quoted(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}
