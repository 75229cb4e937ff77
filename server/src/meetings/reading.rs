//! What a learner still has to read before a meeting: the required lenses
//! of the meeting's modules they have not completed, and the first of them
//! (where a nudge sends them to continue).

use std::collections::HashSet;

use crate::content::model::Snapshot;

/// How a nudge is logged, by email or Discord (one kind, so the log reads
/// as one story per learner and meeting).
pub const NUDGE_KIND: &str = "module_nudge";
use crate::services::convert::meeting::due_modules;

/// A module with required reading left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// Its title.
    pub title: String,
    /// Its slug (`/module/{slug}` reads it).
    pub slug: String,
    /// Required lenses completed.
    pub done: usize,
    /// Required lenses in all.
    pub required: usize,
}

/// A learner's reading left before one meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingLeft {
    /// Each module with reading left, in course order.
    pub unfinished: Vec<Unfinished>,
    /// The title of the first lens left.
    pub next_lens: String,
}

impl ReadingLeft {
    /// The module to continue in (the first unfinished).
    pub fn next_module(&self) -> &Unfinished {
        &self.unfinished[0]
    }
}

/// The reading left before meeting `number` of course `course_slug`, for
/// someone who completed the content ids in `complete`; `None` when they
/// have read everything required.
pub fn reading_left(
    snapshot: &Snapshot,
    course_slug: &str,
    number: u32,
    complete: &HashSet<&str>,
) -> Option<ReadingLeft> {
    let mut unfinished = Vec::new();
    let mut next_lens = None;
    for due in due_modules(snapshot, course_slug, number) {
        let Some(module) = snapshot.modules.get(&due.slug).filter(|_| !due.optional) else {
            continue;
        };
        if complete.contains(module.id.as_str()) {
            continue;
        }
        let (_, required) = module.parts();
        let left: Vec<&str> = required
            .iter()
            .copied()
            .filter(|id| !complete.contains(id))
            .collect();
        if left.is_empty() {
            continue;
        }
        if next_lens.is_none() {
            next_lens = Some(
                snapshot
                    .lenses
                    .values()
                    .find(|l| l.id == left[0])
                    .map_or_else(|| module.title.clone(), |l| l.title.clone()),
            );
        }
        unfinished.push(Unfinished {
            title: module.title.clone(),
            slug: module.slug.clone(),
            done: required.len() - left.len(),
            required: required.len(),
        });
    }
    Some(ReadingLeft {
        unfinished,
        next_lens: next_lens?,
    })
}

/// The direct message that nudges `name` about meeting `number` of
/// `group` (starting at Unix time `starts`, which Discord shows in each
/// reader's own time), linking into `public_url`.
pub fn nudge_message(
    name: &str,
    group: &str,
    number: i64,
    starts: i64,
    left: &ReadingLeft,
    public_url: &str,
) -> String {
    let modules: Vec<String> = left
        .unfinished
        .iter()
        .map(|m| format!("{} ({} of {} read)", m.title, m.done, m.required))
        .collect();
    format!(
        "Hi {name}! Meeting {number} of **{group}** is <t:{starts}:R> (<t:{starts}:F>).\n\
         Still to read for it: {}.\n\
         Continue with “{}”: <{public_url}/module/{}>\n\
         -# Lens sends these because Discord messages are on in your settings: <{public_url}/meetings>",
        modules.join(", "),
        left.next_lens,
        left.next_module().slug,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nudge_names_what_is_left_and_where_to_continue() {
        let left = ReadingLeft {
            unfinished: vec![Unfinished {
                title: "Goals".into(),
                slug: "goals".into(),
                done: 1,
                required: 3,
            }],
            next_lens: "Why goals matter".into(),
        };
        let text = nudge_message(
            "Ada",
            "Hypatia",
            2,
            1_803_924_000,
            &left,
            "https://lens.example",
        );
        assert!(
            text.starts_with("Hi Ada! Meeting 2 of **Hypatia** is <t:1803924000:R>"),
            "{text}"
        );
        assert!(
            text.contains("Still to read for it: Goals (1 of 3 read)."),
            "{text}"
        );
        assert!(
            text.contains("Continue with “Why goals matter”: <https://lens.example/module/goals>"),
            "{text}"
        );
    }
}
