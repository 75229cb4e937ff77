//! System tests: real processes on loopback, real databases, fake
//! third-party services. One binary, so it links once.

/// Generates a `sqlite` and a `postgres` test for each named
/// `async fn NAME(postgres: bool)`, so both backends run the same code.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(false).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(true).await
                }
            }
        )*
    };
}

mod answers;
mod auth_tokens;
mod calendar;
mod chat;
mod cli_propose;
mod cohort_joins;
mod cohorts;
mod content;
mod content_conformance;
mod content_fuzz;
mod content_today;
mod delivery;
mod deployment;
mod discord_bot;
mod discord_commands;
mod discord_groups;
mod discord_members;
mod discord_work;
mod email;
mod enrolment;
mod error_reports;
mod facilitator_panel;
mod faults;
mod guests;
mod matching;
mod meetings;
mod metrics;
mod oauth_flow;
mod progress;
mod reflection;
mod relays;
mod reminders;
mod roleplays;
mod rpc_users;
mod store_users;
mod tutor_tools;
mod web_edge;
