//! Search over the course, for the tutor's `search_course` tool: every
//! lens, with its title, tldr and text (its own words, article excerpts and
//! video transcripts), ranked with BM25 over those fields weighted (a word
//! in the title counts three times, in the tldr twice). Built once per
//! content version, beside the snapshot it indexes.

use std::collections::HashMap;

use super::model::{Lens, SegmentKind, Snapshot};

/// BM25's term-frequency saturation.
const K1: f32 = 1.2;
/// BM25's length normalisation.
const B: f32 = 0.75;
/// Field weights: a word in the title or tldr says more than one in the text.
const TITLE_WEIGHT: f32 = 3.0;
const TLDR_WEIGHT: f32 = 2.0;
/// The length of a snippet, in characters.
const SNIPPET: usize = 240;

/// Words too common to tell lenses apart.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "has", "have", "how", "i", "if", "in", "is", "it", "its", "me", "my", "not", "of", "on", "or",
    "so", "that", "the", "their", "them", "there", "they", "this", "to", "was", "we", "what",
    "when", "which", "who", "why", "will", "with", "you", "your",
];

/// One lens as the index holds it.
#[derive(Debug, Clone)]
struct Doc {
    lens_id: String,
    title: String,
    module: Option<String>,
    /// Paragraphs of its text, for snippets.
    passages: Vec<String>,
    /// Weighted length, in words.
    length: f32,
}

/// A lens found, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The lens's id (what `read_lens` takes).
    pub lens_id: String,
    /// Its title.
    pub title: String,
    /// The module it is read in, if any.
    pub module: Option<String>,
    /// The passage that matches best, cut to a few lines.
    pub snippet: String,
    /// BM25 score.
    pub score: f32,
}

/// The search index of one content version.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    /// Per word: (document, weighted frequency).
    postings: HashMap<String, Vec<(u32, f32)>>,
    average_length: f32,
}

impl SearchIndex {
    /// Indexes every lens of `snapshot`.
    pub fn build(snapshot: &Snapshot) -> Self {
        let mut lenses: Vec<&Lens> = snapshot.lenses.values().map(|l| l.as_ref()).collect();
        // A stable order, so equal scores rank the same way every time.
        lenses.sort_by(|a, b| a.id.cmp(&b.id));
        let mut index = Self::default();
        for (n, lens) in lenses.into_iter().enumerate() {
            let mut frequencies: HashMap<String, f32> = HashMap::new();
            let mut length = 0.0;
            let mut count = |text: &str, weight: f32| {
                for word in words(text) {
                    *frequencies.entry(word).or_default() += weight;
                    length += weight;
                }
            };
            count(&lens.title, TITLE_WEIGHT);
            if let Some(tldr) = &lens.tldr {
                count(tldr, TLDR_WEIGHT);
            }
            let passages: Vec<String> = lens_text(lens)
                .iter()
                .flat_map(|text| text.split("\n\n"))
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            for passage in &passages {
                count(passage, 1.0);
            }
            for (word, frequency) in frequencies {
                index
                    .postings
                    .entry(word)
                    .or_default()
                    .push((n as u32, frequency));
            }
            let module = snapshot
                .place_of(&lens.id, None)
                .ok()
                .flatten()
                .map(|place| place.module.title.clone());
            index.docs.push(Doc {
                lens_id: lens.id.clone(),
                title: lens.title.clone(),
                module,
                passages,
                length,
            });
        }
        let total: f32 = index.docs.iter().map(|d| d.length).sum();
        index.average_length = total / index.docs.len().max(1) as f32;
        index
    }

    /// How many lenses are indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The `limit` lenses that match `query` best.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let terms: Vec<String> = {
            let mut terms = words(query);
            terms.sort();
            terms.dedup();
            terms
        };
        let n = self.docs.len() as f32;
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for term in &terms {
            let Some(postings) = self.postings.get(term) else {
                continue;
            };
            let df = postings.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(doc, tf) in postings {
                let length = self.docs[doc as usize].length;
                let norm = K1 * (1.0 - B + B * length / self.average_length.max(1.0));
                *scores.entry(doc).or_default() += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(limit)
            .map(|(doc, score)| {
                let doc = &self.docs[doc as usize];
                Hit {
                    lens_id: doc.lens_id.clone(),
                    title: doc.title.clone(),
                    module: doc.module.clone(),
                    snippet: snippet(&doc.passages, &terms),
                    score,
                }
            })
            .collect()
    }
}

/// The texts of a lens a learner reads: its own words, excerpts and
/// transcripts, and its questions.
pub fn lens_text(lens: &Lens) -> Vec<&str> {
    lens.segments
        .iter()
        .filter_map(|segment| match &segment.kind {
            SegmentKind::Text { content, .. } => Some(content.as_str()),
            SegmentKind::ArticleExcerpt { text, .. } => Some(text.as_str()),
            SegmentKind::VideoExcerpt { transcript, .. } => Some(transcript.as_str()),
            SegmentKind::Question(question) => Some(question.content.as_str()),
            SegmentKind::Roleplay(roleplay) => Some(roleplay.content.as_str()),
            SegmentKind::Chat { .. } => None,
        })
        .collect()
}

/// The words of `text` as the index counts them: lower case, letters and
/// digits, without the commonest words, plurals folded to the singular.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(|w| fold(&w.to_lowercase()))
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// A light stemmer: enough for "risks" to find "risk" and "capabilities" to
/// find "capability", without the surprises of a full one.
fn fold(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies")
        && stem.len() > 2
    {
        return format!("{stem}y");
    }
    if let Some(stem) = word.strip_suffix('s')
        && stem.len() > 2
        && !stem.ends_with('s')
        && !stem.ends_with('u')
        && !stem.ends_with('i')
    {
        return stem.to_owned();
    }
    word.to_owned()
}

/// The passage with the most query words, cut around the first of them.
fn snippet(passages: &[String], terms: &[String]) -> String {
    let hits = |passage: &str| {
        let words = words(passage);
        terms.iter().filter(|t| words.contains(t)).count()
    };
    let Some(best) = passages
        .iter()
        .max_by_key(|p| (hits(p), std::cmp::Reverse(p.len())))
    else {
        return String::new();
    };
    let chars: Vec<char> = best.chars().collect();
    if chars.len() <= SNIPPET {
        return best.clone();
    }
    let lower = best.to_lowercase();
    let at = terms
        .iter()
        .filter_map(|t| lower.find(t.as_str()))
        .min()
        .map_or(0, |byte| lower[..byte].chars().count());
    let start = at.saturating_sub(SNIPPET / 4);
    let end = (start + SNIPPET).min(chars.len());
    let mut cut: String = chars[start..end].iter().collect();
    if start > 0 {
        cut.insert(0, '…');
    }
    if end < chars.len() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_fold_and_common_words_drop() {
        assert_eq!(
            words("The risks of AI capabilities"),
            ["risk", "ai", "capability"]
        );
        assert_eq!(fold("process"), "process");
        assert_eq!(fold("status"), "status");
    }

    #[test]
    fn a_snippet_is_cut_around_the_match() {
        let passage = format!(
            "{} alignment matters {}",
            "x ".repeat(200),
            "y ".repeat(200)
        );
        let cut = snippet(&[passage], &["alignment".into()]);
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.contains("alignment matters"));
        assert!(cut.chars().count() <= SNIPPET + 2);
    }
}
