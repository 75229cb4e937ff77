//! The YAML block at the top of a note, read with a YAML library: values
//! may be quoted strings, lists (`author:` with several names, `tags:` as a
//! block list), numbers or dates, and each keeps the line it is on.

use yaml_rust2::{Yaml, YamlLoader};

/// A frontmatter value: one text, or a list of texts. Numbers, booleans and
/// dates are kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A single value.
    One(String),
    /// A list.
    Many(Vec<String>),
}

/// One `key: value` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The value.
    pub value: Value,
    /// The file line the key is on, from 1.
    pub line: usize,
}

/// A note's frontmatter, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontmatter {
    /// The entries.
    pub entries: Vec<Entry>,
}

/// Why a frontmatter block could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontmatterError {
    /// The file line of the problem, from 1.
    pub line: usize,
    /// What the YAML reader said.
    pub message: String,
}

impl Frontmatter {
    /// Reads the YAML between the `---` lines; `first_line` is the file line
    /// of the block's first line, so reported lines are the file's.
    pub fn parse(yaml: &str, first_line: usize) -> Result<Self, FrontmatterError> {
        let docs = YamlLoader::load_from_str(yaml).map_err(|e| FrontmatterError {
            line: first_line + e.marker().line().saturating_sub(1),
            message: e.info().to_owned(),
        })?;
        let hash = match docs.into_iter().next() {
            None | Some(Yaml::Null) => return Ok(Self::default()),
            Some(Yaml::Hash(hash)) => hash,
            Some(_) => {
                return Err(FrontmatterError {
                    line: first_line,
                    message: "the frontmatter must be `key: value` lines".into(),
                });
            }
        };
        let lines = key_lines(yaml, first_line);
        let entries = hash
            .into_iter()
            .filter_map(|(key, value)| {
                let key = scalar(&key)?;
                let value = match value {
                    Yaml::Array(items) => Value::Many(items.iter().filter_map(scalar).collect()),
                    other => Value::One(scalar(&other).unwrap_or_default()),
                };
                let line = lines
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or(first_line, |(_, l)| *l);
                Some(Entry { key, value, line })
            })
            .collect();
        Ok(Self { entries })
    }

    /// The entry for `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// A single, non-empty text value (a list gives its first item).
    pub fn text(&self, key: &str) -> Option<String> {
        let value = match &self.entry(key)?.value {
            Value::One(v) => v.trim().to_owned(),
            Value::Many(items) => items.first()?.trim().to_owned(),
        };
        (!value.is_empty()).then_some(value)
    }

    /// A list value: a YAML list, or one text split on commas.
    pub fn list(&self, key: &str) -> Vec<String> {
        let Some(entry) = self.entry(key) else {
            return Vec::new();
        };
        let items: Vec<String> = match &entry.value {
            Value::Many(items) => items.clone(),
            Value::One(text) => text.split(',').map(str::to_owned).collect(),
        };
        items
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The line of `key`, or `fallback` when it is absent.
    pub fn line_of(&self, key: &str, fallback: usize) -> usize {
        self.entry(key).map_or(fallback, |e| e.line)
    }
}

/// A scalar as text; `None` for lists, maps and nulls.
fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Top-level keys with their file lines (the YAML library gives values,
/// not where their keys stand).
fn key_lines(yaml: &str, first_line: usize) -> Vec<(String, usize)> {
    yaml.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with([' ', '\t', '-', '#']))
        .filter_map(|(i, line)| {
            let (key, _) = line.split_once(':')?;
            let key = key.trim().trim_matches(['"', '\'']);
            Some((key.to_owned(), first_line + i))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_quoted_values_and_lines() {
        let yaml = "title: \"A: quoted title\"\nauthor:\n  - Ada Lovelace\n  - Alan Turing\ntags: [a, b]\npublished: 2008-11-24\nslug-aliases: one, two";
        let fm = Frontmatter::parse(yaml, 2).unwrap();
        assert_eq!(fm.text("title").as_deref(), Some("A: quoted title"));
        assert_eq!(fm.list("author"), ["Ada Lovelace", "Alan Turing"]);
        assert_eq!(fm.list("tags"), ["a", "b"]);
        assert_eq!(fm.text("published").as_deref(), Some("2008-11-24"));
        assert_eq!(fm.list("slug-aliases"), ["one", "two"]);
        assert_eq!(fm.line_of("author", 0), 3);
        assert_eq!(fm.line_of("tags", 0), 6);
    }

    #[test]
    fn broken_yaml_is_reported_at_its_file_line() {
        let error = Frontmatter::parse("title: ok\nauthor: [unclosed\n", 2).unwrap_err();
        assert!(error.line >= 3, "{error:?}");
    }

    #[test]
    fn an_empty_block_has_no_entries() {
        assert_eq!(Frontmatter::parse("", 2).unwrap(), Frontmatter::default());
    }
}
