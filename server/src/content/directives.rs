//! Text directives inside `content::` text: `note` (container, leaf,
//! inline), `collapse` (container, inline), `footnote` (leaf, inline), and
//! `::card[[…]]` lens cards. Other directives are reported; the text is
//! still shown as written.

use super::build::CardLookup;
use super::diagnostics::Report;
use super::markdown::{Field, resolve_link, wiki_links};
use super::model::LensCard;
use super::suggest::closest;

/// Directive names by the forms they may take.
const CONTAINER: &[&str] = &["note", "collapse"];
const LEAF: &[&str] = &["note", "footnote", "card"];
const INLINE: &[&str] = &["note", "collapse", "footnote"];

/// Checks the directives of a text field; the cards it shows.
pub(crate) fn check(lookup: &mut impl CardLookup, path: &str, field: &Field) -> Vec<LensCard> {
    let mut cards = Vec::new();
    let mut open_containers = 0usize;
    for (offset, line) in field.value.lines().enumerate() {
        let number = field.line + offset;
        let trimmed = line.trim();
        let colons = trimmed.chars().take_while(|c| *c == ':').count();
        let name: String = trimmed[colons..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        match colons {
            3 if name.is_empty() => {
                if open_containers == 0 {
                    lookup
                        .report()
                        .warning(path, number, "`:::` closes no directive");
                } else {
                    open_containers -= 1;
                }
            }
            3 => {
                open_containers += 1;
                supported(lookup.report(), path, number, &name, CONTAINER, ":::");
            }
            2 if name == "card" => {
                let link = wiki_links(trimmed).into_iter().next();
                match link.and_then(|l| resolve_link(path, &l.target).map(|p| (l, p))) {
                    Some((link, target)) => match lookup.card(&target) {
                        Some(card) => cards.push(card),
                        None => {
                            lookup
                                .report()
                                .warning(
                                    path,
                                    number,
                                    format!("card [[{}]]: {target} is not a lens", link.target),
                                )
                                .suggest("point the card at a note in Lenses/");
                        }
                    },
                    None => {
                        lookup
                            .report()
                            .warning(path, number, "`::card` needs a [[link]] to a lens")
                            .suggest("write it as ::card[[../Lenses/Name]]");
                    }
                }
            }
            2 if !name.is_empty() => {
                supported(lookup.report(), path, number, &name, LEAF, "::");
            }
            _ => {}
        }
        for name in inline_directives(line) {
            supported(lookup.report(), path, number, name, INLINE, ":");
        }
    }
    if open_containers > 0 {
        lookup
            .report()
            .warning(path, field.line, "a `:::` directive is never closed")
            .suggest("end it with a line of `:::`");
    }
    cards
}

fn supported(
    report: &mut Report,
    path: &str,
    line: usize,
    name: &str,
    known: &[&str],
    colons: &str,
) {
    if known.contains(&name) {
        return;
    }
    let diagnostic = report.warning(
        path,
        line,
        format!("`{colons}{name}` is not a supported directive; it is shown as plain text"),
    );
    match closest(name, known.iter().copied()) {
        Some(near) => diagnostic.suggest(format!("did you mean `{colons}{near}`?")),
        None => diagnostic.suggest(format!("supported here: {}", known.join(", "))),
    }
}

/// Inline directives `:name[…]` in a line (after a space or at the start).
fn inline_directives(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    for (i, _) in line.match_indices(':') {
        let at_start = i == 0 || bytes[i - 1] == b' ';
        if !at_start || bytes.get(i + 1) == Some(&b':') {
            continue;
        }
        let rest = &line[i + 1..];
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || *b == b'-')
            .count();
        if len > 0 && rest[len..].starts_with('[') && !rest[len..].starts_with("[[") {
            found.push(&rest[..len]);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::inline_directives;

    #[test]
    fn inline_directives_are_found_after_spaces() {
        assert_eq!(
            inline_directives("see :note[this] and :tip[x]"),
            ["note", "tip"]
        );
        assert!(inline_directives("https://example.com[x]").is_empty());
        assert!(inline_directives("time 10:30[x]").is_empty());
    }
}
