//! Per-request templates (`{{ seq }}`, `{{ uuid }}`, `{{ feeder.user }}`, ...), compiled once per
//! attack. Text without `{{`/`{%` is kept as is and costs nothing per request.

use super::feeder::Row;
use minijinja::value::{Enumerator, Object, Value};
use minijinja::Environment;
use std::sync::Arc;
use std::time::SystemTime;

pub use crate::model::TEMPLATE_PLACEHOLDERS as PLACEHOLDERS;

/// A piece of request text: fixed, or a compiled template.
#[derive(Debug, Clone)]
pub enum Text {
    Static(Arc<str>),
    Template(String),
}

/// All templates of one attack, compiled into one environment.
pub struct Templates {
    env: Environment<'static>,
    count: usize,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Templates({})", self.count)
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_function("random_int", |lo: i64, hi: i64| -> Result<i64, minijinja::Error> {
            if lo > hi {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    "random_int(lo, hi) needs lo ≤ hi",
                ));
            }
            Ok(rand::random_range(lo..=hi))
        });
        Templates { env, count: 0 }
    }

    /// Compiles `source` if it has template syntax; `Err` carries minijinja's message.
    pub fn compile(&mut self, source: &str) -> Result<Text, String> {
        if !source.contains("{{") && !source.contains("{%") && !source.contains("{#") {
            return Ok(Text::Static(source.into()));
        }
        let name = format!("t{}", self.count);
        self.count += 1;
        self.env.add_template_owned(name.clone(), source.to_string()).map_err(|e| describe(&e))?;
        Ok(Text::Template(name))
    }

    /// The source of a compiled template (for describing requests that were never built).
    pub fn source(&self, text: &Text) -> Option<String> {
        match text {
            Text::Static(s) => Some(s.to_string()),
            Text::Template(name) => self.env.get_template(name).ok().map(|t| t.source().to_string()),
        }
    }

    /// Renders `text` for one request.
    pub fn render(&self, text: &Text, context: &Value) -> Result<String, String> {
        match text {
            Text::Static(s) => Ok(s.to_string()),
            Text::Template(name) => {
                let template = self.env.get_template(name).map_err(|e| describe(&e))?;
                template.render(context).map_err(|e| describe(&e))
            }
        }
    }
}

fn describe(error: &minijinja::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// What a template sees for one request. Values are computed only when the template uses them.
#[derive(Debug)]
pub struct RequestContext {
    pub seq: u64,
    pub node: Arc<str>,
    pub row: Option<Row>,
}

impl RequestContext {
    pub fn value(self) -> Value {
        Value::from_object(self)
    }
}

impl Object for RequestContext {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let now = || SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
        Some(match key.as_str()? {
            "seq" => Value::from(self.seq),
            "uuid" => Value::from(uuid::Uuid::new_v4().to_string()),
            "random" => Value::from(rand::random::<u32>()),
            "timestamp" => {
                let format = time::format_description::well_known::Rfc3339;
                Value::from(time::OffsetDateTime::now_utc().format(&format).unwrap_or_default())
            }
            "unix" => Value::from(now().as_secs()),
            "unix_ms" => Value::from(now().as_millis() as u64),
            "node" => Value::from(self.node.as_ref()),
            "feeder" => self.row.clone().map(Value::from_object).unwrap_or(Value::UNDEFINED),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(PLACEHOLDERS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(seq: u64) -> Value {
        RequestContext { seq, node: "edge".into(), row: None }.value()
    }

    #[test]
    fn static_text_is_not_compiled() {
        let mut t = Templates::new();
        let text = t.compile("/function/figlet").expect("compiles");
        assert!(matches!(text, Text::Static(_)));
        assert_eq!(t.render(&text, &ctx(1)).as_deref(), Ok("/function/figlet"));
    }

    #[test]
    fn placeholders_render_per_request() {
        let mut t = Templates::new();
        let text = t.compile("hello {{ seq }} from {{ node }}").expect("compiles");
        assert_eq!(t.render(&text, &ctx(7)).as_deref(), Ok("hello 7 from edge"));
        let uuid = t.compile("{{ uuid }}").expect("compiles");
        let a = t.render(&uuid, &ctx(1)).expect("renders");
        let b = t.render(&uuid, &ctx(1)).expect("renders");
        assert_eq!(a.len(), 36);
        assert_ne!(a, b);
        let r = t.compile("{{ random_int(3, 3) }}").expect("compiles");
        assert_eq!(t.render(&r, &ctx(1)).as_deref(), Ok("3"));
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        let mut t = Templates::new();
        assert!(t.compile("{{ seq ").is_err());
        let unknown = t.compile("{{ nope }}").expect("compiles");
        assert!(t.render(&unknown, &ctx(1)).is_err());
    }
}
