//! Answers to question segments of today's content (`lens-edu-relay`):
//! stored version by version, scored in the background by the model with
//! structured output, and shown to the learner when the question asks.

use futures::future::join_all;
use lens_proto::v1::answer_service_client::AnswerServiceClient;
use lens_proto::v1::auth_service_client::AuthServiceClient;
use lens_proto::v1::{self, AssessmentState};
use lens_server::auth::EdgeKind;
use lens_tests::bot::eventually;
use lens_tests::core::{CoreOptions, TestCore, authed};
use lens_tests::fakes::llm::{FAKE_LLM_KEY, FakeLlm, Step};
use lens_tests::relay_fixture;
use tonic::Code;

both_backends!(
    an_answer_is_scored_and_the_feedback_shown,
    a_reply_that_is_no_assessment_fails_it_in_words,
    every_version_of_an_answer_is_kept_and_numbered_once,
    an_answer_longer_than_allowed_or_nowhere_is_refused,
    a_guests_answers_come_with_them_numbered_after_the_accounts,
    a_forgotten_guests_answers_go_with_their_assessments,
);

/// The learning outcome "Define intelligence…", whose first test asks a
/// question with a rubric and feedback.
const OUTCOME: &str = "cafc40b7-fb3a-4415-9b1d-c65b85329b73";

/// A good assessment, as the structured output returns it.
const SCORED: &str = r#"{"score": 4, "reasoning": "You name both components and how they combine.", "dimensions": [{"name": "components", "note": "Both named."}, {"name": "clarity", "note": "Clear."}]}"#;

fn the_question() -> v1::QuestionPlace {
    v1::QuestionPlace {
        content_id: OUTCOME.into(),
        test_index: 0,
        segment_index: 1,
    }
}

async fn core(postgres: bool, llm: &FakeLlm) -> TestCore {
    TestCore::start(CoreOptions {
        postgres,
        dev_mode: true,
        env: vec![
            ("CONTENT_DIR".into(), relay_fixture().display().to_string()),
            ("LLM_BASE_URL".into(), llm.url.clone()),
            ("ANTHROPIC_API_KEY".into(), FAKE_LLM_KEY.into()),
        ],
        ..Default::default()
    })
    .await
}

async fn submit(core: &TestCore, token: &str, text: &str) -> Result<v1::Answer, tonic::Status> {
    AnswerServiceClient::new(core.channel().await)
        .submit_answer(authed(
            v1::SubmitAnswerRequest {
                place: Some(the_question()),
                text: text.into(),
                seconds_taken: 90,
            },
            token,
        ))
        .await
        .map(|r| r.into_inner().answer.expect("the stored answer"))
}

async fn answers(core: &TestCore, token: &str) -> Vec<v1::Answer> {
    AnswerServiceClient::new(core.channel().await)
        .list_answers(authed(
            v1::ListAnswersRequest {
                content_id: OUTCOME.into(),
            },
            token,
        ))
        .await
        .expect("the learner's answers")
        .into_inner()
        .answers
}

/// Waits until the newest answer's assessment is no longer pending.
async fn assessed(core: &TestCore, token: &str) -> v1::Assessment {
    eventually("the assessment", || async {
        answers(core, token).await[0]
            .assessment
            .as_ref()
            .unwrap()
            .state()
            != AssessmentState::Pending
    })
    .await;
    answers(core, token).await[0].assessment.clone().unwrap()
}

async fn an_answer_is_scored_and_the_feedback_shown(postgres: bool) {
    let llm = FakeLlm::start().await;
    llm.script(vec![Step::Text(SCORED)]);
    let core = core(postgres, &llm).await;
    let ada = core.dev_session("ada", false).await.token;

    let stored = submit(&core, &ada, "Capability and generality, multiplied.")
        .await
        .unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(stored.seconds_taken, 90);
    let pending = stored.assessment.unwrap();
    assert_eq!(pending.state(), AssessmentState::Pending);
    assert!(pending.feedback);

    let done = assessed(&core, &ada).await;
    assert_eq!(done.state(), AssessmentState::Done);
    assert_eq!(done.score, 4);
    assert_eq!(
        done.reasoning,
        "You name both components and how they combine."
    );
    let notes: Vec<_> = done.dimensions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(notes, ["components", "clarity"]);

    // The model was asked for the schema through Anthropic's structured
    // output, with the rubric and the learner's words.
    let request = llm.requests().pop().unwrap();
    let format = &request["output_config"]["format"];
    assert_eq!(format["type"], "json_schema", "{request}");
    assert_eq!(
        format["schema"]["required"],
        serde_json::json!(["score", "reasoning", "dimensions"])
    );
    let asked = request["messages"][0]["content"].to_string();
    assert!(
        asked.contains("Score according to the following rubric."),
        "{asked}"
    );
    assert!(
        asked.contains("Capability and generality, multiplied."),
        "{asked}"
    );
}

async fn a_reply_that_is_no_assessment_fails_it_in_words(postgres: bool) {
    let llm = FakeLlm::start().await;
    llm.script(vec![Step::Text("I would give this answer a four.")]);
    let core = core(postgres, &llm).await;
    let ada = core.dev_session("ada", false).await.token;
    submit(&core, &ada, "Capability and generality.")
        .await
        .unwrap();

    let failed = assessed(&core, &ada).await;
    assert_eq!(failed.state(), AssessmentState::Failed);
    assert_eq!(failed.score, 0);
    assert!(
        failed.error.contains("could not be prepared"),
        "{}",
        failed.error
    );
    // Asked once: a reply out of shape is not asked again by itself.
    assert_eq!(llm.requests().len(), 1);
    // The answer itself is kept.
    assert_eq!(
        answers(&core, &ada).await[0].text,
        "Capability and generality."
    );
}

async fn every_version_of_an_answer_is_kept_and_numbered_once(postgres: bool) {
    let llm = FakeLlm::start().await;
    llm.script(vec![Step::Text(SCORED)]);
    let core = core(postgres, &llm).await;
    let ada = core.dev_session("ada", false).await.token;
    let texts: Vec<String> = (1..=5).map(|i| format!("Draft {i}")).collect();
    let stored = join_all(texts.iter().map(|t| submit(&core, &ada, t))).await;
    let mut versions: Vec<u32> = stored.into_iter().map(|a| a.unwrap().version).collect();
    versions.sort();
    assert_eq!(versions, [1, 2, 3, 4, 5], "five at once, five versions");

    let listed = answers(&core, &ada).await;
    let numbers: Vec<u32> = listed.iter().map(|a| a.version).collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1], "newest first");
    assert!(listed.iter().all(|a| a.place == Some(the_question())));
}

async fn an_answer_longer_than_allowed_or_nowhere_is_refused(postgres: bool) {
    let llm = FakeLlm::start().await;
    let core = core(postgres, &llm).await;
    let ada = core.dev_session("ada", false).await.token;
    let long = "a".repeat(4001);
    let refused = submit(&core, &ada, &long).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(
        refused.message(),
        "invalid text: the answer is 4001 characters; write 1 to 4000"
    );
    let blank = submit(&core, &ada, "   ").await.unwrap_err();
    assert_eq!(blank.code(), Code::InvalidArgument);

    let nowhere = AnswerServiceClient::new(core.channel().await)
        .submit_answer(authed(
            v1::SubmitAnswerRequest {
                place: Some(v1::QuestionPlace {
                    segment_index: 0,
                    ..the_question()
                }),
                text: "An answer".into(),
                seconds_taken: 0,
            },
            &ada,
        ))
        .await
        .unwrap_err();
    assert_eq!(nowhere.code(), Code::NotFound);
    assert!(
        nowhere.message().contains("no question at segment 0"),
        "{}",
        nowhere.message()
    );
    assert!(answers(&core, &ada).await.is_empty(), "nothing was stored");
}

async fn a_guests_answers_come_with_them_numbered_after_the_accounts(postgres: bool) {
    let llm = FakeLlm::start().await;
    llm.script(vec![Step::Text(SCORED)]);
    let core = core(postgres, &llm).await;
    let ada = core.dev_session("ada", false).await.token;
    submit(&core, &ada, "The account's first").await.unwrap();

    let mut auth = AuthServiceClient::new(core.channel().await);
    let edge = core.edge_token(EdgeKind::Web);
    let guest = auth
        .start_guest(authed(
            v1::StartGuestRequest {
                client_ip: "192.0.2.1".into(),
                guest_token: String::new(),
            },
            &edge,
        ))
        .await
        .unwrap()
        .into_inner()
        .token;
    submit(&core, &guest, "The guest's first").await.unwrap();
    submit(&core, &guest, "The guest's second").await.unwrap();

    let claim = auth
        .dev_sign_in(authed(
            v1::DevSignInRequest {
                username: "ada".into(),
                guest_token: guest,
                ..Default::default()
            },
            &edge,
        ))
        .await
        .unwrap()
        .into_inner()
        .guest_claim
        .unwrap();
    assert_eq!(claim.answers, 2);
    let listed: Vec<(u32, String)> = answers(&core, &ada)
        .await
        .into_iter()
        .map(|a| (a.version, a.text))
        .collect();
    assert_eq!(
        listed,
        [
            (3, "The guest's second".to_owned()),
            (2, "The guest's first".to_owned()),
            (1, "The account's first".to_owned()),
        ]
    );
}

async fn a_forgotten_guests_answers_go_with_their_assessments(postgres: bool) {
    let llm = FakeLlm::start().await;
    // The assessment job exists whether it is still pending or has run.
    let core = core(postgres, &llm).await;
    let guest = AuthServiceClient::new(core.channel().await)
        .start_guest(authed(
            v1::StartGuestRequest {
                client_ip: "192.0.2.1".into(),
                guest_token: String::new(),
            },
            &core.edge_token(EdgeKind::Web),
        ))
        .await
        .unwrap()
        .into_inner()
        .token;
    let answer = submit(&core, &guest, "A guest's answer").await.unwrap();
    let key = format!("answer:{}:assess", answer.id);
    let store = &core.state.store;
    assert_eq!(
        store
            .jobs_by_keys(std::slice::from_ref(&key))
            .await
            .unwrap()
            .len(),
        1
    );

    let forgotten = store
        .forget_idle_guests(chrono::Utc::now() + chrono::Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    assert!(store.jobs_by_keys(&[key]).await.unwrap().is_empty());
}
