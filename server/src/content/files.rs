//! A content tree as a set of files, however it was obtained (a folder, a
//! GitHub archive). Parsing works on this set only, so it is pure.

use std::collections::BTreeMap;
use std::path::Path;

/// Folders that hold content; everything else in the repository (READMEs,
/// Obsidian settings) is ignored.
pub const CONTENT_FOLDERS: &[&str] = &[
    "courses",
    "modules",
    "Learning Outcomes",
    "Lenses",
    "articles",
    "video_transcripts",
];

/// Text files of a content tree, by path relative to its root (with `/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentFiles {
    files: BTreeMap<String, String>,
}

impl ContentFiles {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file if it belongs to a content folder and is `.md` or `.json`.
    pub fn insert(&mut self, path: &str, text: String) {
        if is_content_path(path) {
            self.files.insert(path.to_owned(), text);
        }
    }

    /// The file at `path`.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The path of the file at `path` ignoring case, as Obsidian resolves
    /// links.
    pub fn resolve_case(&self, path: &str) -> Option<String> {
        if self.files.contains_key(path) {
            return Some(path.to_owned());
        }
        self.files
            .keys()
            .find(|p| p.eq_ignore_ascii_case(path))
            .cloned()
    }

    /// All files, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Reads every content file below `root`.
    pub fn read_dir(root: &Path) -> std::io::Result<Self> {
        let mut files = Self::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let path = entry.path();
                let name = entry.file_name();
                if name.to_string_lossy().starts_with('.') {
                    continue;
                }
                if entry.file_type()?.is_dir() {
                    pending.push(path);
                } else if let Ok(relative) = path.strip_prefix(root) {
                    let relative = relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    if is_content_path(&relative) {
                        files.insert(&relative, std::fs::read_to_string(&path)?);
                    }
                }
            }
        }
        Ok(files)
    }
}

/// Whether a relative path is a content file.
pub fn is_content_path(path: &str) -> bool {
    let top = path.split('/').next().unwrap_or_default();
    CONTENT_FOLDERS.contains(&top) && (path.ends_with(".md") || path.ends_with(".json"))
}

/// Whether a path lies in a draft folder (`WIP …`): drafts are not published.
pub fn is_draft(path: &str) -> bool {
    path.split('/').any(|segment| segment.starts_with("WIP"))
}
