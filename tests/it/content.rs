//! Course content: the real fixture parses cleanly and to the right
//! structure; broken content is reported all at once with file and line;
//! the RPCs serve it; edits, webhooks and refreshes reach every replica.

use std::time::Duration;

use lens_proto::v1;
use lens_proto::v1::content_service_client::ContentServiceClient;
use lens_server::auth::EdgeKind;
use lens_server::content::model::{ModuleItem, SegmentKind};
use lens_server::content::{ContentFiles, Severity, Tier, build};
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::github::{FakeGitHub, signature};
use lens_tests::web::TestWeb;
use lens_tests::{content_fixture, copy_tree};
use tonic::Code;

#[test]
fn the_real_content_parses_without_errors_and_resolves() {
    let files = ContentFiles::read_dir(&content_fixture()).unwrap();
    let outcome = build(&files);
    let errors: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.tier == Tier::Published)
        .collect();
    assert!(
        errors.is_empty(),
        "errors in published content: {errors:#?}"
    );
    assert!(outcome.items.is_empty(), "{:?}", outcome.items);
    let snapshot = outcome.snapshot;

    // The default course: modules grouped by the meeting they prepare for.
    let course = &snapshot.courses["default"];
    assert_eq!(course.title, "AI Safety Course");
    let units: Vec<(Option<u32>, Vec<&str>)> = course
        .units
        .iter()
        .map(|u| (u.meeting, u.modules.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        units,
        vec![
            (Some(1), vec!["introduction"]),
            (Some(2), vec!["feedback-loops", "coming-soon"]),
            (Some(3), vec!["coming-soon", "coming-soon"]),
            (Some(4), vec!["coming-soon"]),
        ]
    );

    // The introduction module: a page, two outcomes, two optional lenses.
    let intro = &snapshot.modules["introduction"];
    let shape: Vec<String> = intro
        .items
        .iter()
        .map(|item| match item {
            ModuleItem::Page(page) => format!("page {}", page.title),
            ModuleItem::LearningOutcome { outcome, optional } => {
                format!("outcome {} {optional}", outcome.name)
            }
            ModuleItem::Lens { lens, optional, .. } => format!("lens {} {optional}", lens.name),
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            "page Welcome",
            "outcome Unknown intro outcome 1 false",
            "outcome Objections L1 - Realize objections and rebuttals exist false",
            "lens Four Background Claims true",
            "lens Worst-Case Thinking true",
        ]
    );

    // One lens's segments, and its excerpt's first and last words.
    let cascades = &snapshot.lenses["3dd47fce-a0fe-4e03-916d-a160fe697dd0"];
    let kinds: Vec<&str> = cascades
        .segments
        .iter()
        .map(|s| match s.kind {
            SegmentKind::Text { .. } => "text",
            SegmentKind::ArticleExcerpt { .. } => "article-excerpt",
            SegmentKind::VideoExcerpt { .. } => "video-excerpt",
            SegmentKind::Chat { .. } => "chat",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, vec!["text", "article-excerpt", "text", "chat"]);
    let SegmentKind::ArticleExcerpt { article, text } = &cascades.segments[1].kind else {
        unreachable!()
    };
    assert_eq!(article.slug, "cascades-cycles-insight");
    assert_eq!(article.authors, ["Eliezer Yudkowsky"]);
    assert!(text.starts_with("Cascades are when"), "{}", &text[..40]);
    assert!(text.ends_with("neutron multiplication factor?_"));
    assert_eq!(text.split_whitespace().count(), 1502);
    let SegmentKind::Chat {
        title,
        instructions,
        ..
    } = &cascades.segments[3].kind
    else {
        unreachable!()
    };
    assert_eq!(title, "Discussion on Cycles");
    assert!(instructions.starts_with("TLDR of what the user just read:"));

    // A video excerpt: transcript words up to 14:49.
    let video_lens = &snapshot.lenses["8a701cd5-82b1-46a2-8ebb-e08d10588177"];
    let SegmentKind::VideoExcerpt {
        video,
        from_seconds,
        to_seconds,
        transcript,
    } = &video_lens.segments[1].kind
    else {
        panic!("second segment is the video excerpt");
    };
    assert_eq!(video.youtube_id.as_deref(), Some("fa8k8IQ1_X0"));
    assert_eq!((*from_seconds, *to_seconds), (0.0, Some(889.0)));
    assert!(transcript.starts_with("Humans rule Earth without competition,"));
    assert!(transcript.ends_with("running towards it."));
    assert_eq!(transcript.split(' ').count(), 2298);

    // Unreferenced Obsidian copies sharing an id are warned about, not fatal.
    let warnings: Vec<&str> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.tier == Tier::Published)
        .map(|d| d.path.as_str())
        .collect();
    assert_eq!(
        warnings,
        vec![
            "Learning Outcomes/Objections L1 - Realize objections and rebuttals exist 1.md",
            "Lenses/Intelligence Explosion Foom.md",
        ]
    );
}

#[test]
fn every_problem_is_reported_at_once_with_file_and_line() {
    let mut files = ContentFiles::new();
    files.insert("modules/broken.md", "---\nid: m1\ntitle: Broken\n---\n# Page: P\n## Text\ncontent:: hi\n# Learning Outcome:\nsource:: ![[../Learning Outcomes/Missing]]\n# Lens:\noptional:: maybe\nsource:: ![[../Lenses/L]]\n".into());
    files.insert("Lenses/L.md", "---\nid: l1\n---\n### Article: A\nsource:: [[../articles/a]]\n#### Article-excerpt\nfrom:: \"not in the text\"\n#### Video-excerpt\nfrom:: 0:00\n#### Chat\n".into());
    files.insert(
        "Lenses/Dup.md",
        "---\nid: l1\n---\n#### Text\ncontent:: x\n".into(),
    );
    files.insert(
        "Learning Outcomes/O.md",
        "---\nid: o1\n---\n## Lens:\nsource:: ![[../Lenses/Dup]]\n".into(),
    );
    files.insert("modules/uses-dup.md", "---\nid: m2\nslug: dup\ntitle: D\n---\n# Learning Outcome:\nsource:: ![[../Learning Outcomes/O]]\n".into());
    files.insert(
        "articles/a.md",
        "---\ntitle: A\n---\nThe article body.\n".into(),
    );
    let outcome = build(&files);
    // Each broken item is left out; the sound ones are served.
    assert!(outcome.snapshot.modules.contains_key("dup"));
    assert!(
        !outcome
            .snapshot
            .modules
            .values()
            .any(|m| m.path == "modules/broken.md")
    );
    assert!(
        !outcome.snapshot.lenses.contains_key("l1")
            || outcome.snapshot.lenses["l1"].path == "Lenses/Dup.md"
    );
    let errors: Vec<String> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    let expected = [
        "Lenses/L.md:2: error: id l1 is also used by Lenses/Dup.md:2 (give one of them a new UUID)",
        "Lenses/L.md:7: error: the `from` anchor \"not in the text\" does not occur in the article (articles/a.md) (copy the anchor text exactly from the article; case does not matter)",
        "Lenses/L.md:8: error: Video-excerpt has no video to play (add `source:: [[../video_transcripts/…]]` here or to an earlier Video segment)",
        "Lenses/L.md:10: error: Chat needs `instructions::` for the tutor",
        "modules/broken.md:2: error: missing required frontmatter `slug` (add `slug:` to the frontmatter)",
        "modules/broken.md:9: error: link [[../Learning Outcomes/Missing]]: Learning Outcomes/Missing.md does not exist",
        "modules/broken.md:11: error: `optional::` must be true or false, not \"maybe\" (write `optional:: true` or `optional:: false`)",
    ];
    assert_eq!(errors, expected);
}

async fn content_core(dir: &std::path::Path) -> TestCore {
    TestCore::start(CoreOptions {
        env: vec![("CONTENT_DIR".into(), dir.display().to_string())],
        ..Default::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpcs_serve_the_content() {
    let core = content_core(&content_fixture()).await;
    let mut content = ContentServiceClient::new(core.channel().await);

    let courses = content
        .list_courses(v1::ListCoursesRequest {})
        .await
        .unwrap()
        .into_inner()
        .courses;
    assert_eq!(courses.len(), 1);
    assert_eq!(
        (courses[0].slug.as_str(), courses[0].meeting_count),
        ("default", 4)
    );

    let course = content
        .get_course(v1::GetCourseRequest {
            slug: "default".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .course
        .unwrap();
    assert_eq!(
        course.units[1]
            .modules
            .iter()
            .map(|m| m.slug.as_str())
            .collect::<Vec<_>>(),
        ["feedback-loops", "coming-soon"]
    );

    let module = content
        .get_module(v1::GetModuleRequest {
            slug: "feedback-loops".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(module.content_version.starts_with("sha256:"));
    let module = module.module.unwrap();
    let Some(v1::module_item::Item::LearningOutcome(outcome)) = &module.items[1].item else {
        panic!("an outcome")
    };
    let lens = outcome.outcome.as_ref().unwrap().lenses[0]
        .lens
        .as_ref()
        .unwrap();
    assert_eq!(lens.name, "Cascades and Cycles");
    let Some(v1::segment::Kind::ArticleExcerpt(excerpt)) = &lens.segments[1].kind else {
        panic!("an excerpt")
    };
    assert_eq!(
        excerpt.article.as_ref().unwrap().slug,
        "cascades-cycles-insight"
    );
    assert!(excerpt.markdown.starts_with("Cascades are when"));

    let lens = content
        .get_lens(v1::GetLensRequest {
            id: "8a701cd5-82b1-46a2-8ebb-e08d10588177".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .lens
        .unwrap();
    let Some(v1::resource::Kind::Video(video)) = lens.resource.unwrap().kind else {
        panic!("a video")
    };
    assert_eq!(video.youtube_id, "fa8k8IQ1_X0");

    let article = content
        .get_article(v1::GetArticleRequest {
            slug: "nate-soares-four-background-claims".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(article.info.unwrap().author, "Nate Soares");
    assert!(article.markdown.contains("## Claim #1"));

    for (status, expected) in [
        (
            content
                .get_module(v1::GetModuleRequest {
                    slug: "nope".into(),
                })
                .await
                .unwrap_err(),
            "no module with slug \"nope\"",
        ),
        (
            content
                .get_course(v1::GetCourseRequest { slug: "x".into() })
                .await
                .unwrap_err(),
            "no course with slug \"x\"",
        ),
        (
            content
                .get_lens(v1::GetLensRequest { id: "zzz".into() })
                .await
                .unwrap_err(),
            "no lens with id \"zzz\"",
        ),
    ] {
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), expected);
    }
    let status = content
        .get_module(v1::GetModuleRequest { slug: " ".into() })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);

    // Refreshing is for admins.
    let status = content
        .refresh_content(v1::RefreshContentRequest {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_edits_are_served_and_broken_edits_keep_the_last_good_version() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&content_fixture(), dir.path());
    let core = content_core(dir.path()).await;
    let mut content = ContentServiceClient::new(core.channel().await);
    let first = content
        .get_content_status(v1::GetContentStatusRequest {})
        .await
        .unwrap()
        .into_inner();

    let module_path = dir.path().join("modules/feedback-loops.md");
    let original = std::fs::read_to_string(&module_path).unwrap();
    std::fs::write(
        &module_path,
        original.replace("title: Feedback Loops", "title: Feedback Loops, edited"),
    )
    .unwrap();
    let title = eventually(|| {
        let mut content = content.clone();
        async move {
            let module = content
                .get_module(v1::GetModuleRequest {
                    slug: "feedback-loops".into(),
                })
                .await
                .ok()?;
            Some(module.into_inner().module?.title).filter(|t| t.ends_with("edited"))
        }
    })
    .await;
    assert_eq!(title, "Feedback Loops, edited");

    // A broken edit: reported with file and line, and not served.
    std::fs::write(
        &module_path,
        original.replace(
            "source:: ![[../Learning Outcomes/Fizzle or Foom]]",
            "source:: ![[../Learning Outcomes/Gone]]",
        ),
    )
    .unwrap();
    let status = eventually(|| {
        let mut content = content.clone();
        async move {
            let status = content
                .get_content_status(v1::GetContentStatusRequest {})
                .await
                .ok()?
                .into_inner();
            status
                .problems
                .iter()
                .any(|p| p.is_error && !p.draft)
                .then_some(status)
        }
    })
    .await;
    let problem = status
        .problems
        .iter()
        .find(|p| p.is_error && !p.draft)
        .unwrap();
    assert_eq!(
        (problem.path.as_str(), problem.line),
        ("modules/feedback-loops.md", 15)
    );
    assert!(
        problem
            .message
            .contains("Learning Outcomes/Gone.md does not exist")
    );
    // The new version is served, with the broken module held at the
    // version before the broken edit.
    assert_eq!(status.version, status.last_attempt_version);
    let held = status
        .items
        .iter()
        .find(|i| i.path == "modules/feedback-loops.md")
        .expect("the broken module is listed");
    assert!(held.held);
    assert_ne!(held.held_version, status.version);
    assert_ne!(
        held.held_version, first.version,
        "held at the edited version"
    );
    let still = content
        .get_module(v1::GetModuleRequest {
            slug: "feedback-loops".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        still.into_inner().module.unwrap().title,
        "Feedback Loops, edited"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_course_search_follows_each_new_version() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&content_fixture(), dir.path());
    let core = content_core(dir.path()).await;
    let found = |word: &str| {
        core.state
            .content
            .current()
            .search
            .search(word, 3)
            .into_iter()
            .map(|hit| hit.lens_id)
            .collect::<Vec<_>>()
    };
    assert!(found("zanzibarian").is_empty());
    let lens = dir.path().join("Lenses/Cascades and Cycles.md");
    let original = std::fs::read_to_string(&lens).unwrap();
    std::fs::write(
        &lens,
        original.replacen("content::\n", "content::\nA zanzibarian aside.\n\n", 1),
    )
    .unwrap();
    let hits = eventually(|| {
        let hits = found("zanzibarian");
        async move { Some(hits).filter(|h| !h.is_empty()) }
    })
    .await;
    assert_eq!(hits, [lens_tests::tutor::CASCADES]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_stream_tells_of_each_new_version() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&content_fixture(), dir.path());
    let core = content_core(dir.path()).await;
    let mut content = ContentServiceClient::new(core.channel().await);
    let mut updates = content
        .watch_content_status(v1::WatchContentStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    let status = |u: Option<v1::WatchContentStatusResponse>| u.and_then(|u| u.status).unwrap();
    let first = status(updates.message().await.unwrap());
    assert!(
        !first.version.is_empty(),
        "the stream opens with the status now"
    );

    let module_path = dir.path().join("modules/feedback-loops.md");
    let original = std::fs::read_to_string(&module_path).unwrap();
    std::fs::write(
        &module_path,
        original.replace("Fizzle or Foom]]", "Fizzle or Fom]]"),
    )
    .unwrap();
    // An editor's write can be seen half done; the stream tells of each
    // version loaded until the whole edit is.
    let next = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let next = status(updates.message().await.unwrap());
            if next.problems.iter().any(|p| p.is_error && !p.draft) {
                return next;
            }
        }
    })
    .await
    .expect("an update within the poll interval");
    assert_ne!(next.version, first.version);
    let problem = next
        .problems
        .iter()
        .find(|p| p.is_error && !p.draft)
        .unwrap();
    assert_eq!(problem.path, "modules/feedback-loops.md");
    assert_eq!(
        problem.suggestion,
        "did you mean Learning Outcomes/Fizzle or Foom.md?"
    );
    assert!(next.items.iter().any(|i| i.path == problem.path && i.held));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_push_reaches_every_replica_and_bad_signatures_are_refused() {
    let github = FakeGitHub::start().await;
    let fixture = content_fixture();
    let first_sha = github.publish("main", &fixture);
    let github_env = vec![
        ("CONTENT_REPO".to_owned(), "owner/repo".to_owned()),
        ("GITHUB_API_BASE_URL".to_owned(), github.url.clone()),
        ("CONTENT_POLL_SECS".to_owned(), "1".to_owned()),
    ];
    let replica_a = TestCore::start(CoreOptions {
        env: github_env.clone(),
        ..Default::default()
    })
    .await;
    let replica_b = TestCore::start(CoreOptions {
        env: github_env,
        database_url: Some(replica_a.database_url.clone()),
        ..Default::default()
    })
    .await;
    let secret = "webhook-secret";
    let web = TestWeb::start_with(
        &replica_a,
        false,
        vec![("GITHUB_WEBHOOK_SECRET".into(), secret.into())],
    )
    .await;
    for replica in [&replica_a, &replica_b] {
        let mut content = ContentServiceClient::new(replica.channel().await);
        let status = content
            .get_content_status(v1::GetContentStatusRequest {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status.version, first_sha);
        assert_eq!(status.source, "github:owner/repo@main");
    }

    // An edit is pushed to main.
    let edited = tempfile::tempdir().unwrap();
    copy_tree(&fixture, edited.path());
    let course = edited.path().join("courses/default.md");
    std::fs::write(
        &course,
        std::fs::read_to_string(&course)
            .unwrap()
            .replace("AI Safety Course", "AI Safety Course 2"),
    )
    .unwrap();
    let second_sha = github.publish("main", edited.path());

    let client = reqwest::Client::new();
    let deliver = |body: String, signature: String, event: &'static str| {
        client
            .post(format!("{}/api/content/webhook", web.url))
            .header("x-github-event", event)
            .header("x-hub-signature-256", signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let body = format!(r#"{{"ref":"refs/heads/main","after":"{second_sha}"}}"#);
    let forged = deliver(
        body.clone(),
        signature("not-the-secret", body.as_bytes()),
        "push",
    )
    .await
    .unwrap();
    assert_eq!(forged.status(), 401);
    let other_branch = format!(r#"{{"ref":"refs/heads/staging","after":"{second_sha}"}}"#);
    let ignored = deliver(
        other_branch.clone(),
        signature(secret, other_branch.as_bytes()),
        "push",
    )
    .await
    .unwrap();
    assert_eq!(ignored.status(), 202);
    assert_eq!(
        ignored.text().await.unwrap(),
        "ignored: not the content branch"
    );
    let accepted = deliver(body.clone(), signature(secret, body.as_bytes()), "push")
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    assert_eq!(accepted.text().await.unwrap(), "refresh started");

    // Both replicas serve the new version: A reloads at once, B on its poll.
    for replica in [&replica_a, &replica_b] {
        let content = ContentServiceClient::new(replica.channel().await);
        let title = eventually(|| {
            let mut content = content.clone();
            async move {
                let course = content
                    .get_course(v1::GetCourseRequest {
                        slug: "default".into(),
                    })
                    .await
                    .ok()?;
                Some(course.into_inner().course?.title).filter(|t| t.ends_with('2'))
            }
        })
        .await;
        assert_eq!(title, "AI Safety Course 2");
    }

    // An admin can force a refresh; with nothing new it keeps the version.
    let mut content = ContentServiceClient::new(replica_b.channel().await);
    let refreshed = content
        .refresh_content(authed(
            v1::RefreshContentRequest {},
            &replica_b.user_token(1, true),
        ))
        .await;
    // User 1 does not exist in this database: the token is refused.
    assert_eq!(refreshed.unwrap_err().code(), Code::Unauthenticated);
    let admin = replica_b
        .state
        .store
        .upsert_discord_user(&lens_server::store::DiscordProfile {
            discord_id: "42".into(),
            username: "admin".into(),
            global_name: None,
            avatar_hash: None,
            email: None,
            email_verified: false,
        })
        .await
        .unwrap();
    // Rights come from the database, not the token alone.
    replica_b
        .state
        .store
        .set_admin(admin.id, true)
        .await
        .unwrap();
    let status = content
        .refresh_content(authed(
            v1::RefreshContentRequest {},
            &replica_b.user_token(admin.id.0, true),
        ))
        .await
        .unwrap()
        .into_inner()
        .status
        .unwrap();
    assert_eq!(status.version, second_sha);
    let not_admin = content
        .refresh_content(authed(
            v1::RefreshContentRequest {},
            &replica_b.user_token(admin.id.0, false),
        ))
        .await
        .unwrap_err();
    assert_eq!(not_admin.code(), Code::PermissionDenied);
    // The push relay itself is only for the web edge.
    let status = content
        .notify_content_push(authed(
            v1::NotifyContentPushRequest::default(),
            &replica_b.edge_token(EdgeKind::Discord),
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(github.downloads() >= 3);
}

/// Polls `check` until it yields a value (content reloads happen in the
/// background); fails after 15 s.
async fn eventually<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..150 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the expected state was not reached within 15 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_fixture_is_fetched_from_github_once_into_the_cache() {
    let github = FakeGitHub::start().await;
    let sha = github.publish("main", &content_fixture());
    let pin = lens_tests::fixtures::Pin {
        name: "lens-educational-content".into(),
        repo: "owner/repo".into(),
        commit: sha,
        folder: None,
    };
    let cache = tempfile::tempdir().unwrap();
    let (api, cached) = (github.url.clone(), cache.path().to_owned());
    let fetched = {
        let pin = pin.clone();
        tokio::task::spawn_blocking(move || lens_tests::fixtures::fetch_pinned(&api, &pin, &cached))
    }
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        ContentFiles::read_dir(&fetched).unwrap(),
        ContentFiles::read_dir(&content_fixture()).unwrap()
    );
    // The second time it is served from the cache: no GitHub needed.
    let cached = cache.path().to_owned();
    let again = tokio::task::spawn_blocking(move || {
        lens_tests::fixtures::fetch_pinned("http://127.0.0.1:9", &pin, &cached)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(again, fetched);
}
