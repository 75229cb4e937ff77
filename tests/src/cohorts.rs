//! A committed cohort to test what happens after matching: a core with the
//! content fixture, an admin, facilitators and learners free on Monday
//! evenings in Berlin, signed up, proposed and committed; and one call per
//! step a test takes next.

use lens_proto::v1;
use lens_proto::v1::cohort_service_client::CohortServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;

use crate::content_fixture;
use crate::core::{CoreOptions, TestCore, authed};

/// Local slots from `hour`:00 for `hours` hours on `day` (0 = Monday).
pub fn evening(day: u32, hour: u32, hours: u32) -> Vec<u32> {
    (0..hours * 2).map(|i| day * 48 + hour * 2 + i).collect()
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Lens user id.
    pub id: i64,
    /// Session token.
    pub token: String,
}

/// A core with a committed cohort.
pub struct CohortWorld {
    /// The core.
    pub core: TestCore,
    /// An admin.
    pub admin: Person,
    /// The cohort.
    pub cohort_id: i64,
    /// Its groups' ids.
    pub groups: Vec<i64>,
}

impl CohortWorld {
    /// `facilitators` facilitators and `learners` learners, all free Monday
    /// 19:00–21:00 in Berlin, matched and committed.
    pub async fn committed(postgres: bool, facilitators: usize, learners: usize) -> Self {
        let core = TestCore::start(CoreOptions {
            postgres,
            dev_mode: true,
            env: vec![(
                "CONTENT_DIR".into(),
                content_fixture().display().to_string(),
            )],
            ..Default::default()
        })
        .await;
        let admin = sign_in(&core, "admin", true).await;
        let mut world = Self {
            core,
            admin,
            cohort_id: 0,
            groups: Vec::new(),
        };
        let cohort = world
            .cohorts()
            .await
            .create_cohort(authed(
                v1::CreateCohortRequest {
                    name: "Spring 2027".into(),
                    course_slug: "default".into(),
                    start_date: "2027-03-01".into(),
                    ..Default::default()
                },
                &world.admin.token,
            ))
            .await
            .expect("cohort created")
            .into_inner()
            .cohort
            .expect("a cohort");
        world.cohort_id = cohort.id;
        for i in 0..facilitators {
            let person = world.person(&format!("fac{i}"), evening(0, 19, 2)).await;
            world
                .cohorts()
                .await
                .set_facilitator(authed(
                    v1::SetFacilitatorRequest {
                        user_id: person.id,
                        max_active_groups: 1,
                    },
                    &world.admin.token,
                ))
                .await
                .expect("facilitator set");
            world
                .sign_up(&person, v1::SignupRole::Facilitator)
                .await
                .expect("facilitator signed up");
        }
        for i in 0..learners {
            let person = world
                .person(&format!("learner{i}"), evening(0, 19, 2))
                .await;
            world
                .sign_up(&person, v1::SignupRole::Learner)
                .await
                .expect("learner signed up");
        }
        let mut cohorts = world.cohorts().await;
        let proposal = cohorts
            .propose_groups(authed(
                v1::ProposeGroupsRequest {
                    cohort_id: world.cohort_id,
                    ..Default::default()
                },
                &world.admin.token,
            ))
            .await
            .expect("proposed")
            .into_inner();
        world.groups = proposal.groups.iter().map(|g| g.id).collect();
        cohorts
            .commit_groups(authed(
                v1::CommitGroupsRequest {
                    cohort_id: world.cohort_id,
                },
                &world.admin.token,
            ))
            .await
            .expect("committed");
        world
    }

    /// A cohort client.
    pub async fn cohorts(&self) -> CohortServiceClient<tonic::transport::Channel> {
        CohortServiceClient::new(self.core.channel().await)
    }

    /// Someone signed in, with weekly availability in Berlin.
    pub async fn person(&self, name: &str, slots: Vec<u32>) -> Person {
        let person = sign_in(&self.core, name, false).await;
        let mut users = UserServiceClient::new(self.core.channel().await);
        users
            .set_availability(authed(
                v1::SetAvailabilityRequest {
                    availability: Some(v1::WeeklyAvailability {
                        timezone: "Europe/Berlin".into(),
                        available_slots: slots,
                        ..Default::default()
                    }),
                },
                &person.token,
            ))
            .await
            .expect("availability set");
        person
    }

    /// Signs `person` up for the cohort.
    pub async fn sign_up(
        &self,
        person: &Person,
        role: v1::SignupRole,
    ) -> Result<(), tonic::Status> {
        self.cohorts()
            .await
            .sign_up(authed(
                v1::SignUpRequest {
                    cohort_id: self.cohort_id,
                    role: role.into(),
                },
                &person.token,
            ))
            .await
            .map(|_| ())
    }

    /// A late learner, signed up after the commit, free when the groups meet.
    pub async fn late_learner(&self, name: &str) -> Person {
        let person = self.person(name, evening(0, 19, 2)).await;
        self.sign_up(&person, v1::SignupRole::Learner)
            .await
            .expect("late learner signed up");
        person
    }

    /// `person` joins group `group_id`.
    pub async fn join(
        &self,
        person: &Person,
        group_id: i64,
    ) -> Result<v1::CohortGroup, tonic::Status> {
        self.cohorts()
            .await
            .join_group(authed(v1::JoinGroupRequest { group_id }, &person.token))
            .await
            .map(|r| r.into_inner().group.expect("the group"))
    }

    /// The cohort's groups as an admin sees them.
    pub async fn list_groups(&self) -> Vec<v1::CohortGroup> {
        self.cohorts()
            .await
            .list_groups(authed(
                v1::ListGroupsRequest {
                    cohort_id: self.cohort_id,
                },
                &self.admin.token,
            ))
            .await
            .expect("groups listed")
            .into_inner()
            .groups
    }
}

/// Signs `name` in through the development sign-in, as the web edge does.
pub async fn sign_in(core: &TestCore, name: &str, admin: bool) -> Person {
    let session = core.dev_session(name, admin).await;
    Person {
        id: session.user.expect("a user").id,
        token: session.token,
    }
}
