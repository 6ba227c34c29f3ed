//! The lexer state where a syntax error happened: which blocks are open, and whether the error
//! is inside a string or a `${...}` — read from the text with the grammar's trivia rules.

/// The lexer state at the error: open blocks (`{` offsets) and whether it is inside a string or
/// a `${...}`. Follows the grammar's trivia: `#` comments, `"..."` and `"""..."""` strings.
pub(super) struct Scan {
    pub open_braces: Vec<usize>,
    pub open_string: Option<usize>,
    pub open_interp: Option<usize>,
}

impl Scan {
    pub fn new(text: &str, from: usize, to: usize) -> Scan {
        let bytes = text.as_bytes();
        let mut scan = Scan { open_braces: Vec::new(), open_string: None, open_interp: None };
        let mut raw = false;
        let mut i = from;
        while i < to {
            let rest = &bytes[i..];
            match (scan.open_string, scan.open_interp) {
                (_, Some(_)) => {
                    if rest[0] == b'}' {
                        scan.open_interp = None;
                    }
                    i += 1;
                }
                (Some(_), None) => {
                    if rest.starts_with(b"${") {
                        scan.open_interp = Some(i);
                        i += 2;
                    } else if raw && rest.starts_with(b"\"\"\"") {
                        scan.open_string = None;
                        i += 3;
                    } else if !raw && (rest[0] == b'"' || rest[0] == b'\n') {
                        scan.open_string = None;
                        i += 1;
                    } else if !raw && rest[0] == b'\\' {
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                (None, None) => {
                    match rest[0] {
                        b'#' => i = text[i..].find('\n').map_or(to, |n| i + n),
                        b'"' => {
                            raw = rest.starts_with(b"\"\"\"");
                            scan.open_string = Some(i);
                            i += if raw { 3 } else { 1 };
                            continue;
                        }
                        b'{' => scan.open_braces.push(i),
                        b'}' => {
                            scan.open_braces.pop();
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
        }
        scan
    }
}
