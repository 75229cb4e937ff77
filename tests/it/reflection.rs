//! Reflection (v1 and v1alpha, so grpcurl of any age works) and health.

use futures::StreamExt;
use lens_tests::core::{CoreOptions, TestCore};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

fn lens_services(mut names: Vec<String>) -> Vec<String> {
    names.retain(|n| n.starts_with("lens.v1."));
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_lists_every_service_on_both_versions() {
    let core = TestCore::start(CoreOptions::default()).await;
    // Every service of the compiled contract.
    let policy =
        lens_server::auth::AccessPolicy::from_descriptor_set(lens_proto::FILE_DESCRIPTOR_SET)
            .unwrap();
    let mut expected: Vec<String> = policy
        .rules()
        .iter()
        .map(|(path, _)| {
            path.trim_start_matches('/')
                .split('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    expected.dedup();
    assert!(expected.len() >= 4, "{expected:?}");

    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let mut client = ServerReflectionClient::new(core.channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let Some(Ok(response)) = responses.next().await else {
        panic!("no reflection answer")
    };
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("not a list")
    };
    assert_eq!(
        lens_services(list.service.into_iter().map(|s| s.name).collect()),
        expected
    );

    use tonic_reflection::pb::v1alpha::ServerReflectionRequest as AlphaMessage;
    use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient as AlphaClient;
    use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest as AlphaRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse as AlphaResponse;
    let mut client = AlphaClient::new(core.channel().await);
    let request = AlphaMessage {
        host: String::new(),
        message_request: Some(AlphaRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let Some(Ok(response)) = responses.next().await else {
        panic!("no reflection answer")
    };
    let Some(AlphaResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("not a list")
    };
    assert_eq!(
        lens_services(list.service.into_iter().map(|s| s.name).collect()),
        expected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_serving() {
    let core = TestCore::start(CoreOptions::default()).await;
    let mut health = HealthClient::new(core.channel().await);
    for service in ["", "lens.v1.AuthService", "lens.v1.UserService"] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status();
        assert_eq!(status, ServingStatus::Serving, "{service:?}");
    }
    core.stop().await.unwrap();
}
