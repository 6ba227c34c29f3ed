//! Builds each request of an attack. Everything that can be prepared once is (URLs, header maps,
//! bodies, templates); per request only templated parts are rendered. Nodes are used round-robin.

use super::feeder::Feeder;
use super::targets_file;
use super::template::{RequestContext, Templates, Text};
use super::wire::{encode_request, Origin};
use crate::model::{Attack, Body, Header, RequestSource};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Uri};
use http_body_util::Full;
use std::sync::Arc;

/// A node as the attack sees it: its name, base URL and default headers.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub name: Arc<str>,
    pub base: url::Url,
    pub headers: Vec<Header>,
}

/// One request, ready to send.
pub struct Built {
    pub request: Prepared,
    /// Index of the target node in the attack's node list.
    pub node: u16,
    pub url: Arc<str>,
    pub method: Method,
    pub bytes_out: u64,
}

/// Where a request went and what it carried, for its result: node, URL, method, body length.
pub type Sent = (u16, Arc<str>, Method, u64);

impl Built {
    /// The request to send, and what its result records of it.
    pub fn split(self) -> (Prepared, Sent) {
        (self.request, (self.node, self.url, self.method, self.bytes_out))
    }
}

/// A request as the client takes it: prepared once and shared, or made for this request.
pub enum Prepared {
    Fixed(Arc<FixedRequest>),
    /// Made for this request (templated): boxed, it is much larger than a shared one.
    Parts(Box<RequestParts>),
}

/// A request's method, URI, headers and body.
#[derive(Debug, Clone)]
pub struct RequestParts {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RequestParts {
    /// The request as hyper takes it.
    pub fn into_hyper(self) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(self.body));
        *request.method_mut() = self.method;
        *request.uri_mut() = self.uri;
        *request.headers_mut() = self.headers;
        request
    }
}

/// A request that is the same every time, prepared once: for a plain `http://` URL, its bytes
/// on the wire too, so that sending it is one write.
#[derive(Debug)]
pub struct FixedRequest {
    pub parts: RequestParts,
    url: Arc<str>,
    node: u16,
    /// Where a plain HTTP/1.1 request goes, and the request encoded.
    pub http1: Option<(Origin, Vec<u8>)>,
}

impl FixedRequest {
    fn build(self: &Arc<Self>) -> Built {
        Built {
            request: Prepared::Fixed(self.clone()),
            node: self.node,
            url: self.url.clone(),
            method: self.parts.method.clone(),
            bytes_out: self.parts.body.len() as u64,
        }
    }
}

enum Kind {
    /// No template anywhere: one prepared request per node.
    Fixed(Vec<Arc<FixedRequest>>),
    /// A `request` with templated parts.
    Templated { method: Method, path: Text, headers: Vec<(HeaderName, Text)>, body: BodyText },
}

enum BodyText {
    Bytes(Bytes),
    Template(Text),
}

pub struct RequestFactory {
    kind: Kind,
    endpoints: Vec<Endpoint>,
    templates: Templates,
    feeder: Option<Feeder>,
}

impl std::fmt::Debug for RequestFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestFactory").field("endpoints", &self.endpoints).finish()
    }
}

impl RequestFactory {
    /// Prepares an attack's requests. `endpoints` are its nodes in order (empty for absolute URLs).
    pub fn new(attack: &Attack, endpoints: Vec<Endpoint>) -> Result<Self, String> {
        let mut templates = Templates::new();
        let spec = match &attack.request {
            RequestSource::Targets { path } => {
                let targets = targets_file::load(path)?;
                let close = !attack.keep_alive;
                let fixed = targets.iter().map(|t| fixed_from_target(t, close)).collect::<Result<Vec<_>, _>>()?;
                return Ok(RequestFactory { kind: Kind::Fixed(fixed), endpoints, templates, feeder: None });
            }
            RequestSource::Spec(spec) => spec,
        };
        let method = Method::from_bytes(spec.method.as_bytes())
            .map_err(|_| format!("`{}` is not an HTTP method", spec.method))?;
        let feeder = match &spec.feeder {
            Some(f) => Some(Feeder::load(&f.path, f.mode)?),
            None => None,
        };
        let compile = |templates: &mut Templates, what: &str, text: &str| {
            templates.compile(text).map_err(|e| format!("{what}: {e}"))
        };
        let path = compile(&mut templates, "request target", &spec.target)?;
        let mut headers = Vec::new();
        for h in &spec.headers {
            let name =
                HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| format!("`{}` is not a header name", h.name))?;
            headers.push((name, compile(&mut templates, "header value", &h.value)?));
        }
        let body = match &spec.body {
            Body::None => BodyText::Bytes(Bytes::new()),
            Body::File(path) => BodyText::Bytes(Bytes::from(
                std::fs::read(path).map_err(|e| format!("cannot read body file `{}`: {e}", path.display()))?,
            )),
            Body::Inline(text) => match compile(&mut templates, "body", text)? {
                Text::Static(s) => BodyText::Bytes(Bytes::from(s.as_bytes().to_vec())),
                t => BodyText::Template(t),
            },
        };
        let all_static = matches!(path, Text::Static(_))
            && headers.iter().all(|(_, t)| matches!(t, Text::Static(_)))
            && matches!(body, BodyText::Bytes(_))
            && feeder.is_none();
        let kind = if all_static {
            let Text::Static(path) = &path else { unreachable!("checked above") };
            let BodyText::Bytes(body) = &body else { unreachable!("checked above") };
            let fixed_headers: Vec<(HeaderName, String)> =
                headers.iter().map(|(n, t)| (n.clone(), static_text(t))).collect();
            let close = !attack.keep_alive;
            let fixed = if endpoints.is_empty() {
                vec![fixed_request(&method, path, None, &fixed_headers, body, 0, close)?]
            } else {
                endpoints
                    .iter()
                    .enumerate()
                    .map(|(i, e)| fixed_request(&method, path, Some(e), &fixed_headers, body, i as u16, close))
                    .collect::<Result<Vec<_>, _>>()?
            };
            Kind::Fixed(fixed)
        } else {
            Kind::Templated { method, path, headers, body }
        };
        Ok(RequestFactory { kind, endpoints, templates, feeder })
    }

    /// Gives the feeder (if any) only the rows of one shard of a split run.
    pub fn partition_feeder(&mut self, slice: crate::scale::shard::SeqSlice) -> Result<(), String> {
        match &mut self.feeder {
            Some(feeder) => feeder.partition(slice),
            None => Ok(()),
        }
    }

    /// Where request `seq` goes, without building it (for requests that are never sent).
    pub fn target_of(&self, seq: u64) -> (u16, Arc<str>, Method) {
        match &self.kind {
            Kind::Fixed(fixed) => {
                let f = &fixed[(seq % fixed.len() as u64) as usize];
                (f.node, f.url.clone(), f.parts.method.clone())
            }
            Kind::Templated { method, path, .. } => {
                let node = if self.endpoints.is_empty() { 0 } else { (seq % self.endpoints.len() as u64) as usize };
                let source = match path {
                    Text::Static(s) => s.to_string(),
                    Text::Template(_) => self.templates.source(path).unwrap_or_default(),
                };
                let url = match self.endpoints.get(node) {
                    Some(e) => format!("{}{source}", e.base.as_str().trim_end_matches('/')),
                    None => source,
                };
                (node as u16, url.into(), method.clone())
            }
        }
    }

    /// Builds request `seq`. `Err` is a message recorded as the request's error (nothing sent).
    pub fn build(&self, seq: u64) -> Result<Built, String> {
        match &self.kind {
            Kind::Fixed(fixed) => Ok(fixed[(seq % fixed.len() as u64) as usize].build()),
            Kind::Templated { method, path, headers, body } => {
                let node = if self.endpoints.is_empty() { 0 } else { (seq % self.endpoints.len() as u64) as usize };
                let endpoint = self.endpoints.get(node);
                let row = match &self.feeder {
                    Some(f) => {
                        Some(f.row(seq).ok_or_else(|| format!("feeder exhausted after {} rows (mode once)", f.len()))?)
                    }
                    None => None,
                };
                let context =
                    RequestContext { seq, node: endpoint.map(|e| e.name.clone()).unwrap_or_else(|| "".into()), row }
                        .value();
                let target = self.templates.render(path, &context)?;
                let url = join(endpoint, &target)?;
                let uri: Uri = url.as_str().parse().map_err(|e| format!("bad URL `{url}`: {e}"))?;
                let mut map = HeaderMap::new();
                if let Some(e) = endpoint {
                    add_node_headers(&mut map, e)?;
                }
                for (name, text) in headers {
                    let value = self.templates.render(text, &context)?;
                    map.insert(
                        name.clone(),
                        HeaderValue::from_str(&value)
                            .map_err(|_| format!("header `{name}` has an invalid value `{value}`"))?,
                    );
                }
                let body = match body {
                    BodyText::Bytes(b) => b.clone(),
                    BodyText::Template(t) => Bytes::from(self.templates.render(t, &context)?),
                };
                let bytes_out = body.len() as u64;
                let request =
                    Prepared::Parts(Box::new(RequestParts { method: method.clone(), uri, headers: map, body }));
                Ok(Built { request, node: node as u16, url: url.as_str().into(), method: method.clone(), bytes_out })
            }
        }
    }
}

fn static_text(t: &Text) -> String {
    match t {
        Text::Static(s) => s.to_string(),
        Text::Template(_) => unreachable!("only called on static text"),
    }
}

/// The node's URL joined with a path (or the absolute URL itself).
fn join(endpoint: Option<&Endpoint>, target: &str) -> Result<url::Url, String> {
    match endpoint {
        None => url::Url::parse(target).map_err(|e| format!("bad URL `{target}`: {e}")),
        Some(e) => {
            let base = e.base.as_str().trim_end_matches('/');
            url::Url::parse(&format!("{base}{target}")).map_err(|err| format!("bad URL `{base}{target}`: {err}"))
        }
    }
}

fn add_node_headers(map: &mut HeaderMap, endpoint: &Endpoint) -> Result<(), String> {
    for h in &endpoint.headers {
        let name =
            HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| format!("`{}` is not a header name", h.name))?;
        let value = HeaderValue::from_str(&h.value).map_err(|_| format!("header `{}` has an invalid value", h.name))?;
        map.insert(name, value);
    }
    Ok(())
}

fn fixed_request(
    method: &Method,
    path: &str,
    endpoint: Option<&Endpoint>,
    headers: &[(HeaderName, String)],
    body: &Bytes,
    node: u16,
    close: bool,
) -> Result<Arc<FixedRequest>, String> {
    let url = join(endpoint, path)?;
    let uri: Uri = url.as_str().parse().map_err(|e| format!("bad URL `{url}`: {e}"))?;
    let mut map = HeaderMap::new();
    if let Some(e) = endpoint {
        add_node_headers(&mut map, e)?;
    }
    for (name, value) in headers {
        map.insert(
            name.clone(),
            HeaderValue::from_str(value).map_err(|_| format!("header `{name}` has an invalid value `{value}`"))?,
        );
    }
    let http1 = Origin::of(&uri).map(|origin| {
        let mut wire = Vec::new();
        encode_request(method, &uri, &map, body, close, &mut wire);
        (origin, wire)
    });
    let parts = RequestParts { method: method.clone(), uri, headers: map, body: body.clone() };
    Ok(Arc::new(FixedRequest { parts, url: url.as_str().into(), node, http1 }))
}

fn fixed_from_target(t: &targets_file::Target, close: bool) -> Result<Arc<FixedRequest>, String> {
    let method =
        Method::from_bytes(t.method.as_bytes()).map_err(|_| format!("`{}` is not an HTTP method", t.method))?;
    let headers: Vec<(HeaderName, String)> = t
        .headers
        .iter()
        .map(|(n, v)| {
            HeaderName::from_bytes(n.as_bytes())
                .map(|n| (n, v.clone()))
                .map_err(|_| format!("`{n}` is not a header name"))
        })
        .collect::<Result<_, _>>()?;
    fixed_request(&method, t.url.as_str(), None, &headers, &t.body, 0, close)
}
