//! `/cohort propose` and `/cohort commit`, for admins (the core checks):
//! run matching with a progress message, then show the proposal; commit it
//! and follow the groups into Discord.

use std::collections::BTreeMap;
use std::time::Duration;

use lens_proto::v1;
use serenity::all::{
    CommandDataOptionValue, CommandInteraction, CommandInteraction as Command, CommandOptionType,
    Context, CreateAutocompleteResponse, CreateCommand, CreateCommandOption, CreateEmbed,
    CreateInteractionResponse, EditInteractionResponse, Permissions,
};

use super::{Asked, integer_option, words};
use crate::realize::ROLE_CAP;

/// The command's name.
pub const NAME: &str = "cohort";

/// How long `/cohort commit` follows the groups into Discord.
const FOLLOW_FOR: Duration = Duration::from_secs(60);

/// Most groups listed in an embed (Discord allows 25 fields).
const MOST_FIELDS: usize = 20;

/// The command as registered with Discord. Discord shows it to server
/// admins only; the core decides whether they are Lens admins.
pub fn definition() -> CreateCommand {
    let cohort = || {
        CreateCommandOption::new(CommandOptionType::Integer, "cohort", "The cohort")
            .required(true)
            .set_autocomplete(true)
    };
    CreateCommand::new(NAME)
        .description("Run a cohort's groups (Lens admins)")
        .default_member_permissions(Permissions::ADMINISTRATOR)
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::SubCommand,
                "propose",
                "Match the cohort's sign-ups into groups (a preview to review)",
            )
            .add_sub_option(cohort()),
        )
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::SubCommand,
                "commit",
                "Commit the proposed groups and set them up in Discord",
            )
            .add_sub_option(cohort()),
        )
}

/// Offers cohorts whose name contains what was typed.
pub async fn complete(asked: &Asked<'_>, ctx: &Context, completing: &CommandInteraction) {
    let typed = completing
        .data
        .autocomplete()
        .map(|o| o.value.to_lowercase())
        .unwrap_or_default();
    let cohorts = asked
        .core
        .cohorts_for(completing.user.id.get())
        .list_cohorts(v1::ListCohortsRequest {})
        .await
        .map(|r| r.into_inner().cohorts)
        .unwrap_or_default();
    let mut choices = CreateAutocompleteResponse::new();
    for cohort in cohorts
        .iter()
        .filter(|c| c.name.to_lowercase().contains(&typed))
        .take(25)
    {
        choices = choices.add_int_choice(
            format!(
                "{} ({}, {})",
                cohort.name, cohort.course_slug, cohort.start_date
            ),
            cohort.id,
        );
    }
    if let Err(error) = completing
        .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(choices))
        .await
    {
        tracing::warn!(%error, "answering a cohort autocompletion failed");
    }
}

/// Runs `/cohort propose` or `/cohort commit`.
pub async fn answer(asked: &Asked<'_>, ctx: &Context, command: &Command) {
    if let Err(error) = command.defer_ephemeral(&ctx.http).await {
        tracing::warn!(%error, "deferring /cohort failed");
        return;
    }
    let subcommand = command.data.options.first().and_then(|o| match &o.value {
        CommandDataOptionValue::SubCommand(_) => Some(o.name.as_str()),
        _ => None,
    });
    let cohort_id = integer_option(&command.data.options, "cohort").unwrap_or_default();
    let edit = |response: EditInteractionResponse| async move {
        if let Err(error) = command.edit_response(&ctx.http, response).await {
            tracing::warn!(%error, "editing a /cohort answer failed");
        }
    };
    let user = command.user.id.get();
    let cohort = asked
        .core
        .cohorts_for(user)
        .list_cohorts(v1::ListCohortsRequest {})
        .await
        .map(|r| {
            r.into_inner()
                .cohorts
                .into_iter()
                .find(|c| c.id == cohort_id)
        });
    let cohort = match cohort {
        Ok(Some(cohort)) => cohort,
        Ok(None) => {
            return edit(
                EditInteractionResponse::new().content(format!("There is no cohort {cohort_id}.")),
            )
            .await;
        }
        Err(status) => {
            return edit(EditInteractionResponse::new().content(words(&status, asked.public_url)))
                .await;
        }
    };
    match subcommand {
        Some("propose") => {
            edit(EditInteractionResponse::new().content(format!(
                "Matching {} sign-ups of **{}** into groups… (a search for the best grouping runs for up to 10 s)",
                cohort.signup_count, cohort.name
            )))
            .await;
            let proposed = asked
                .core
                .cohorts_for(user)
                .propose_groups(v1::ProposeGroupsRequest {
                    cohort_id,
                    ..Default::default()
                })
                .await;
            let response = match proposed {
                Ok(proposal) => EditInteractionResponse::new()
                    .content("")
                    .embed(proposal_embed(&cohort, &proposal.into_inner())),
                Err(status) => {
                    EditInteractionResponse::new().content(words(&status, asked.public_url))
                }
            };
            edit(response).await;
        }
        Some("commit") => {
            let text = commit(asked, user, &cohort, |progress| {
                edit(EditInteractionResponse::new().content(progress))
            })
            .await;
            edit(EditInteractionResponse::new().content(text)).await;
        }
        _ => edit(EditInteractionResponse::new().content("Say propose or commit.")).await,
    }
}

/// The proposal as an embed: how many were placed, the groups with their
/// times, why the others were not, and clock changes to check.
pub fn proposal_embed(cohort: &v1::Cohort, proposal: &v1::ProposeGroupsResponse) -> CreateEmbed {
    let rate = if proposal.learners == 0 {
        0.0
    } else {
        100.0 * f64::from(proposal.placed) / f64::from(proposal.learners)
    };
    let mut description = format!(
        "Placed **{} of {}** learners ({rate:.0}%) in {} groups; {} not placed.",
        proposal.placed,
        proposal.learners,
        proposal.groups.len(),
        proposal.unplaced.len()
    );
    if proposal.proven_optimal {
        description.push_str(" No grouping places more.");
    } else {
        description.push_str(&format!(
            " At most {} could be placed.",
            proposal.placed_bound
        ));
    }
    description.push_str("\nReview, then `/cohort commit` to set the groups up.");
    let mut embed = CreateEmbed::new()
        .title(format!("Proposed groups for {}", cohort.name))
        .description(description);
    for group in proposal.groups.iter().take(MOST_FIELDS) {
        let names: Vec<&str> = group.members.iter().map(|m| m.name.as_str()).collect();
        embed = embed.field(
            format!("{} · {}", group.name, group.meeting_time),
            clip(&names.join(", "), 1000),
            false,
        );
    }
    if proposal.groups.len() > MOST_FIELDS {
        embed = embed.field(
            "…",
            format!("and {} more groups", proposal.groups.len() - MOST_FIELDS),
            false,
        );
    }
    if !proposal.unplaced.is_empty() {
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for unplaced in &proposal.unplaced {
            *reasons.entry(unplaced.explanation.as_str()).or_default() += 1;
        }
        let lines: Vec<String> = reasons
            .iter()
            .map(|(why, n)| format!("{n} × {why}"))
            .collect();
        embed = embed.field("Not placed", clip(&lines.join("\n"), 1000), false);
    }
    if !proposal.clock_warnings.is_empty() {
        embed = embed.field(
            "Clock changes",
            clip(&proposal.clock_warnings.join("\n"), 1000),
            false,
        );
    }
    embed
}

/// Commits the cohort's proposal after checking the server has room for
/// its roles, then follows the groups into Discord; the summary.
async fn commit<F, Fut>(asked: &Asked<'_>, user: u64, cohort: &v1::Cohort, progress: F) -> String
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cohorts = asked.core.cohorts_for(user);
    let listed = match cohorts
        .clone()
        .list_groups(v1::ListGroupsRequest {
            cohort_id: cohort.id,
        })
        .await
    {
        Ok(listed) => listed.into_inner().groups,
        Err(status) => return words(&status, asked.public_url),
    };
    let previews = listed
        .iter()
        .filter(|g| g.status() == v1::GroupStatus::Preview)
        .count();
    if let Some(server) = asked.server {
        match asked.rest.roles(server).await {
            Ok(roles) if roles.len() + previews > ROLE_CAP => {
                return format!(
                    "Not committed: the server has {} roles, and {previews} groups need one each; Discord allows {ROLE_CAP}. Delete roles no longer used (old cohorts' group roles), then commit again.",
                    roles.len()
                );
            }
            Ok(roles) if roles.len() + previews + 10 > ROLE_CAP => {
                progress(format!(
                    "Warning: after this the server will have {} of Discord's {ROLE_CAP} roles.",
                    roles.len() + previews
                ))
                .await;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "counting the server's roles failed"),
        }
    }
    let committed = match cohorts
        .clone()
        .commit_groups(v1::CommitGroupsRequest {
            cohort_id: cohort.id,
        })
        .await
    {
        Ok(committed) => committed.into_inner(),
        Err(status) => return words(&status, asked.public_url),
    };
    progress(format!(
        "Committed {} groups of **{}**; setting them up in Discord…",
        committed.committed, cohort.name
    ))
    .await;
    let deadline = tokio::time::Instant::now() + FOLLOW_FOR;
    loop {
        let groups = cohorts
            .clone()
            .list_groups(v1::ListGroupsRequest {
                cohort_id: cohort.id,
            })
            .await
            .map(|r| r.into_inner().groups)
            .unwrap_or_default();
        let waiting: Vec<&str> = groups
            .iter()
            .filter(|g| g.status() == v1::GroupStatus::Active && !g.realized)
            .map(|g| g.name.as_str())
            .collect();
        let realized = groups.iter().filter(|g| g.realized).count();
        if waiting.is_empty() {
            return format!(
                "Committed **{}**: all {realized} groups are set up in Discord, with channels, roles and welcomes.",
                cohort.name
            );
        }
        if tokio::time::Instant::now() >= deadline {
            return format!(
                "Committed **{}**: {realized} groups are set up in Discord; still waiting: {}. They keep being retried; failed ones are listed for admins (docs/admin.md, Jobs).",
                cohort.name,
                clip(&waiting.join(", "), 1200)
            );
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn clip(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        text.to_owned()
    } else {
        text.chars().take(most - 1).collect::<String>() + "…"
    }
}
