//! The `ATTACKS_*` lists → attacks: one entry per attack in each list (the lengths must agree),
//! each entry parsed as the operator's tools read it, targets matched to the nodes of `NODES`.

use super::config::{plural, AttackTarget, Builder, OperatorAttack, OperatorNode};
use super::values::{self, EntryRef};
use crate::diagnostic::{Code, Diagnostic};
use crate::parser::span::{Span, Spanned};

/// Attack names that would collide with the scenario language or the run folder's layout.
const RESERVED_ATTACK_NAMES: &[&str] = &["all", "health", "merged-results"];

/// The attack names and where they were written, for length messages.
struct Names {
    span: Span,
    names: Vec<String>,
}

/// One `ATTACKS_*` list, split, with one entry per attack once its length was checked.
type Column = Option<Vec<Spanned<String>>>;

impl Builder<'_> {
    pub(super) fn attacks(&mut self, nodes: &Option<Vec<OperatorNode>>) -> Option<Vec<OperatorAttack>> {
        let (names_value, name_entries) = self.list("ATTACKS_NAME", "one name per attack")?;
        if name_entries.is_empty() {
            self.push(
                Diagnostic::error(Code::NoAttacks, "`ATTACKS_NAME` is empty")
                    .label(names_value.span, "no attack")
                    .help("name one attack at least; every other ATTACKS_ list has one entry per name"),
            );
            return None;
        }
        let mut ok = true;
        let mut names: Vec<String> = Vec::new();
        for (i, entry) in name_entries.iter().enumerate() {
            let at = EntryRef { variable: "ATTACKS_NAME", index: i, entry, owner: None };
            match values::name(at, "an attack", RESERVED_ATTACK_NAMES) {
                Ok(name) => {
                    if let Some(j) = names.iter().position(|n| *n == name) {
                        let d = at
                            .error(
                                Code::Duplicate,
                                "names a second attack",
                                "attack names are their results folders: make them unique",
                            )
                            .label(name_entries[j].span, "first attack of that name");
                        self.push(d);
                        ok = false;
                    }
                    names.push(name);
                }
                Err(d) => {
                    self.push(d);
                    names.push(entry.node.clone());
                    ok = false;
                }
            }
        }
        let named = Names { span: names_value.span, names };
        let delays = self.column("ATTACKS_DELAY", "one delay per attack, in seconds", &named);
        let targets = self.column("ATTACKS_TARGET", "one `host/path` per attack", &named);
        let methods = self.column("ATTACKS_METHOD", "one HTTP method per attack", &named);
        let bodies = match self.file.value("ATTACKS_BODY") {
            Some(_) => self.column("ATTACKS_BODY", "one body per attack", &named),
            None => Some(vec![Spanned::new(names_value.span, String::new()); named.names.len()]),
        };
        let rates = self.column("ATTACKS_RATE", "one rate per attack, in requests per second", &named);
        let durations = self.column("ATTACKS_DURATION", "one duration per attack, in minutes", &named);
        let mut attacks = Vec::new();
        for (i, name) in named.names.iter().enumerate() {
            let owner = format!("attack `{name}`");
            fn cell<'a>(variable: &'a str, column: &'a Column, i: usize, owner: &'a str) -> Option<EntryRef<'a>> {
                column.as_ref().and_then(|c| c.get(i)).map(|entry| EntryRef {
                    variable,
                    index: i,
                    entry,
                    owner: Some(owner),
                })
            }
            let delay = self.parse(cell("ATTACKS_DELAY", &delays, i, &owner), values::seconds);
            let duration = self.parse(cell("ATTACKS_DURATION", &durations, i, &owner), values::minutes);
            let rate = self.parse(cell("ATTACKS_RATE", &rates, i, &owner), values::rate);
            let method = self.parse(cell("ATTACKS_METHOD", &methods, i, &owner), values::method);
            let target = self.parse(cell("ATTACKS_TARGET", &targets, i, &owner), values::target);
            let body = cell("ATTACKS_BODY", &bodies, i, &owner);
            if let Some(at) = body.filter(|at| at.entry.node.contains(['\\', '"'])) {
                self.push(at.warning(
                    Code::NotImported,
                    "holds `\\` or `\"`",
                    "the operator put bodies inside a jq string, where `\\` starts an escape and `\"` ends the string; the scenario sends the text as written",
                ));
            }
            let (Some(delay), Some(duration), Some(rate), Some(method), Some((address, path)), Some(body)) =
                (delay, duration, rate, method, target, body)
            else {
                ok = false;
                continue;
            };
            let target = match nodes.as_ref().and_then(|n| n.iter().position(|n| n.address.same_as(&address))) {
                Some(node) => AttackTarget::Node { node, path },
                None => {
                    let url = format!("{}{path}", address.url());
                    if let (Some(nodes), Some(at)) = (nodes, cell("ATTACKS_TARGET", &targets, i, &owner)) {
                        let listed: Vec<String> = nodes.iter().map(|n| n.address.url()).collect();
                        self.push(at.warning(
                            Code::UnknownNode,
                            &format!("targets {}, which is not in `NODES`", address.url()),
                            format!(
                                "the attack goes to `{url}` with no health gate on that host; NODES has {}",
                                listed.join(", ")
                            ),
                        ));
                    }
                    AttackTarget::Url(url)
                }
            };
            attacks.push(OperatorAttack {
                name: name.clone(),
                delay,
                duration,
                rate,
                method,
                target,
                body: body.entry.node.clone(),
            });
        }
        ok.then_some(attacks)
    }

    /// Parses one entry (when the list has it), reporting its problem.
    fn parse<T>(&mut self, at: Option<EntryRef>, parse: fn(EntryRef) -> Result<T, Diagnostic>) -> Option<T> {
        match parse(at?) {
            Ok(value) => Some(value),
            Err(d) => {
                self.push(d);
                None
            }
        }
    }

    /// A required `ATTACKS_*` list with one entry per attack; the first missing or extra entry
    /// is named when the lengths disagree.
    fn column(&mut self, variable: &str, help: &str, attacks: &Names) -> Column {
        let (value, entries) = self.list(variable, help)?;
        let (count, wanted) = (entries.len(), attacks.names.len());
        if count == wanted {
            return Some(entries);
        }
        let sep = self.sep();
        let help = if count < wanted {
            format!(
                "one entry per attack, separated by `{sep}`: attack {} (`{}`) has none",
                count + 1,
                attacks.names[count]
            )
        } else {
            format!(
                "one entry per attack, separated by `{sep}`: entry {} (`{}`) has no attack",
                wanted + 1,
                entries[wanted].node
            )
        };
        self.push(
            Diagnostic::error(
                Code::ListLength,
                format!(
                    "`{variable}` has {} but `ATTACKS_NAME` names {}",
                    plural(count, "entry", "entries"),
                    plural(wanted, "attack", "attacks")
                ),
            )
            .label(value.span, plural(count, "entry", "entries"))
            .label(attacks.span, plural(wanted, "attack", "attacks"))
            .help(help),
        );
        None
    }
}
