//! Cutting excerpts: article passages between quoted anchors, and video
//! transcript words between timestamps.

use super::model::TimedWord;

/// The passage of `body` from the start of `from` to the end of `to`
/// (both included). Without `from` it starts at the top; without `to` it
/// runs to the end. `to` is looked for after `from`.
pub fn cut_article(body: &str, from: Option<&str>, to: Option<&str>) -> Result<String, String> {
    // Anchors match case-insensitively; ASCII lower-casing keeps byte
    // offsets, so positions found in the folded text cut the original.
    let folded = body.to_ascii_lowercase();
    let start = match from {
        Some(anchor) => folded
            .find(&anchor.to_ascii_lowercase())
            .ok_or_else(|| format!("the `from` anchor {anchor:?} does not occur in the article"))?,
        None => 0,
    };
    let end = match to {
        Some(anchor) => folded[start..]
            .find(&anchor.to_ascii_lowercase())
            .map(|i| start + i + anchor.len())
            .ok_or_else(|| match from {
                Some(_) => {
                    format!("the `to` anchor {anchor:?} does not occur after the `from` anchor")
                }
                None => format!("the `to` anchor {anchor:?} does not occur in the article"),
            })?,
        None => body.len(),
    };
    Ok(body[start..end].trim().to_owned())
}

/// Parses `M:SS`, `MM:SS` or `H:MM:SS`, each with optional fractional
/// seconds, into seconds.
pub fn parse_timestamp(raw: &str) -> Option<f64> {
    let parts: Vec<&str> = raw.trim().split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let mut seconds = 0.0;
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let value: f64 = if last {
            part.parse().ok()?
        } else {
            f64::from(part.parse::<u32>().ok()?)
        };
        if value < 0.0 || (i > 0 && value >= 60.0) {
            return None;
        }
        seconds = seconds * 60.0 + value;
    }
    Some(seconds)
}

/// The transcript words starting in `[from, to)`, joined with spaces.
pub fn cut_video(words: &[TimedWord], from: f64, to: Option<f64>) -> String {
    words
        .iter()
        .filter(|w| w.start >= from && to.is_none_or(|to| w.start < to))
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_cuts_include_both_anchors() {
        let body = "Intro. Cascades are when one thing. Middle. factor?_ Rest.";
        assert_eq!(
            cut_article(body, Some("Cascades are when"), Some("factor?_")).unwrap(),
            "Cascades are when one thing. Middle. factor?_"
        );
        assert_eq!(cut_article(body, None, Some("Intro.")).unwrap(), "Intro.");
        assert_eq!(cut_article(body, Some("Rest."), None).unwrap(), "Rest.");
        assert!(
            cut_article(body, Some("nowhere"), None)
                .unwrap_err()
                .contains("`from` anchor")
        );
        assert!(
            cut_article(body, Some("Middle."), Some("Intro."))
                .unwrap_err()
                .contains("after the `from`")
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("0:00"), Some(0.0));
        assert_eq!(parse_timestamp("14:49"), Some(889.0));
        assert_eq!(parse_timestamp("0:02.24"), Some(2.24));
        assert_eq!(parse_timestamp("1:02:03"), Some(3723.0));
        assert_eq!(parse_timestamp("1:75"), None);
        assert_eq!(parse_timestamp("soon"), None);
    }
}
