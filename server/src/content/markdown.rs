//! Reading the Obsidian markdown the content is written in: YAML-ish
//! frontmatter, headings that start sections, `key:: value` fields and
//! wiki-links.
//!
//! Sections are recognised by meaning, not by heading level: `# Article:`
//! and `### Article:` are the same section, and a heading whose name is not
//! a section kind of that file (for example a markdown heading inside a
//! `content::` value) is ordinary text.

use super::diagnostics::Report;

/// One `key: value` line of the frontmatter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontmatterField {
    /// The key.
    pub key: String,
    /// The value, with surrounding quotes removed.
    pub value: String,
    /// Its line.
    pub line: usize,
}

/// A parsed file: frontmatter and the lines after it, numbered.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// Frontmatter fields, in order.
    pub frontmatter: Vec<FrontmatterField>,
    /// Body lines with their 1-based numbers.
    pub body: Vec<(usize, &'a str)>,
}

impl Document<'_> {
    /// A frontmatter value, if present and not empty.
    pub fn meta(&self, key: &str) -> Option<&FrontmatterField> {
        self.frontmatter
            .iter()
            .find(|f| f.key == key && !f.value.is_empty())
    }

    /// The body as text (everything after the frontmatter).
    pub fn body_text(&self) -> String {
        self.body
            .iter()
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Splits off the frontmatter (between `---` lines at the top).
pub fn parse_document<'a>(path: &str, text: &'a str, report: &mut Report) -> Document<'a> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .collect();
    let mut frontmatter = Vec::new();
    let starts = lines.first().is_some_and(|(_, l)| l.trim() == "---");
    if !starts {
        return Document {
            frontmatter,
            body: lines,
        };
    }
    let Some(end) = lines.iter().skip(1).position(|(_, l)| l.trim() == "---") else {
        report.error(
            path,
            1,
            "the frontmatter starting here is never closed with `---`",
        );
        return Document {
            frontmatter,
            body: Vec::new(),
        };
    };
    for &(number, line) in &lines[1..=end] {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) if !key.trim().is_empty() && !key.contains(' ') => {
                frontmatter.push(FrontmatterField {
                    key: key.trim().to_owned(),
                    value: unquote(value.trim()).to_owned(),
                    line: number,
                })
            }
            _ => report.warning(
                path,
                number,
                format!("frontmatter line {line:?} is not `key: value`; ignored"),
            ),
        }
    }
    Document {
        frontmatter,
        body: lines[end + 2..].to_vec(),
    }
}

/// Removes one pair of surrounding double or single quotes.
pub fn unquote(value: &str) -> &str {
    let value = value.trim();
    for quote in ['"', '\''] {
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

/// Matches `key:: value` for a known key.
fn field_start<'l>(line: &'l str, keys: &[&str]) -> Option<(&'l str, &'l str)> {
    let (key, value) = line.split_once("::")?;
    let key = key.trim();
    keys.contains(&key).then_some((key, value))
}

/// Splits a body into sections of the given kinds, with fields of the given
/// keys. Text before the first section is reported if it is not blank.
pub fn parse_sections(
    path: &str,
    body: &[(usize, &str)],
    kinds: &[&'static str],
    keys: &[&str],
    report: &mut Report,
) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for &(number, line) in body {
        if let Some((kind, title)) = heading(line, kinds) {
            sections.push(Section {
                kind,
                title,
                line: number,
                fields: Vec::new(),
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            if !line.trim().is_empty() {
                report.warning(path, number, "text before the first section is ignored");
            }
            continue;
        };
        if let Some((key, value)) = field_start(line, keys) {
            section.fields.push(Field {
                key: key.to_owned(),
                value: value.trim().to_owned(),
                line: number,
            });
        } else if let Some(field) = section.fields.last_mut() {
            field.value.push('\n');
            field.value.push_str(line);
        } else if !line.trim().is_empty() {
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
        field.value = field.value.trim().to_owned();
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
        let body: Vec<(usize, &str)> = "#### Text\ncontent::\nline one\n# Not a section\nline two\n#### Chat\ninstructions:: be kind\nhide:: x"
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .collect();
        let mut report = Report::default();
        let sections = parse_sections(
            "f.md",
            &body,
            &["Text", "Chat"],
            &["content", "instructions"],
            &mut report,
        );
        assert_eq!(sections.len(), 2);
        assert_eq!(
            sections[0].value("content"),
            Some("line one\n# Not a section\nline two")
        );
        assert_eq!(sections[1].value("instructions"), Some("be kind\nhide:: x"));
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
