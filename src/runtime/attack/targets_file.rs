//! vegeta's HTTP targets format (`targets "file"`): `METHOD URL`, header lines, optional
//! `@body-file`, blank line between targets, `#` comments. Used round-robin, as vegeta does.

use bytes::Bytes;
use std::path::Path;

/// One target of a targets file.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub method: String,
    pub url: url::Url,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// Reads a targets file. Body paths (`@file`) are relative to the targets file's folder.
pub fn load(path: &Path) -> Result<Vec<Target>, String> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read targets file `{shown}`: {e}"))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&text, dir).map_err(|e| format!("targets file `{shown}`: {e}"))
}

fn parse(text: &str, dir: &Path) -> Result<Vec<Target>, String> {
    let mut targets: Vec<Target> = Vec::new();
    let mut current: Option<Target> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            targets.extend(current.take());
            continue;
        }
        match &mut current {
            None => {
                let (method, url) = line
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| format!("line {n}: expected `METHOD URL`, found `{line}`"))?;
                if method.is_empty() || !method.chars().all(|c| c.is_ascii_uppercase()) {
                    return Err(format!("line {n}: `{method}` is not an HTTP method"));
                }
                let url =
                    url::Url::parse(url.trim()).map_err(|e| format!("line {n}: bad URL `{}`: {e}", url.trim()))?;
                if url.scheme() != "http" && url.scheme() != "https" {
                    return Err(format!("line {n}: `{url}` is not an http(s) URL"));
                }
                current = Some(Target { method: method.to_string(), url, headers: Vec::new(), body: Bytes::new() });
            }
            Some(target) => {
                if let Some(file) = line.strip_prefix('@') {
                    let body_path = dir.join(file.trim());
                    let body = std::fs::read(&body_path)
                        .map_err(|e| format!("line {n}: cannot read body `{}`: {e}", body_path.display()))?;
                    target.body = Bytes::from(body);
                } else if let Some((name, value)) = line.split_once(':') {
                    target.headers.push((name.trim().to_string(), value.trim().to_string()));
                } else {
                    return Err(format!("line {n}: expected `Header: value` or `@body-file`, found `{line}`"));
                }
            }
        }
    }
    targets.extend(current);
    if targets.is_empty() {
        return Err("no targets".to_string());
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vegeta_targets() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("thing.json"), b"{\"a\":1}").expect("write");
        let text = "# comment\nGET http://127.0.0.1:8080/a?b=1\nX-Account-ID: 8675309\n\nPOST http://127.0.0.1:8080/things\n@thing.json\n";
        let targets = parse(text, dir.path()).expect("parses");
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].method, "GET");
        assert_eq!(targets[0].headers, vec![("X-Account-ID".to_string(), "8675309".to_string())]);
        assert_eq!(targets[1].body.as_ref(), b"{\"a\":1}");
    }

    #[test]
    fn errors_name_the_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(parse("get http://x/\n", dir.path()).unwrap_err().contains("line 1"));
        assert!(parse("GET notaurl\n", dir.path()).unwrap_err().contains("line 1"));
        assert!(parse("GET http://127.0.0.1/\nbad header line\n", dir.path()).unwrap_err().contains("line 2"));
        assert!(parse("", dir.path()).is_err());
    }
}
