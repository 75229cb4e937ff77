//! The content repository as authors write it today (`lens-edu-relay`):
//! every format feature reaches the snapshot, the only errors left are
//! genuine mistakes, and one broken file never takes the course offline.

use std::sync::OnceLock;

use lens_server::content::model::{ModuleItem, SegmentKind, Snapshot};
use lens_server::content::{
    BuildOutcome, ContentFiles, ItemKind, Severity, Tier, build, build_after,
};
use lens_tests::relay_fixture;

fn files() -> &'static ContentFiles {
    static FILES: OnceLock<ContentFiles> = OnceLock::new();
    FILES.get_or_init(|| ContentFiles::read_dir(&relay_fixture()).unwrap())
}

fn today() -> &'static BuildOutcome {
    static OUTCOME: OnceLock<BuildOutcome> = OnceLock::new();
    OUTCOME.get_or_init(|| build(files()))
}

fn snapshot() -> &'static Snapshot {
    &today().snapshot
}

fn kinds(segments: &[lens_server::content::model::Segment]) -> Vec<&'static str> {
    segments
        .iter()
        .map(|s| match s.kind {
            SegmentKind::Text { .. } => "text",
            SegmentKind::ArticleExcerpt { .. } => "article",
            SegmentKind::VideoExcerpt { .. } => "video",
            SegmentKind::Chat { .. } => "chat",
            SegmentKind::Question(_) => "question",
            SegmentKind::Roleplay(_) => "roleplay",
        })
        .collect()
}

#[test]
fn only_genuine_mistakes_are_errors() {
    let errors: Vec<String> = today()
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.tier == Tier::Published)
        .map(|d| format!("{}:{}", d.path, d.line))
        .collect();
    // Both are listed in docs/content.md with why they are mistakes.
    assert_eq!(
        errors,
        [
            "Lenses/Next steps.md:55",
            "courses/Superintelligence 101.md:31"
        ]
    );
}

#[test]
fn published_courses_are_served_and_drafts_are_not() {
    let mut slugs: Vec<&str> = snapshot().courses.keys().map(String::as_str).collect();
    slugs.sort_unstable();
    assert_eq!(slugs.len(), 4, "{slugs:?}");
    assert!(!snapshot().courses.values().any(|c| c.path.contains("WIP")));
}

#[test]
fn meetings_have_names_and_split_modules_are_listed_as_their_submodules() {
    let course = &snapshot().courses["superintelligence-101"];
    let first = &course.units[0];
    assert_eq!(first.meeting, Some(1));
    assert_eq!(first.meeting_name.as_deref(), Some("Introduction"));
    assert_eq!(
        first.modules,
        [
            "iabied-m1/welcome",
            "iabied-m1/ch0-introduction",
            "iabied-m1/ch1-intelligence",
            "iabied-m1/ch2-grown-not-crafted",
            "iabied-m1/dive-deeper",
        ]
    );
    let parent = &snapshot().modules["iabied-m1"];
    assert_eq!(parent.submodules, first.modules);
    let welcome = &snapshot().modules["iabied-m1/welcome"];
    assert_eq!(welcome.parent.as_deref(), Some("iabied-m1"));
}

#[test]
fn an_inline_lens_is_read_from_the_module() {
    let welcome = &snapshot().modules["iabied-m1/welcome"];
    let ModuleItem::Lens { lens, .. } = &welcome.items[0] else {
        panic!("the submodule opens with the inline lens");
    };
    assert_eq!(lens.title, "Welcome");
    assert_eq!(lens.id, "c9e0e94a-e007-4e4b-afb4-3417fe2cbcb4");
    assert_eq!(
        lens.path,
        "modules/IABIED M1 Intro and Nonhuman Minds, Part 1.md"
    );
    assert_eq!(kinds(&lens.segments), ["text"]);
    let SegmentKind::Text { content, .. } = &lens.segments[0].kind else {
        unreachable!()
    };
    assert!(content.starts_with("Welcome to our introductory AI safety course."));
    assert!(
        content.contains("\n### Structure\n"),
        "the escaped heading is a heading"
    );
    assert!(snapshot().lenses.contains_key(&lens.id), "served by id too");
}

#[test]
fn a_mixed_lens_takes_each_source_from_the_segment_before_of_its_type() {
    let lens = &snapshot().lenses["e11cb5ab-b56f-47c5-869e-40315845d325"];
    assert_eq!(
        kinds(&lens.segments),
        ["text", "article", "video", "article", "text", "chat"]
    );
    let SegmentKind::ArticleExcerpt { article, text } = &lens.segments[3].kind else {
        unreachable!()
    };
    assert_eq!(
        article.slug,
        "slow-motion-videos-as-ai-risk-intuition-pumps"
    );
    assert!(text.starts_with("Now, when you try"));
    assert!(text.ends_with("wildlife or insects."));
}

#[test]
fn an_article_keeps_all_its_authors() {
    let article = &snapshot().articles["garrabrant+demski--embedded-agency"];
    assert_eq!(article.authors, ["Scott Garrabrant", "abramdemski"]);
    assert_eq!(
        article.author_line().as_deref(),
        Some("Scott Garrabrant and abramdemski")
    );
    assert_eq!(article.date.as_deref(), Some("2018-11-15"));
}

#[test]
fn a_question_keeps_its_fields() {
    let outcome = &snapshot().outcomes["cafc40b7-fb3a-4415-9b1d-c65b85329b73"];
    assert!(
        outcome
            .statement
            .as_deref()
            .unwrap()
            .starts_with("Define intelligence")
    );
    let test = &outcome.tests[0];
    assert_eq!(
        test.id.as_deref(),
        Some("b5981716-08c0-40b1-a005-2cfbdde6d0c7")
    );
    assert_eq!(kinds(&test.segments), ["text", "question"]);
    let SegmentKind::Question(question) = &test.segments[1].kind else {
        unreachable!()
    };
    assert!(question.feedback);
    assert!(question.content.starts_with("What are the two components"));
    let rubric = question.assessment_instructions.as_deref().unwrap();
    assert!(rubric.starts_with("Score according to the following rubric."));
    assert!(
        rubric.contains("**5**"),
        "the rubric runs over several lines"
    );
}

#[test]
fn the_course_search_finds_what_a_learner_asks_about() {
    let index = lens_server::content::search::SearchIndex::build(snapshot());
    assert_eq!(index.len(), snapshot().lenses.len());
    let top = |query: &str| index.search(query, 1).remove(0);
    assert_eq!(
        top("instrumental convergence").title,
        "Instrumental Sub-Goal Convergence"
    );
    let shutdown = top("why would an AI resist being shut down");
    assert_eq!(shutdown.title, "Shutdown Buttons and Corrigibility");
    assert!(shutdown.module.is_some(), "a hit says where it is read");
    assert!(!shutdown.snippet.is_empty());
    assert!(index.search("zzqx", 5).is_empty());
}

#[test]
fn lens_cards_show_the_lens_they_point_at() {
    let lens = snapshot()
        .lenses
        .values()
        .find(|l| l.name == "IABIED - Overview of Optional Resources M5")
        .unwrap();
    let SegmentKind::Text { content, cards } = &lens.segments[0].kind else {
        unreachable!()
    };
    assert_eq!(cards.len(), content.matches("::card[[").count());
    assert_eq!(
        cards[0].title,
        "Won't AI differ from all the historical precedents?"
    );
    assert!(cards[0].slug.starts_with("lens/"));
    assert!(
        snapshot().modules.contains_key(&cards[0].slug),
        "the card leads to a page"
    );
    assert!(
        content.contains("## Chapter 10"),
        "escaped headings lose their backslash"
    );
}

#[test]
fn every_lens_can_be_read_on_its_own_page() {
    for lens in snapshot().lenses.values() {
        let page = snapshot()
            .modules
            .values()
            .find(|m| m.slug.starts_with("lens/") && m.id == lens.id);
        assert!(page.is_some(), "no page for {}", lens.path);
    }
}

#[test]
fn hidden_optional_lenses_are_kept_out_of_the_reading_flow() {
    let dive = &snapshot().modules["iabied-m1/dive-deeper"];
    let hidden = dive
        .items
        .iter()
        .filter(|i| {
            matches!(
                i,
                ModuleItem::Lens {
                    hidden: true,
                    optional: true,
                    ..
                }
            )
        })
        .count();
    assert!(hidden >= 10, "{hidden}");
}

/// The fixture with one module, one lens, one article excerpt and one
/// video timestamp broken.
fn broken() -> ContentFiles {
    let mut files = files().clone();
    let mut edit = |path: &str, from: &str, to: &str| {
        let text = files.get(path).unwrap().to_owned();
        assert!(text.contains(from), "{path} contains {from:?}");
        files.insert(path, text.replacen(from, to, 1));
    };
    edit(
        "modules/IABIED M2 Nonhuman Minds, Part 2.md",
        "slug:",
        "slgu:",
    );
    edit(
        "Lenses/Cascades and Cycles.md",
        "from:: \"Cascades are when\"",
        "from:: \"Cascades were when\"",
    );
    edit(
        "Lenses/Speed advantage with slow motion videos.md",
        "from:: \"Now, when you try\"",
        "from:: \"Nowhere in the article\"",
    );
    edit("Lenses/10 reasons.md", "to:: 15:37", "to:: 15:97");
    files
}

#[test]
fn broken_items_are_left_out_on_a_fresh_start_and_the_rest_is_served() {
    let outcome = build(&broken());
    let unavailable: Vec<(ItemKind, &str)> = outcome
        .items
        .iter()
        .map(|i| (i.kind, i.path.as_str()))
        .collect();
    for item in [
        (
            ItemKind::Module,
            "modules/IABIED M2 Nonhuman Minds, Part 2.md",
        ),
        (ItemKind::Lens, "Lenses/10 reasons.md"),
        (ItemKind::Lens, "Lenses/Cascades and Cycles.md"),
        (
            ItemKind::Lens,
            "Lenses/Speed advantage with slow motion videos.md",
        ),
    ] {
        assert!(unavailable.contains(&item), "{item:?} in {unavailable:?}");
    }
    assert!(
        outcome.items.iter().all(|i| !i.held),
        "nothing to hold on a fresh start"
    );
    let served = &outcome.snapshot;
    assert!(!served.modules.contains_key("iabied-m2"));
    assert!(
        !served
            .lenses
            .contains_key("3dd47fce-a0fe-4e03-916d-a160fe697dd0")
    );
    assert_eq!(served.courses.len(), snapshot().courses.len());
    assert!(served.modules.contains_key("iabied-m1/welcome"));
    let typo = outcome
        .diagnostics
        .iter()
        .find(|d| d.path.starts_with("modules/IABIED M2") && d.message.contains("`slug`"))
        .unwrap();
    assert_eq!(
        typo.suggestion.as_deref(),
        Some("`slgu:` should be `slug:`")
    );
}

#[test]
fn broken_items_keep_their_last_good_version() {
    let outcome = build_after(&broken(), Some(snapshot()));
    let broken_before: Vec<&str> = today().items.iter().map(|i| i.path.as_str()).collect();
    let newly_broken: Vec<_> = outcome
        .items
        .iter()
        .filter(|i| !broken_before.contains(&i.path.as_str()))
        .collect();
    assert_eq!(newly_broken.len(), 4, "{newly_broken:?}");
    assert!(newly_broken.iter().all(|i| i.held), "{newly_broken:?}");
    let served = &outcome.snapshot;
    assert_eq!(served.modules["iabied-m2"], snapshot().modules["iabied-m2"]);
    assert_eq!(
        served.lenses["3dd47fce-a0fe-4e03-916d-a160fe697dd0"],
        snapshot().lenses["3dd47fce-a0fe-4e03-916d-a160fe697dd0"]
    );
}

#[test]
fn the_bundled_sample_course_has_no_problems_and_every_kind_of_segment() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/sample");
    let outcome = build(&ContentFiles::read_dir(&dir).unwrap());
    assert_eq!(outcome.diagnostics, [], "the sample is clean");
    let sample = &outcome.snapshot;
    let course = sample
        .course("default")
        .expect("the alias finds the course");
    assert_eq!(course.slug, "sample");
    assert_eq!(
        course.units[0].meeting_name.as_deref(),
        Some("Getting started")
    );
    let mut seen: Vec<&str> = sample
        .lenses
        .values()
        .flat_map(|l| kinds(&l.segments))
        .chain(
            sample
                .outcomes
                .values()
                .flat_map(|o| o.tests.iter().flat_map(|t| kinds(&t.segments))),
        )
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, ["article", "chat", "question", "text", "video"]);
}
