//! The syntax tree of a `.dfs` file, exactly as written: literals keep their source text, blocks
//! keep their items in order, every node carries its span. The checker turns it into a `Scenario`.

use super::span::Spanned;

pub type Ident = Spanned<String>;

/// A parsed file: its top-level declarations in source order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    pub items: Vec<Spanned<Item>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Scenario(Spanned<Str>),
    Import(Spanned<Str>),
    Let(LetDecl),
    Node(NodeDecl),
    Function(FunctionDecl),
    Health(HealthDecl),
    Deploy(DeployDecl),
    Teardown(DeployDecl),
    Wait(Spanned<Literal>),
    Attack(AttackDecl),
    Report(ReportDecl),
    Expect(ExpectDecl),
    Notify(NotifyDecl),
}

/// A string literal: its source text (quotes included) and its parts after unescaping.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    pub raw: String,
    pub parts: Vec<StrPart>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Text(String),
    Interp(Spanned<Interp>),
}

/// `${NAME}` or `${NAME:-default}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Interp {
    pub name: String,
    pub default: Option<String>,
}

/// A value as written. Unit literals keep their text; the checker converts them.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(Str),
    Duration(String),
    Rate(String),
    Percent(String),
    Size(String),
    Int(String),
    Number(String),
    StatusClass(String),
    StatusRange(String, String),
    Interp(Interp),
}

/// `name = value` pairs: headers, labels, environment variables.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    pub key: Spanned<Str>,
    pub value: Spanned<Str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub value: Spanned<Literal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeDecl {
    pub name: Ident,
    pub items: Vec<Spanned<NodeItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeItem {
    Url(Spanned<Str>),
    Header(KeyValue),
    Demo(Vec<Spanned<DemoItem>>),
    Gateway(Vec<Spanned<GatewayItem>>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DemoItem {
    Latency(Spanned<Literal>, Option<Spanned<Literal>>),
    Errors(Spanned<Literal>),
    MaxRate(Spanned<Literal>),
    ForwardTo(Vec<Ident>),
    Server(Spanned<Str>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum GatewayItem {
    Url(Spanned<Str>),
    User(Spanned<Str>),
    Password(Spanned<Str>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthDecl {
    pub nodes: Vec<Ident>,
    pub items: Vec<Spanned<HealthItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HealthItem {
    Request(RequestDecl),
    ExpectStatus(Vec<Spanned<Literal>>),
    ExpectBody(Spanned<BodyOp>, Spanned<Str>),
    ExpectJson(Spanned<Str>, Spanned<CmpOp>, Spanned<JsonValue>),
    Every(Spanned<Literal>),
    Within(Spanned<Literal>),
    Consecutive(Spanned<Literal>),
    Tries(Spanned<Literal>),
    Timeout(Spanned<Literal>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyOp {
    Contains,
    Matches,
    Equals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CmpOp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    Str(Str),
    Bool(bool),
    Null,
    Number(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDecl {
    pub name: Ident,
    pub items: Vec<Spanned<FunctionItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FunctionItem {
    Image(Spanned<Str>),
    Service(Spanned<Str>),
    Label(KeyValue),
    Env(KeyValue),
}

/// `deploy f1, f2 on n1, n2 { ... }` and `teardown ...` share this shape.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployDecl {
    pub functions: Vec<Ident>,
    pub nodes: Vec<Ident>,
    pub items: Vec<Spanned<DeployItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeployItem {
    Label(KeyValue),
    Retries(Spanned<Literal>),
    Every(Spanned<Literal>),
    Timeout(Spanned<Literal>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttackDecl {
    pub name: Ident,
    pub nodes: Vec<Ident>,
    pub items: Vec<Spanned<AttackItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttackItem {
    After(Vec<Ident>),
    Delay(Spanned<Literal>),
    Duration(Spanned<Literal>),
    Rate(Spanned<Literal>),
    Stages(Vec<Spanned<StageDecl>>),
    Workers(Spanned<Literal>),
    MaxInFlight(Spanned<Literal>),
    Timeout(Spanned<Literal>),
    Connections(Spanned<Literal>),
    KeepAlive(Spanned<bool>),
    Http2,
    Insecure,
    Success(Vec<Spanned<Literal>>),
    RecordHeader(Spanned<Str>),
    RecordBody(Option<Spanned<Literal>>),
    Request(RequestDecl),
    Targets(Spanned<Str>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StageDecl {
    Ramp { from: Spanned<Literal>, to: Spanned<Literal>, over: Spanned<Literal> },
    Hold { rate: Spanned<Literal>, duration: Spanned<Literal> },
    Step { from: Spanned<Literal>, to: Spanned<Literal>, by: Spanned<Literal>, every: Spanned<Literal> },
}

/// `request METHOD "path-or-url" { header/body/feeder }`, used by attacks and health gates.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDecl {
    pub method: Ident,
    pub target: Spanned<Str>,
    pub items: Vec<Spanned<RequestItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RequestItem {
    Header(KeyValue),
    Body(Spanned<Str>),
    BodyFile(Spanned<Str>),
    Feeder(Spanned<Str>, Option<Spanned<FeederMode>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeederMode {
    Cycle,
    Once,
    Random,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportDecl {
    pub items: Vec<Spanned<ReportItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReportItem {
    Formats(Vec<Ident>),
    Plots(Vec<Ident>),
    Template(Spanned<Str>, Option<Spanned<Str>>),
    Output(Spanned<Str>),
}

/// `expect p99(spike) < 250ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectDecl {
    pub metric: Ident,
    pub target: Ident,
    pub op: Spanned<CmpOp>,
    pub value: Spanned<Literal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NotifyDecl {
    pub url: Spanned<Str>,
    pub items: Vec<Spanned<NotifyItem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NotifyItem {
    Template(Spanned<Str>, Option<Spanned<Str>>),
    When(Spanned<When>),
    Header(KeyValue),
    Retries(Spanned<Literal>),
    Timeout(Spanned<Literal>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum When {
    Always,
    Failure,
    Success,
}
