//! The short diff `fmt --check` prints for a file that is not formatted: one unified-style hunk
//! around the first differing lines, cut after a few lines so that CI logs stay readable.

/// Lines of unchanged context shown before the first difference.
const CONTEXT: usize = 2;
/// Removed and added lines shown at most (each).
const MAX_SHOWN: usize = 8;

/// `--- name` / `+++ name (formatted)` and one hunk covering the region between the common
/// leading and trailing lines of `old` and `new`, shortened to `MAX_SHOWN` lines per side.
pub fn short_diff(name: &str, old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = old_lines.iter().zip(&new_lines).take_while(|(a, b)| a == b).count();
    let max_suffix = old_lines.len().min(new_lines.len()) - prefix;
    let suffix =
        old_lines.iter().rev().zip(new_lines.iter().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
    let removed = &old_lines[prefix..old_lines.len() - suffix];
    let added = &new_lines[prefix..new_lines.len() - suffix];
    let context_start = prefix.saturating_sub(CONTEXT);
    let context = &old_lines[context_start..prefix];

    let mut out = format!("--- {name}\n+++ {name} (formatted)\n");
    out.push_str(&format!(
        "@@ -{} +{} @@\n",
        range(context_start, context.len() + removed.len()),
        range(context_start, context.len() + added.len())
    ));
    for line in context {
        push_line(&mut out, ' ', line);
    }
    push_side(&mut out, '-', removed);
    push_side(&mut out, '+', added);
    if removed.iter().any(|l| l.ends_with("\r\n")) {
        out.push_str("  (the file has CRLF line endings; fmt writes LF)\n");
    }
    out
}

/// `start,count` with 1-based lines, as unified diffs write it.
fn range(start: usize, count: usize) -> String {
    format!("{},{count}", if count == 0 { start } else { start + 1 })
}

fn push_side(out: &mut String, sign: char, lines: &[&str]) {
    for line in lines.iter().take(MAX_SHOWN) {
        push_line(out, sign, line);
    }
    if lines.len() > MAX_SHOWN {
        out.push_str(&format!("{sign} … {} more line{}\n", lines.len() - MAX_SHOWN, plural(lines.len() - MAX_SHOWN)));
    }
}

fn push_line(out: &mut String, sign: char, line: &str) {
    out.push(sign);
    match line.strip_suffix('\n') {
        Some(line) => {
            out.push_str(line.strip_suffix('\r').unwrap_or(line));
            out.push('\n');
        }
        None => {
            out.push_str(line);
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_first_differing_lines_with_context() {
        let old = "a\nb\nc\nrate  5/s\nd\n";
        let new = "a\nb\nc\nrate 5/s\nd\n";
        assert_eq!(
            short_diff("x.dfs", old, new),
            "--- x.dfs\n+++ x.dfs (formatted)\n@@ -2,3 +2,3 @@\n b\n c\n-rate  5/s\n+rate 5/s\n"
        );
    }

    #[test]
    fn long_changes_are_cut_and_missing_newlines_shown() {
        let old: String = (0..20).map(|i| format!("l{i};")).collect();
        let new: String = (0..20).map(|i| format!("l{i}\n")).collect();
        let diff = short_diff("x.dfs", &old, &new);
        assert!(diff.contains("@@ -1,1 +1,20 @@\n"), "{diff}");
        assert!(diff.contains("\\ No newline at end of file\n"), "{diff}");
        assert!(diff.contains("+ … 12 more lines\n"), "{diff}");
    }
}
