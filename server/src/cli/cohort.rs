//! `lens-server cohort propose`: group proposals with a readable report,
//! for a cohort in the database or a population file.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use lens_runtime::Env;
use lens_server::cohorts::{propose, reason_code, save};
use lens_server::config::DatabaseConfig;
use lens_server::matching::file::PopulationFile;
use lens_server::matching::slots::describe;
use lens_server::matching::{Params, Problem, Solution, solve};
use lens_server::store::Store;

#[derive(Debug, Subcommand)]
pub enum CohortCommand {
    /// Propose groups and print a report: placed / total, a table of
    /// groups, and every unplaced learner with the reason.
    Propose(ProposeArgs),
}

#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// The cohort in the database; its proposal is stored as preview groups
    /// (as CohortService.ProposeGroups does) unless --dry-run.
    #[arg(
        long,
        required_unless_present = "from_file",
        conflicts_with = "from_file"
    )]
    cohort: Option<i64>,
    /// A population file instead (format in docs/matching.md); nothing is stored.
    #[arg(long)]
    from_file: Option<PathBuf>,
    /// Smallest group, facilitator included.
    #[arg(long, default_value_t = 4)]
    min_size: usize,
    /// Largest group, facilitator included.
    #[arg(long, default_value_t = 8)]
    max_size: usize,
    /// Meeting length in minutes (multiple of 30).
    #[arg(long, default_value_t = 60)]
    meeting_minutes: usize,
    /// Print the report without storing preview groups.
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(env: &Env, command: CohortCommand) -> anyhow::Result<()> {
    let CohortCommand::Propose(args) = command;
    if !args.meeting_minutes.is_multiple_of(30)
        || args.meeting_minutes == 0
        || args.min_size < 2
        || args.max_size < args.min_size
    {
        bail!("need 2 ≤ --min-size ≤ --max-size and --meeting-minutes a multiple of 30");
    }
    let params = Params {
        min_size: args.min_size,
        max_size: args.max_size,
        meeting_slots: args.meeting_minutes / 30,
    };
    let started = Instant::now();
    if let Some(path) = &args.from_file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut file: PopulationFile =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        file.params = params;
        let problem = file.to_problem().map_err(anyhow::Error::msg)?;
        let total = problem.learners.len();
        let solution = solve(&problem, progress(total));
        let name = |index: usize, facilitator: bool| {
            if facilitator {
                problem.facilitators[index].person.id.clone()
            } else {
                problem.learners[index].id.clone()
            }
        };
        report(&problem, &solution, &name, started);
        return Ok(());
    }
    let cohort_id = args.cohort.expect("clap requires --cohort or --from-file");
    let database = DatabaseConfig::from_env(env)?;
    let store = Store::connect(&database)
        .await
        .context("connecting to the database")?;
    store.migrate().await?;
    let cohort = store
        .cohort(lens_server::domain::CohortId(cohort_id))
        .await?
        .with_context(|| format!("there is no cohort {cohort_id}"))?;
    let signups = cohort.signup_count as usize;
    let proposal = propose(&store, &cohort, params, progress(signups)).await?;
    let name = |index: usize, facilitator: bool| {
        let id = if facilitator {
            proposal.facilitator_ids[index]
        } else {
            proposal.learner_ids[index]
        };
        format!(
            "{} (user {id})",
            proposal.names.get(&id).cloned().unwrap_or_default()
        )
    };
    println!(
        "Cohort {} — {} ({}, {} meetings from {})",
        cohort.id, cohort.name, cohort.course_slug, cohort.meeting_count, cohort.start_date
    );
    report(&proposal.problem, &proposal.solution, &name, started);
    if args.dry_run {
        println!("\n(dry run: nothing stored)");
    } else if cohort.status != lens_server::domain::CohortStatus::Planned {
        println!(
            "\n(cohort is {}: its groups are committed; nothing stored)",
            cohort.status
        );
    } else {
        save(&store, cohort.id, &proposal).await?;
        println!(
            "\nStored as preview groups; review them with CohortService.ListGroups, then CommitGroups."
        );
    }
    store.close().await;
    Ok(())
}

/// Draws a progress bar on stderr for runs big enough to take a moment:
/// learners placed so far out of all, after each solver round.
fn progress(total: usize) -> impl FnMut(usize) + Send + 'static {
    let mut round = 0;
    move |placed| {
        round += 1;
        if total >= 500 {
            eprintln!("  {} round {round}", bar(placed, total));
        }
    }
}

/// `[#########-----------] 450/1000 placed`
fn bar(done: usize, total: usize) -> String {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH)
        .min(WIDTH);
    format!(
        "[{}{}] {done}/{total} placed",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled)
    )
}

fn report(
    problem: &Problem,
    solution: &Solution,
    name: &dyn Fn(usize, bool) -> String,
    started: Instant,
) {
    let quality = match solution.evaluate(problem) {
        Ok(quality) => quality,
        Err(rule) => {
            eprintln!("error: the proposal breaks a rule: {rule}");
            return;
        }
    };
    let percent = if quality.learners == 0 {
        0.0
    } else {
        100.0 * quality.placed as f64 / quality.learners as f64
    };
    println!(
        "Placed {} of {} learners ({percent:.1}%) in {} groups; {} members at an \"if needed\" time; computed in {:.0} ms.",
        quality.placed,
        quality.learners,
        quality.groups,
        quality.if_needed_uses,
        started.elapsed().as_secs_f64() * 1000.0
    );
    println!("\n| group | time (UTC) | size | facilitator | learners |");
    println!("| --- | --- | --- | --- | --- |");
    for (index, group) in solution.groups.iter().enumerate() {
        let learners: Vec<String> = group.learners.iter().map(|l| name(*l, false)).collect();
        println!(
            "| {} | {} | {} | {} | {} |",
            lens_server::matching::names::group_name(index),
            describe(group.start),
            group.learners.len() + 1,
            name(group.facilitator, true),
            learners.join(", ")
        );
    }
    if solution.unplaced.is_empty() {
        println!("\nEveryone is placed.");
        return;
    }
    println!("\nNot placed ({}):", solution.unplaced.len());
    let mut by_reason: std::collections::BTreeMap<_, Vec<String>> =
        std::collections::BTreeMap::new();
    for (learner, reason) in &solution.unplaced {
        by_reason
            .entry(*reason)
            .or_default()
            .push(name(*learner, false));
    }
    for (reason, people) in by_reason {
        println!(
            "- {} ({}, {}): {}",
            reason.explain(),
            reason_code(reason),
            people.len(),
            people.join(", ")
        );
    }
}
