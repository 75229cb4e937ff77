//! What is removed before a note is parsed: CriticMarkup, resolved as
//! "reject all changes" (suggested additions and comments dropped,
//! deletions and substitutions keep the old text, highlights unwrapped), and
//! Obsidian `%%comments%%`. Removed text leaves its line breaks behind, so
//! every later line number is still the file's.

/// The note with review marks resolved and comments removed.
pub fn clean(text: &str) -> String {
    if !text.contains("{") && !text.contains("%%") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = next_mark(rest) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (open, close) = MARKS
            .iter()
            .find(|(open, _)| tail.starts_with(open))
            .copied()
            .unwrap_or(("%%", "%%"));
        let inner_start = open.len();
        let Some(end) = tail[inner_start..].find(close) else {
            // An unclosed mark is text, as Obsidian shows it.
            out.push_str(open);
            rest = &tail[inner_start..];
            continue;
        };
        let inner = &tail[inner_start..inner_start + end];
        match open {
            "{--" | "{==" => out.push_str(inner),
            "{~~" => {
                let (old, new) = inner.split_once("~>").unwrap_or((inner, ""));
                out.push_str(old);
                line_breaks(&mut out, new);
            }
            _ => line_breaks(&mut out, inner),
        }
        rest = &tail[inner_start + end + close.len()..];
    }
    out.push_str(rest);
    out
}

const MARKS: &[(&str, &str)] = &[
    ("{++", "++}"),
    ("{--", "--}"),
    ("{~~", "~~}"),
    ("{>>", "<<}"),
    ("{==", "==}"),
    ("%%", "%%"),
];

fn next_mark(text: &str) -> Option<usize> {
    MARKS.iter().filter_map(|(open, _)| text.find(open)).min()
}

fn line_breaks(out: &mut String, removed: &str) {
    out.extend(std::iter::repeat_n('\n', removed.matches('\n').count()));
}

/// Removes the backslash of an escaped heading (`\## Title` → `## Title`),
/// which authors write inside multi-line values so the line is not read as
/// a section heading.
pub fn unescape_headings(value: &str) -> String {
    if !value.contains("\\#") {
        return value.to_owned();
    }
    value
        .lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            match line.trim_start().strip_prefix("\\#") {
                Some(rest) => format!("{}#{rest}", &line[..indent]),
                None => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_rejected() {
        assert_eq!(clean("a {++new ++}b"), "a b");
        assert_eq!(clean("a {--old --}b"), "a old b");
        assert_eq!(clean("a {~~old~>new~~} b"), "a old b");
        assert_eq!(clean("a {>>note<<}b"), "a b");
        assert_eq!(clean("a {==marked==} b"), "a marked b");
    }

    #[test]
    fn comments_keep_line_numbers() {
        assert_eq!(clean("a\n%%one\ntwo%%\nb"), "a\n\n\nb");
        assert_eq!(clean("x {>>long\ncomment<<} y"), "x \n y");
    }

    #[test]
    fn unclosed_marks_stay_text() {
        assert_eq!(clean("50%% off"), "50%% off");
    }

    #[test]
    fn escaped_headings_lose_their_backslash() {
        assert_eq!(
            unescape_headings("a\n\\### Structure\nb"),
            "a\n### Structure\nb"
        );
    }
}
