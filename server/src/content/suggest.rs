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

/// Edit distance over characters, counting a swap of two neighbours as
/// one edit (optimal string alignment): `slgu` is one typo from `slug`.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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
        assert_eq!(closest("slgu", ["slug", "title"]), Some("slug"));
    }
}
