//! Reading the Obsidian markdown the content is written in: YAML
//! frontmatter, headings that start sections, `key:: value` fields and
//! wiki-links.
//!
//! Sections are recognised by meaning, not by heading level: `# Article:`
//! and `### Article:` are the same section, and a heading whose name is not
//! a section kind of that file (for example a markdown heading inside a
//! `content::` value) is ordinary text.

use super::diagnostics::Report;
use super::frontmatter::Frontmatter;
use super::preprocess::{clean, unescape_headings};
use super::suggest::closest;

/// A parsed file: frontmatter and the lines after it, numbered.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Whether the file starts with a frontmatter block.
    pub has_frontmatter: bool,
    /// The frontmatter.
    pub frontmatter: Frontmatter,
    /// Body lines with their 1-based numbers, review marks and comments
    /// already removed.
    pub body: Vec<(usize, String)>,
}

impl Document {
    /// A non-empty single frontmatter value.
    pub fn meta(&self, key: &str) -> Option<String> {
        self.frontmatter.text(key)
    }

    /// The body as text (everything after the frontmatter).
    pub fn body_text(&self) -> String {
        self.body
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Splits off the frontmatter (between `---` lines at the top) and reads it
/// as YAML; the body has CriticMarkup and `%%comments%%` resolved.
pub fn parse_document(path: &str, text: &str, report: &mut Report) -> Document {
    let text = clean(text);
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r').to_owned()))
        .collect();
    let starts = lines.first().is_some_and(|(_, l)| l.trim() == "---");
    if !starts {
        return Document {
            has_frontmatter: false,
            frontmatter: Frontmatter::default(),
            body: lines,
        };
    }
    let Some(end) = lines.iter().skip(1).position(|(_, l)| l.trim() == "---") else {
        report.error(
            path,
            1,
            "the frontmatter starting here is never closed with `---`",
        );
        return Document::default();
    };
    let yaml = lines[1..=end]
        .iter()
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let frontmatter = match Frontmatter::parse(&yaml, 2) {
        Ok(frontmatter) => frontmatter,
        Err(error) => {
            report
                .error(
                    path,
                    error.line,
                    format!("the frontmatter is not valid YAML: {}", error.message),
                )
                .suggest("quote values that contain `: ` or start with `[`, `{`, `*` or `&`");
            Frontmatter::default()
        }
    };
    Document {
        has_frontmatter: true,
        frontmatter,
        body: lines[end + 2..].to_vec(),
    }
}

/// Removes one pair of surrounding double or single quotes.
pub fn unquote(value: &str) -> &str {
    let value = value.trim();
    for quote in ['"', '\'', '`'] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// A `key:: value` field; multi-line values run until the next field or
/// section heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The key.
    pub key: String,
    /// The value, trimmed.
    pub value: String,
    /// The line of the key.
    pub line: usize,
}

/// A section started by a recognised heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The canonical kind, as listed by the caller (e.g. `Article-excerpt`).
    pub kind: &'static str,
    /// Text after `Kind:` on the heading line, trimmed.
    pub title: String,
    /// The heading's line.
    pub line: usize,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// Whether stray text in it was already reported (once a section).
    pub text_reported: bool,
}

impl Section {
    /// The first field named `key`.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The value of `key`, if present and not empty.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.field(key)
            .map(|f| f.value.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Matches a heading line against section kinds, by name and
/// case-insensitively, whatever its level.
fn heading<'k>(line: &str, kinds: &[&'k str]) -> Option<(&'k str, String)> {
    let trimmed = line.trim_start();
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = trimmed[hashes..].strip_prefix(' ')?.trim();
    let (name, title) = match rest.split_once(':') {
        Some((name, title)) => (name.trim(), title.trim()),
        None => (rest, ""),
    };
    kinds
        .iter()
        .find(|k| k.eq_ignore_ascii_case(name))
        .map(|k| (*k, title.to_owned()))
}

/// A heading written like a section (`# Name: …`) whose name is close to,
/// but not, one of the kinds: the name as written.
fn unknown_heading<'l>(line: &'l str, kinds: &[&str]) -> Option<&'l str> {
    let trimmed = line.trim_start();
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let (name, _) = trimmed[hashes..].strip_prefix(' ')?.split_once(':')?;
    let name = name.trim();
    (!name.is_empty() && name.len() <= 30 && closest(name, kinds.iter().copied()).is_some())
        .then_some(name)
}

/// Matches `key:: value`: a key of letters, digits, `-` and `_`.
fn field_start(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once("::")?;
    let key = key.trim();
    let is_key = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    is_key.then_some((key, value))
}

/// `key: value` with a single colon, where `key` is a field name of the
/// section: most likely a `key::` field missing its second colon.
fn single_colon_field<'k>(line: &str, keys: &[&'k str]) -> Option<&'k str> {
    let (key, _) = line.split_once(':')?;
    if line[key.len()..].starts_with("::") {
        return None;
    }
    keys.iter().find(|k| **k == key.trim()).copied()
}

/// Splits a body into sections of the given kinds. Any `key::` line starts
/// a field; keys outside `keys` are reported with the closest known key.
/// Text before the first section is reported if it is not blank.
pub fn parse_sections(
    path: &str,
    body: &[(usize, String)],
    kinds: &[&'static str],
    keys: &[&str],
    report: &mut Report,
) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut before = false;
    for (number, line) in body {
        let number = *number;
        if let Some((kind, title)) = heading(line, kinds) {
            sections.push(Section {
                kind,
                title,
                line: number,
                fields: Vec::new(),
                text_reported: false,
            });
            continue;
        }
        if let Some(written) = unknown_heading(line, kinds) {
            let message = format!("`{written}:` is not a section type here; its text is ignored");
            let diagnostic = report.warning(path, number, message);
            if let Some(kind) = closest(written, kinds.iter().copied()) {
                diagnostic.suggest(format!("did you mean `{kind}:`?"));
            }
        }
        let Some(section) = sections.last_mut() else {
            if !line.trim().is_empty() && !before {
                before = true;
                report.warning(path, number, "text before the first section is ignored");
            }
            continue;
        };
        if let Some((key, value)) = field_start(line) {
            if !keys.contains(&key) {
                let message = format!(
                    "`{key}::` is not a field of a {} section; it is ignored",
                    section.kind
                );
                let diagnostic = report.warning(path, number, message);
                if let Some(known) = closest(key, keys.iter().copied()) {
                    diagnostic.suggest(format!("did you mean `{known}::`?"));
                }
            }
            section.fields.push(Field {
                key: key.to_owned(),
                value: value.trim().to_owned(),
                line: number,
            });
        } else if let Some(field) = section.fields.last_mut() {
            field.value.push('\n');
            field.value.push_str(line);
        } else if let Some(key) = single_colon_field(line, keys) {
            report
                .warning(
                    path,
                    number,
                    format!("`{key}:` with one colon is text, not a field"),
                )
                .suggest(format!("did you mean `{key}::`?"));
        } else if !line.trim().is_empty() && !section.text_reported {
            section.text_reported = true;
            report.warning(
                path,
                number,
                format!(
                    "text in a {} section outside any `key::` field is ignored",
                    section.kind
                ),
            );
        }
    }
    for field in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        field.value = unescape_headings(field.value.trim());
    }
    sections
}

/// A wiki-link: `[[target]]`, `[[target|alias]]`, or an embed `![[…]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiLink {
    /// The target as written (without alias).
    pub target: String,
    /// Whether it is an embed (`![[…]]`).
    pub embed: bool,
}

/// The wiki-links in `text`, in order.
pub fn wiki_links(text: &str) -> Vec<WikiLink> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        let embed = rest[..start].ends_with('!');
        let after = &rest[start + 2..];
        let Some(end) = after.find("]]") else { break };
        let inner = &after[..end];
        let target = inner.split('|').next().unwrap_or_default().trim();
        if !target.is_empty() {
            links.push(WikiLink {
                target: target.to_owned(),
                embed,
            });
        }
        rest = &after[end + 2..];
    }
    links
}

/// Resolves a link target relative to the file that contains it, to a
/// content path with `.md`. `None` if it climbs above the root.
pub fn resolve_link(from_path: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = from_path.split('/').collect();
    parts.pop();
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    Some(if joined.ends_with(".md") {
        joined
    } else {
        format!("{joined}.md")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_recognised_by_name_at_any_level() {
        assert_eq!(
            heading("### Article: Four", &["Article"]),
            Some(("Article", "Four".into()))
        );
        assert_eq!(
            heading("# article:   X ", &["Article"]),
            Some(("Article", "X".into()))
        );
        assert_eq!(
            heading("#### Chat", &["Chat"]),
            Some(("Chat", String::new()))
        );
        assert_eq!(heading("# Understanding risk", &["Article", "Text"]), None);
        assert_eq!(heading("#hashtag", &["hashtag"]), None);
    }

    #[test]
    fn multi_line_fields_run_until_the_next_field_or_section() {
        let body: Vec<(usize, String)> = "#### Text\ncontent::\nline one\n# Not a section\n\\## escaped\nline two\n#### Chat\ninstructions:: be kind\noptional:: true\nhide:: true"
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_owned()))
            .collect();
        let mut report = Report::default();
        let sections = parse_sections(
            "f.md",
            &body,
            &["Text", "Chat"],
            &["content", "instructions", "optional", "hide"],
            &mut report,
        );
        assert_eq!(sections.len(), 2);
        assert_eq!(
            sections[0].value("content"),
            Some("line one\n# Not a section\n## escaped\nline two")
        );
        assert_eq!(sections[1].value("instructions"), Some("be kind"));
        assert_eq!(sections[1].value("optional"), Some("true"));
        assert_eq!(sections[1].value("hide"), Some("true"));
    }

    #[test]
    fn links_with_aliases_and_embeds() {
        let links = wiki_links("source:: ![[../Lenses/A|Alias]] and [[../b]]");
        assert_eq!(
            links,
            vec![
                WikiLink {
                    target: "../Lenses/A".into(),
                    embed: true
                },
                WikiLink {
                    target: "../b".into(),
                    embed: false
                },
            ]
        );
        assert_eq!(
            resolve_link("modules/intro.md", "../Lenses/A").as_deref(),
            Some("Lenses/A.md")
        );
        assert_eq!(resolve_link("modules/intro.md", "../../x"), None);
    }

    #[test]
    fn unquote_strips_one_pair() {
        assert_eq!(unquote("\"the \"evasion\".\""), "the \"evasion\".");
        assert_eq!(unquote("plain"), "plain");
    }
}
