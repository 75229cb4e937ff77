//! A cohort to test with: a core with the content fixture, an admin and a
//! planned cohort starting Monday 1 March 2027; people free on chosen
//! evenings in Berlin; and one call per step a test takes next, so a test
//! reads as the story it checks.

use lens_proto::v1;
use lens_proto::v1::cohort_service_client::CohortServiceClient;
use lens_proto::v1::user_service_client::UserServiceClient;
use lens_server::domain::JobState;
use lens_server::store::DiscordProfile;
use tonic::Status;

use crate::content_fixture;
use crate::core::{CoreOptions, TestCore, authed, keys};

/// Local slots from `hour`:00 for `hours` hours on `day` (0 = Monday).
pub fn evening(day: u32, hour: u32, hours: u32) -> Vec<u32> {
    (0..hours * 2).map(|i| day * 48 + hour * 2 + i).collect()
}

/// Monday 19:00–21:00, when everyone in the default world is free.
pub fn monday() -> Vec<u32> {
    evening(0, 19, 2)
}

/// Tuesday 19:00–21:00: never overlaps [`monday`].
pub fn tuesday() -> Vec<u32> {
    evening(1, 19, 2)
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Lens user id.
    pub id: i64,
    /// Session token.
    pub token: String,
    /// Their Discord account.
    pub discord_id: String,
}

/// A core with a cohort in it.
pub struct CohortWorld {
    /// The core.
    pub core: TestCore,
    /// An admin.
    pub admin: Person,
    /// The cohort.
    pub cohort_id: i64,
    /// Its groups' ids, once proposed.
    pub groups: Vec<i64>,
}

/// A request to create the default world's cohort: "Spring 2027" of the
/// fixture's `default` course, starting 2027-03-01, meetings and length from
/// the course.
pub fn spring_cohort() -> v1::CreateCohortRequest {
    v1::CreateCohortRequest {
        name: "Spring 2027".into(),
        course_slug: "default".into(),
        start_date: "2027-03-01".into(),
        ..Default::default()
    }
}

impl CohortWorld {
    /// A core with an admin and no cohort yet (`cohort_id` is 0).
    pub async fn empty(postgres: bool) -> Self {
        Self::empty_with(postgres, Vec::new()).await
    }

    /// As [`CohortWorld::empty`], with more configuration (`env`).
    pub async fn empty_with(postgres: bool, env: Vec<(String, String)>) -> Self {
        let mut vars = vec![(
            "CONTENT_DIR".to_owned(),
            content_fixture().display().to_string(),
        )];
        vars.extend(env);
        let core = TestCore::start(CoreOptions {
            postgres,
            dev_mode: true,
            env: vars,
            ..Default::default()
        })
        .await;
        let admin = sign_in(&core, "admin", true).await;
        Self {
            core,
            admin,
            cohort_id: 0,
            groups: Vec::new(),
        }
    }

    /// A planned cohort ([`spring_cohort`]) with nobody signed up.
    pub async fn planned(postgres: bool) -> Self {
        Self::planned_with(postgres, Vec::new()).await
    }

    /// As [`CohortWorld::planned`], with more configuration (`env`).
    pub async fn planned_with(postgres: bool, env: Vec<(String, String)>) -> Self {
        let mut world = Self::empty_with(postgres, env).await;
        world.cohort_id = world
            .create_cohort(spring_cohort())
            .await
            .expect("cohort created")
            .id;
        world
    }

    /// `facilitators` facilitators and `learners` learners, all free Monday
    /// 19:00–21:00 in Berlin, signed up and proposed.
    pub async fn proposed(postgres: bool, facilitators: usize, learners: usize) -> Self {
        let mut world = Self::planned(postgres).await;
        for i in 0..facilitators {
            world.facilitator(&format!("fac{i}"), monday()).await;
        }
        for i in 0..learners {
            world.learner(&format!("learner{i}"), monday()).await;
        }
        let proposal = world.propose().await.expect("proposed");
        world.groups = proposal.groups.iter().map(|g| g.id).collect();
        world
    }

    /// As [`CohortWorld::proposed`], then committed.
    pub async fn committed(postgres: bool, facilitators: usize, learners: usize) -> Self {
        let world = Self::proposed(postgres, facilitators, learners).await;
        world.commit().await.expect("committed");
        world
    }

    /// A cohort client.
    pub async fn cohorts(&self) -> CohortServiceClient<tonic::transport::Channel> {
        CohortServiceClient::new(self.core.channel().await)
    }

    /// A user client.
    pub async fn users(&self) -> UserServiceClient<tonic::transport::Channel> {
        UserServiceClient::new(self.core.channel().await)
    }

    /// The admin creates a cohort.
    pub async fn create_cohort(
        &self,
        request: v1::CreateCohortRequest,
    ) -> Result<v1::Cohort, Status> {
        self.cohorts()
            .await
            .create_cohort(authed(request, &self.admin.token))
            .await
            .map(|r| r.into_inner().cohort.expect("a cohort"))
    }

    /// Someone signed in, with weekly availability in Berlin (none when
    /// `slots` is empty).
    pub async fn person(&self, name: &str, slots: Vec<u32>) -> Person {
        let person = sign_in(&self.core, name, false).await;
        if !slots.is_empty() {
            self.set_availability(&person, slots)
                .await
                .expect("availability set");
        }
        person
    }

    /// `person` states their weekly availability in Berlin.
    pub async fn set_availability(&self, person: &Person, slots: Vec<u32>) -> Result<(), Status> {
        self.users()
            .await
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
            .map(|_| ())
    }

    /// The admin lets `person` facilitate one group at a time.
    pub async fn make_facilitator(&self, person: &Person) {
        self.cohorts()
            .await
            .set_facilitator(authed(
                v1::SetFacilitatorRequest {
                    user_id: person.id,
                    max_active_groups: 1,
                },
                &self.admin.token,
            ))
            .await
            .expect("facilitator set");
    }

    /// A facilitator (at most one group) free at `slots`, signed up.
    pub async fn facilitator(&self, name: &str, slots: Vec<u32>) -> Person {
        let person = self.person(name, slots).await;
        self.make_facilitator(&person).await;
        self.sign_up(&person, v1::SignupRole::Facilitator)
            .await
            .expect("facilitator signed up");
        person
    }

    /// A learner free at `slots`, signed up.
    pub async fn learner(&self, name: &str, slots: Vec<u32>) -> Person {
        let person = self.person(name, slots).await;
        self.sign_up(&person, v1::SignupRole::Learner)
            .await
            .expect("learner signed up");
        person
    }

    /// Signs `person` up for the cohort.
    pub async fn sign_up(
        &self,
        person: &Person,
        role: v1::SignupRole,
    ) -> Result<v1::SignUpResponse, Status> {
        self.sign_up_for(self.cohort_id, person, role).await
    }

    /// Signs `person` up for another cohort.
    pub async fn sign_up_for(
        &self,
        cohort_id: i64,
        person: &Person,
        role: v1::SignupRole,
    ) -> Result<v1::SignUpResponse, Status> {
        self.cohorts()
            .await
            .sign_up(authed(
                v1::SignUpRequest {
                    cohort_id,
                    role: role.into(),
                },
                &person.token,
            ))
            .await
            .map(|r| r.into_inner())
    }

    /// A late learner, signed up after the commit, free when the groups meet.
    pub async fn late_learner(&self, name: &str) -> Person {
        self.learner(name, monday()).await
    }

    /// The admin proposes groups for the cohort.
    pub async fn propose(&self) -> Result<v1::ProposeGroupsResponse, Status> {
        self.propose_as(self.cohort_id, &self.admin).await
    }

    /// `person` proposes groups for `cohort_id`.
    pub async fn propose_as(
        &self,
        cohort_id: i64,
        person: &Person,
    ) -> Result<v1::ProposeGroupsResponse, Status> {
        self.cohorts()
            .await
            .propose_groups(authed(
                v1::ProposeGroupsRequest {
                    cohort_id,
                    ..Default::default()
                },
                &person.token,
            ))
            .await
            .map(|r| r.into_inner())
    }

    /// The admin commits the proposed groups.
    pub async fn commit(&self) -> Result<v1::CommitGroupsResponse, Status> {
        self.cohorts()
            .await
            .commit_groups(authed(
                v1::CommitGroupsRequest {
                    cohort_id: self.cohort_id,
                },
                &self.admin.token,
            ))
            .await
            .map(|r| r.into_inner())
    }

    /// The admin moves learner `user_id` into `to_group_id`.
    pub async fn move_member(
        &self,
        user_id: i64,
        to_group_id: i64,
    ) -> Result<v1::MoveMemberResponse, Status> {
        self.cohorts()
            .await
            .move_member(authed(
                v1::MoveMemberRequest {
                    cohort_id: self.cohort_id,
                    user_id,
                    to_group_id,
                },
                &self.admin.token,
            ))
            .await
            .map(|r| r.into_inner())
    }

    /// The groups `person` may join.
    pub async fn joinable(&self, person: &Person) -> Vec<v1::CohortGroup> {
        self.cohorts()
            .await
            .list_joinable_groups(authed(
                v1::ListJoinableGroupsRequest {
                    cohort_id: self.cohort_id,
                },
                &person.token,
            ))
            .await
            .expect("joinable groups listed")
            .into_inner()
            .groups
    }

    /// `person` joins group `group_id`.
    pub async fn join(&self, person: &Person, group_id: i64) -> Result<v1::CohortGroup, Status> {
        self.cohorts()
            .await
            .join_group(authed(
                v1::JoinGroupRequest {
                    group_id,
                    switch_group: false,
                },
                &person.token,
            ))
            .await
            .map(|r| r.into_inner().group.expect("the group"))
    }

    /// `person` switches to group `group_id` (JoinGroup with `switch_group`).
    pub async fn switch(&self, person: &Person, group_id: i64) -> Result<v1::CohortGroup, Status> {
        let request = v1::JoinGroupRequest {
            group_id,
            switch_group: true,
        };
        self.cohorts()
            .await
            .join_group(authed(request, &person.token))
            .await
            .map(|r| r.into_inner().group.expect("the group"))
    }

    /// `person` takes back their sign-up for the cohort.
    pub async fn withdraw(&self, person: &Person) -> Result<(), Status> {
        let request = v1::WithdrawSignUpRequest {
            cohort_id: self.cohort_id,
        };
        self.cohorts()
            .await
            .withdraw_sign_up(authed(request, &person.token))
            .await
            .map(|_| ())
    }

    /// The cohorts as `person` (or a guest, with `None`) sees them.
    pub async fn list_cohorts(&self, person: Option<&Person>) -> v1::ListCohortsResponse {
        let request = v1::ListCohortsRequest {};
        let request = match person {
            Some(person) => authed(request, &person.token),
            None => tonic::Request::new(request),
        };
        self.cohorts()
            .await
            .list_cohorts(request)
            .await
            .expect("cohorts listed")
            .into_inner()
    }

    /// The first group, its facilitator and one learner (the world
    /// committed).
    pub async fn first_group(&self) -> (v1::CohortGroup, Person, Person) {
        let group = self.list_groups().await.remove(0);
        let person = |i: usize| Person {
            id: group.members[i].user_id,
            token: self.core.user_token(group.members[i].user_id, false),
            discord_id: discord_id_of(&group.members[i].name),
        };
        let (facilitator, learner) = (person(0), person(1));
        (group, facilitator, learner)
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

    /// Side effects queued and not yet delivered, by kind, oldest first.
    pub async fn pending_work(&self) -> Vec<String> {
        let mut jobs = self
            .core
            .state
            .store
            .list_jobs(&[JobState::Pending], 1000)
            .await
            .expect("jobs read");
        jobs.reverse();
        jobs.into_iter().map(|job| job.kind).collect()
    }
}

/// Signs `name` in through the development sign-in, as the web edge does.
pub async fn sign_in(core: &TestCore, name: &str, admin: bool) -> Person {
    let store = &core.state.store;
    let user = store
        .upsert_discord_user(&DiscordProfile {
            discord_id: discord_id_of(name),
            username: name.to_owned(),
            global_name: None,
            avatar_hash: None,
            email: None,
            email_verified: false,
        })
        .await
        .expect("user stored");
    if admin {
        store.set_admin(user.id, true).await.expect("admin flag");
    }
    let (token, _) = keys().mint_session(
        user.id,
        admin,
        chrono::Utc::now(),
        std::time::Duration::from_secs(3600),
    );
    Person {
        id: user.id.0,
        token,
        discord_id: user.discord_id,
    }
}

/// The Discord account (a snowflake) of the person called `name` in these
/// worlds: the same name, the same account.
pub fn discord_id_of(name: &str) -> String {
    let hash = name.bytes().fold(1_469_598_103_934_665_603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211)
    });
    format!(
        "{}",
        100_000_000_000_000_000 + hash % 800_000_000_000_000_000
    )
}
