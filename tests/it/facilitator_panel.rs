//! What a facilitator's panel reads: each member's tutor chats (listed and
//! read) and, per module, how many messages they sent the tutor; learners
//! cannot read each other's.

use lens_proto::v1;
use lens_proto::v1::chat_service_client::ChatServiceClient;
use lens_proto::v1::progress_service_client::ProgressServiceClient;
use lens_server::domain::{ChatSessionId, UserId};
use lens_tests::cohorts::{CohortWorld, Person};
use lens_tests::core::authed;
use lens_tests::tutor::stored_chat;
use tonic::Code;

both_backends!(
    a_facilitator_reads_a_members_chats_counted_per_module,
    learners_cannot_list_each_others_chats,
);

/// `learner` asks the tutor `texts` about the introduction's first lens
/// (stored as the tutor stores a message it lets through).
async fn asks(world: &CohortWorld, learner: &Person, texts: &[&str]) -> ChatSessionId {
    let lens = {
        let loaded = world.core.state.content.current();
        loaded.snapshot.modules["introduction"].parts().1[0].to_owned()
    };
    let store = &world.core.state.store;
    let mut session = None;
    for text in texts {
        session = Some(stored_chat(store, UserId(learner.id), &lens, text, None).await);
    }
    session.expect("at least one question")
}

async fn sessions_of(
    world: &CohortWorld,
    reader: &Person,
    whose: &Person,
) -> Result<Vec<v1::ChatSession>, tonic::Status> {
    ChatServiceClient::new(world.core.channel().await)
        .list_sessions(authed(
            v1::ListSessionsRequest { user_id: whose.id },
            &reader.token,
        ))
        .await
        .map(|r| r.into_inner().sessions)
}

async fn a_facilitator_reads_a_members_chats_counted_per_module(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (group, facilitator, learner) = world.first_group().await;
    let session = asks(&world, &learner, &["Why cascades?", "And feedback?"]).await;

    let sessions = sessions_of(&world, &facilitator, &learner).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].id, session.0);
    assert_eq!(sessions[0].user_messages, 2);

    let transcript = ChatServiceClient::new(world.core.channel().await)
        .get_transcript(authed(
            v1::GetTranscriptRequest {
                session_id: session.0,
            },
            &facilitator.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(transcript.messages[0].text, "Why cascades?");

    let progress = ProgressServiceClient::new(world.core.channel().await)
        .get_group_progress(authed(
            v1::GetGroupProgressRequest { group_id: group.id },
            &facilitator.token,
        ))
        .await
        .unwrap()
        .into_inner();
    let introduction = |member: &v1::MemberProgress| {
        member
            .units
            .iter()
            .flat_map(|u| &u.modules)
            .find(|m| m.slug == "introduction")
            .unwrap()
            .chat_messages
    };
    let of = |id: i64| progress.members.iter().find(|m| m.user_id == id).unwrap();
    assert_eq!(introduction(of(learner.id)), 2);
    assert_eq!(introduction(of(facilitator.id)), 0);
}

async fn learners_cannot_list_each_others_chats(postgres: bool) {
    let world = CohortWorld::committed(postgres, 1, 4).await;
    let (group, _, learner) = world.first_group().await;
    asks(&world, &learner, &["Mine only"]).await;
    let other = Person {
        id: group.members[2].user_id,
        token: world.core.user_token(group.members[2].user_id, false),
        discord_id: String::new(),
    };
    let refused = sessions_of(&world, &other, &learner).await.unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert!(
        refused.message().contains("facilitator"),
        "{}",
        refused.message()
    );
}
