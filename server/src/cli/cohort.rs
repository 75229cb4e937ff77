//! `lens-server cohort propose`: group proposals with a readable report,
//! for a cohort in the database or a population file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use lens_runtime::Env;
use lens_server::cohorts::{MatchingSettings, propose, reason_code, save};
use lens_server::config::DatabaseConfig;
use lens_server::matching::exact::{Method, Progress, Report, solve_exactly};
use lens_server::matching::file::PopulationFile;
use lens_server::matching::names::group_name;
use lens_server::matching::{Params, Problem, Solution, TimeModel};
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
    /// Only fixed UTC times (by default groups may also meet at a time
    /// anchored in a member's timezone, keeping its local time all term).
    #[arg(long)]
    utc_only: bool,
    /// Seconds the exact search may take after the fast solver (0: none).
    #[arg(long, default_value_t = 10)]
    exact_seconds: u64,
    /// Print the proposal as JSON (see docs/matching.md) instead of tables.
    #[arg(long)]
    json: bool,
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
    let settings = MatchingSettings {
        params: Params {
            min_size: args.min_size,
            max_size: args.max_size,
            meeting_slots: args.meeting_minutes / 30,
        },
        model: if args.utc_only {
            TimeModel::UtcOnly
        } else {
            TimeModel::Anchored
        },
        exact_time: Duration::from_secs(args.exact_seconds),
    };
    let started = Instant::now();
    if let Some(path) = &args.from_file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut file: PopulationFile =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        file.params = settings.params;
        let problem = file
            .to_problem_with(settings.model)
            .map_err(anyhow::Error::msg)?;
        let total = problem.learners.len();
        let (solution, exactness) = solve_exactly(&problem, settings.exact_time, progress(total));
        let name = |index: usize, facilitator: bool| {
            if facilitator {
                problem.facilitators[index].person.id.clone()
            } else {
                problem.learners[index].id.clone()
            }
        };
        let shown = Shown {
            problem: &problem,
            solution: &solution,
            report: exactness,
            name: &name,
        };
        if args.json {
            shown.print_json()?;
        } else {
            shown.print_tables(started);
        }
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
    let proposal = propose(&store, &cohort, settings, progress(signups)).await?;
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
    let shown = Shown {
        problem: &proposal.problem,
        solution: &proposal.solution,
        report: proposal.report,
        name: &name,
    };
    if args.json {
        shown.print_json()?;
    } else {
        println!(
            "Cohort {} — {} ({}, {} meetings from {})",
            cohort.id, cohort.name, cohort.course_slug, cohort.meeting_count, cohort.start_date
        );
        shown.print_tables(started);
    }
    if args.dry_run {
        eprintln!("\n(dry run: nothing stored)");
    } else if cohort.status != lens_server::domain::CohortStatus::Planned {
        eprintln!(
            "\n(cohort is {}: its groups are committed; nothing stored)",
            cohort.status
        );
    } else {
        save(&store, cohort.id, &proposal).await?;
        eprintln!(
            "\nStored as preview groups; review them with CohortService.ListGroups, then CommitGroups."
        );
    }
    store.close().await;
    Ok(())
}

/// Draws a progress bar on stderr for runs big enough to take a moment:
/// learners placed so far out of all, after each round of the fast solver,
/// a line while the exact search runs, and the final count.
fn progress(total: usize) -> impl FnMut(Progress) + Send + 'static {
    let mut round = 0;
    move |stage| {
        if total < 500 {
            return;
        }
        match stage {
            Progress::Round(placed) => {
                round += 1;
                eprintln!("  {} round {round}", bar(placed, total));
            }
            Progress::Searching(limit) => eprintln!(
                "  exact search for a better assignment, at most {} s…",
                limit.as_secs()
            ),
            Progress::Done(placed) => eprintln!("  {} done", bar(placed, total)),
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

/// A proposal to print, with a name for each learner and facilitator index.
struct Shown<'a> {
    problem: &'a Problem,
    solution: &'a Solution,
    report: Report,
    name: &'a dyn Fn(usize, bool) -> String,
}

/// The proposal as `--json` prints it.
#[derive(serde::Serialize)]
struct JsonProposal {
    placed: usize,
    learners: usize,
    if_needed_uses: usize,
    size_spread: usize,
    method: Method,
    proven_optimal: bool,
    placed_bound: usize,
    groups: Vec<JsonGroup>,
    unplaced: Vec<JsonUnplaced>,
}

#[derive(serde::Serialize)]
struct JsonGroup {
    name: String,
    /// "Mon 19:00 Europe/London" or "Mon 18:00 UTC".
    time: String,
    /// "UTC" or the IANA zone the time is anchored in.
    timezone: String,
    /// Start in `timezone`'s local week (0 = Monday 00:00, half-hours).
    local_slot: usize,
    /// UTC start (UTC week slot) in each meeting week.
    utc_slots: Vec<usize>,
    facilitator: String,
    learners: Vec<String>,
}

#[derive(serde::Serialize)]
struct JsonUnplaced {
    learner: String,
    reason: &'static str,
    explanation: &'static str,
}

impl Shown<'_> {
    fn print_json(&self) -> anyhow::Result<()> {
        let quality = self
            .solution
            .evaluate(self.problem)
            .map_err(|rule| anyhow::anyhow!("the proposal breaks a rule: {rule}"))?;
        let name = self.name;
        let proposal = JsonProposal {
            placed: quality.placed,
            learners: quality.learners,
            if_needed_uses: quality.if_needed_uses,
            size_spread: quality.size_spread,
            method: self.report.method,
            proven_optimal: self.report.proven_optimal,
            placed_bound: self.report.placed_bound,
            groups: self
                .solution
                .groups
                .iter()
                .enumerate()
                .map(|(index, group)| {
                    let time = self.problem.times.get(group.time);
                    JsonGroup {
                        name: group_name(index),
                        time: time.describe(),
                        timezone: time.anchor.name().to_owned(),
                        local_slot: time.local_start,
                        utc_slots: time.weekly.clone(),
                        facilitator: name(group.facilitator, true),
                        learners: group.learners.iter().map(|l| name(*l, false)).collect(),
                    }
                })
                .collect(),
            unplaced: self
                .solution
                .unplaced
                .iter()
                .map(|(learner, reason)| JsonUnplaced {
                    learner: name(*learner, false),
                    reason: reason_code(*reason),
                    explanation: reason.explain(),
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&proposal)?);
        Ok(())
    }

    fn print_tables(&self, started: Instant) {
        let (problem, solution, name) = (self.problem, self.solution, self.name);
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
        if self.report.proven_optimal {
            println!(
                "Proven optimal: no assignment places more, nor as many with less \"if needed\" time ({} search).",
                self.report.method.as_str()
            );
        } else if self.report.placed_bound == quality.placed {
            println!(
                "No assignment places more (proven); fewer \"if needed\" uses may exist ({} search).",
                self.report.method.as_str()
            );
        } else {
            println!(
                "Best found ({} search); at most {} learners could be placed.",
                self.report.method.as_str(),
                self.report.placed_bound
            );
        }
        println!("\n| group | time | size | facilitator | learners |");
        println!("| --- | --- | --- | --- | --- |");
        for (index, group) in solution.groups.iter().enumerate() {
            let learners: Vec<String> = group.learners.iter().map(|l| name(*l, false)).collect();
            println!(
                "| {} | {} | {} | {} | {} |",
                group_name(index),
                problem.times.get(group.time).describe(),
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
}
