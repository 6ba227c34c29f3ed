//! Entries + comments → canonical text: attaches every comment to its place (before an entry,
//! after it on its line, after a `{`, at the end of a block), then prints with the layout rules.

use super::entries::{Entry, Kind};
use super::trivia::{Comment, Trivia};

/// Longest line (in characters, indentation included) a one-item block may take on one line.
pub const MAX_ONE_LINE_WIDTH: usize = 100;

/// The text of one indentation level.
const INDENT: &str = "  ";

/// An entry with its comments attached.
struct Placed<'e> {
    entry: &'e Entry,
    /// Comments inside the entry's head (`rate # why\n 5/s`), printed on their own lines before it.
    inner: Vec<Comment>,
    /// The comment after the entry on its last line.
    trailing: Option<Comment>,
    /// Where the entry ends in the source, trailing trivia excluded.
    end: usize,
    body: Option<Body<'e>>,
}

/// A block whose braces are printed.
struct Body<'e> {
    /// The comment after `{` on its line.
    opening: Option<Comment>,
    elements: Vec<Element<'e>>,
}

enum Element<'e> {
    Comment(Comment),
    Entry(Placed<'e>),
}

impl Element<'_> {
    fn start(&self) -> usize {
        match self {
            Element::Comment(c) => c.start,
            Element::Entry(p) => p.entry.start,
        }
    }

    fn end(&self) -> usize {
        match self {
            Element::Comment(c) => c.end,
            Element::Entry(p) => p.trailing.map_or(p.end, |c| c.end),
        }
    }
}

/// Prints a whole file.
pub fn render(entries: &[Entry], trivia: &Trivia) -> String {
    let elements = place_all(entries, trivia, 0, trivia.text().len(), None).1;
    let mut printer = Printer { trivia, out: String::new(), printed_comments: 0 };
    printer.elements(&elements, 0, true);
    debug_assert_eq!(printer.printed_comments, trivia.comment_count(), "every comment is printed once");
    printer.out
}

/// Places `entries` (in source order) and the comments of `[lo, hi)` around them. Returns the
/// comment right after `open` on its line, if any, and the elements in order.
fn place_all<'e>(
    entries: &'e [Entry],
    trivia: &Trivia,
    lo: usize,
    hi: usize,
    open: Option<usize>,
) -> (Option<Comment>, Vec<Element<'e>>) {
    let mut opening = None;
    let mut elements: Vec<Element> = Vec::new();
    let mut pending = entries.iter().map(|e| place(e, trivia)).peekable();
    let mut inside_until = lo;
    for &comment in trivia.comments_in(lo, hi) {
        while let Some(next) = pending.next_if(|p| p.entry.start < comment.start) {
            inside_until = next.end;
            elements.push(Element::Entry(next));
        }
        if comment.start < inside_until {
            continue; // inside the last entry: placed by it
        }
        match elements.last_mut() {
            Some(Element::Entry(last)) if last.trailing.is_none() && trivia.same_line(last.end, comment.start) => {
                last.trailing = Some(comment)
            }
            None if open.is_some_and(|at| trivia.same_line(at, comment.start)) => opening = Some(comment),
            _ => elements.push(Element::Comment(comment)),
        }
    }
    elements.extend(pending.map(Element::Entry));
    (opening, elements)
}

fn place<'e>(entry: &'e Entry, trivia: &Trivia) -> Placed<'e> {
    let end = trivia.tight_end(entry.start, entry.end);
    let open = entry.block.as_ref().and_then(|b| trivia.find_open(b.header_end, end));
    let Some((spec, open)) = entry.block.as_ref().zip(open) else {
        let inner = trivia.comments_in(entry.start, end).to_vec();
        return Placed { entry, inner, trailing: None, end, body: None };
    };
    let close = end - 1;
    debug_assert_eq!(trivia.text().as_bytes().get(close), Some(&b'}'), "grammar: a block ends with `}}`");
    let inner = trivia.comments_in(entry.start, open).to_vec();
    let (opening, elements) = place_all(&spec.entries, trivia, open + 1, close, Some(open));
    let empty = opening.is_none() && elements.is_empty();
    let body = (!empty || spec.required).then_some(Body { opening, elements });
    Placed { entry, inner, trailing: None, end, body }
}

struct Printer<'t, 'a> {
    trivia: &'t Trivia<'a>,
    out: String,
    printed_comments: usize,
}

impl Printer<'_, '_> {
    fn elements(&mut self, elements: &[Element], depth: usize, top_level: bool) {
        for (i, element) in elements.iter().enumerate() {
            if i > 0 {
                let previous = &elements[i - 1];
                let blank = self.trivia.has_blank_line(previous.end(), element.start())
                    || (top_level && separates_groups(previous, &elements[i..]));
                if blank {
                    self.out.push('\n');
                }
            }
            match element {
                Element::Comment(c) => self.comment_line(*c, depth),
                Element::Entry(placed) => self.entry(placed, depth),
            }
        }
    }

    fn comment_line(&mut self, comment: Comment, depth: usize) {
        self.indent(depth);
        self.comment(comment);
        self.out.push('\n');
    }

    fn comment(&mut self, comment: Comment) {
        self.out.push_str(self.trivia.comment_text(comment));
        self.printed_comments += 1;
    }

    fn entry(&mut self, placed: &Placed, depth: usize) {
        for &c in &placed.inner {
            self.comment_line(c, depth);
        }
        self.indent(depth);
        self.out.push_str(&placed.entry.head);
        if let Some(body) = &placed.body {
            self.body(placed, body, depth);
        }
        if let Some(c) = placed.trailing {
            self.out.push(' ');
            self.comment(c);
        }
        self.out.push('\n');
    }

    fn body(&mut self, placed: &Placed, body: &Body, depth: usize) {
        if body.opening.is_none() && body.elements.is_empty() {
            self.out.push_str(" {}");
            return;
        }
        if let Some(item) = one_line_item(placed, body, depth) {
            self.out.push_str(" { ");
            self.out.push_str(item);
            self.out.push_str(" }");
            return;
        }
        self.out.push_str(" {");
        if let Some(c) = body.opening {
            self.out.push(' ');
            self.comment(c);
        }
        self.out.push('\n');
        self.elements(&body.elements, depth + 1, false);
        self.indent(depth);
        self.out.push('}');
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str(INDENT);
        }
    }
}

/// The single item of a block that stays on one line: one entry without braces or comments,
/// on one line, and the whole line fits in `MAX_ONE_LINE_WIDTH` columns.
fn one_line_item<'p>(placed: &Placed, body: &'p Body, depth: usize) -> Option<&'p str> {
    let [Element::Entry(item)] = body.elements.as_slice() else { return None };
    let simple = body.opening.is_none()
        && item.body.is_none()
        && item.inner.is_empty()
        && item.trailing.is_none()
        && !item.entry.head.contains('\n')
        && !placed.entry.head.contains('\n');
    let width =
        depth * INDENT.len() + placed.entry.head.chars().count() + " {  }".len() + item.entry.head.chars().count();
    (simple && width <= MAX_ONE_LINE_WIDTH).then_some(item.entry.head.as_str())
}

/// At the top level, a blank line goes between two items unless both are one-line items of the
/// same kind (a run of `let`s, `import`s, `expect`s, ...). It goes before the comments that lead
/// the second item. `rest` starts with the element after `previous`.
fn separates_groups(previous: &Element, rest: &[Element]) -> bool {
    let Element::Entry(before) = previous else { return false };
    let Some(after) = rest.iter().find_map(|e| match e {
        Element::Entry(p) => Some(p),
        Element::Comment(_) => None,
    }) else {
        return false;
    };
    let one_line = |p: &Placed| p.body.is_none() && p.entry.kind != Kind::Property;
    !(one_line(before) && one_line(after) && before.entry.kind == after.entry.kind)
}
