//! `lens-server cohort propose --from-file … --json`, run as an admin
//! would: a proposal other tools can read without parsing the table.

use std::process::Command;

use lens_server::matching::Params;
use lens_server::matching::file::{FilePerson, PopulationFile};
use lens_tests::processes::{Profile, binary};

fn londoner(id: &str, role: &str) -> FilePerson {
    FilePerson {
        id: id.into(),
        role: role.into(),
        max_groups: None,
        timezone: "Europe/London".into(),
        available: vec!["Mon 19:00-20:00".into()],
        if_needed: Vec::new(),
    }
}

#[test]
fn a_proposal_prints_as_json_with_anchored_times_and_its_proof() {
    // Londoners free Monday 19:00–20:00 local, from 15 March 2027 across
    // Europe's clock change on 28 March; one learner gave no time.
    let mut people = vec![londoner("fac", "facilitator")];
    people.extend((0..4).map(|i| londoner(&format!("learner{i}"), "learner")));
    let mut silent = londoner("silent", "learner");
    silent.available.clear();
    people.push(silent);
    let file = PopulationFile {
        start_date: chrono::NaiveDate::from_ymd_opt(2027, 3, 15).unwrap(),
        meetings: 4,
        params: Params::default(),
        people,
    };
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("population.json");
    std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();

    let output = Command::new(binary(Profile::Debug, "lens-server"))
        .args([
            "cohort",
            "propose",
            "--json",
            "--exact-seconds",
            "30",
            "--from-file",
        ])
        .arg(&path)
        .env_clear()
        .output()
        .expect("lens-server runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let proposal: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("JSON on stdout");

    assert_eq!(proposal["placed"], 4);
    assert_eq!(proposal["learners"], 5);
    assert_eq!(proposal["proven_optimal"], true);
    assert_eq!(proposal["placed_bound"], 4);
    let group = &proposal["groups"][0];
    assert_eq!(group["time"], "Mon 19:00 Europe/London");
    assert_eq!(group["timezone"], "Europe/London");
    assert_eq!(group["utc_slots"], serde_json::json!([38, 38, 36, 36]));
    assert_eq!(group["facilitator"], "fac");
    assert_eq!(
        proposal["unplaced"],
        serde_json::json!([{
            "learner": "silent",
            "reason": "no_availability",
            "explanation": "gave no availability long enough for a meeting"
        }])
    );
}
