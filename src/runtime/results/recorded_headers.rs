//! Recorded response headers (e.g. `X-Server`): their canonical names and the interning of their
//! values. The first 64 distinct values of each header are counted apart; the rest share "other".

use hyper::header::HeaderValue;
use std::collections::HashMap;

/// Distinct values counted apart per header; more go to the "other" slot, so memory stays bounded.
pub const MAX_VALUES_PER_HEADER: usize = 64;
/// Slot of a record that has no value for the header (no response, or the response lacked it).
pub const ABSENT_SLOT: usize = 0;
/// Slot of a value beyond the first [`MAX_VALUES_PER_HEADER`] distinct ones.
pub const OTHER_SLOT: usize = 1;
/// Slot of the first interned value; value `i` is slot `FIRST_VALUE_SLOT + i`.
pub const FIRST_VALUE_SLOT: usize = 2;

/// Go's `http.CanonicalHeaderKey`, as vegeta writes header names: `x-server` → `X-Server`.
/// Names with characters outside a token are returned unchanged, like Go does.
pub fn canonical_header_name(name: &str) -> String {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !name.bytes().all(token) {
        return name.to_string();
    }
    let mut upper = true;
    name.chars()
        .map(|c| {
            let out = if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
            upper = c == '-';
            out
        })
        .collect()
}

/// Interns the values of each recorded header and tells which slot a record falls in.
#[derive(Debug, Default)]
pub struct HeaderValues {
    names: Vec<String>,
    values: Vec<Vec<HeaderValue>>,
    ids: Vec<HashMap<HeaderValue, usize>>,
}

impl HeaderValues {
    /// `names` are the recorded headers, in the attack's order (canonicalised here).
    pub fn new(names: &[String]) -> Self {
        HeaderValues {
            names: names.iter().map(|n| canonical_header_name(n)).collect(),
            values: vec![Vec::new(); names.len()],
            ids: vec![HashMap::new(); names.len()],
        }
    }

    /// The canonical names of the recorded headers.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Fills `slots` with one slot per recorded header for a record's `headers`: the slot of the
    /// header's first value, [`ABSENT_SLOT`] or [`OTHER_SLOT`].
    pub fn classify(&mut self, headers: &[(u16, HeaderValue)], slots: &mut Vec<usize>) {
        slots.clear();
        slots.resize(self.names.len(), ABSENT_SLOT);
        for (index, value) in headers {
            let header = usize::from(*index);
            debug_assert!(header < self.names.len(), "recorded header index {header} out of range");
            let Some(slot) = slots.get_mut(header) else { continue };
            if *slot != ABSENT_SLOT {
                continue;
            }
            *slot = match self.ids[header].get(value) {
                Some(&id) => FIRST_VALUE_SLOT + id,
                None if self.values[header].len() < MAX_VALUES_PER_HEADER => {
                    let id = self.values[header].len();
                    self.values[header].push(value.clone());
                    self.ids[header].insert(value.clone(), id);
                    FIRST_VALUE_SLOT + id
                }
                None => OTHER_SLOT,
            };
        }
    }

    /// The value slots of `header` with their text, sorted by text (a stable order for files).
    pub fn sorted_values(&self, header: usize) -> Vec<(usize, String)> {
        let mut values: Vec<(usize, String)> = self.values[header]
            .iter()
            .enumerate()
            .map(|(id, value)| (FIRST_VALUE_SLOT + id, value_text(value)))
            .collect();
        values.sort_by(|a, b| a.1.cmp(&b.1));
        values
    }
}

/// A header value as text (invalid UTF-8 replaced, since JSON and CSV need text).
pub fn value_text(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_match_go() {
        assert_eq!(canonical_header_name("x-server"), "X-Server");
        assert_eq!(canonical_header_name("CONTENT-TYPE"), "Content-Type");
        assert_eq!(canonical_header_name("x-b3-traceid"), "X-B3-Traceid");
        assert_eq!(canonical_header_name("bad name"), "bad name");
    }

    #[test]
    fn values_beyond_the_cap_share_other() {
        let mut values = HeaderValues::new(&["x-server".to_string(), "via".to_string()]);
        let mut slots = Vec::new();
        for i in 0..MAX_VALUES_PER_HEADER + 5 {
            let value = HeaderValue::from_str(&format!("10.0.0.{i}")).unwrap();
            values.classify(&[(0, value)], &mut slots);
            let expected = if i < MAX_VALUES_PER_HEADER { FIRST_VALUE_SLOT + i } else { OTHER_SLOT };
            assert_eq!(slots, vec![expected, ABSENT_SLOT]);
        }
        // The first value of a header wins; a known value keeps its slot.
        let a = HeaderValue::from_static("10.0.0.3");
        let b = HeaderValue::from_static("10.0.0.4");
        values.classify(&[(0, a), (0, b), (1, HeaderValue::from_static("proxy"))], &mut slots);
        assert_eq!(slots, vec![FIRST_VALUE_SLOT + 3, FIRST_VALUE_SLOT]);
        assert_eq!(values.sorted_values(1), vec![(FIRST_VALUE_SLOT, "proxy".to_string())]);
        assert_eq!(values.names(), ["X-Server", "Via"]);
    }
}
