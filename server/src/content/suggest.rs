//! "Did you mean …?": the closest of a few known names to a misspelt one.

/// The candidate closest to `written` (case-insensitively), if it is close
/// enough to be a likely typo: at most a third of the letters differ.
pub fn closest<'c>(
    written: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let written_lower = written.to_lowercase();
    let limit = (written.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(&written_lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word() {
        let keys = ["optional", "source", "content"];
        assert_eq!(closest("optinal", keys), Some("optional"));
        assert_eq!(closest("Source", keys), Some("source"));
        assert_eq!(closest("banana", keys), None);
    }
}
