//! Writes a generated population file for `lens-server cohort propose
//! --from-file`: `cargo run -p lens-tests --bin generate-population -- 1000 [SEED]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let learners: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2027);
    let file = lens_tests::population::generate_file(learners, seed);
    println!(
        "{}",
        serde_json::to_string_pretty(&file).expect("serialisable")
    );
}
