//! The real binaries as child processes: for figures that must be one
//! process's own, such as memory (release build), and for faults only a
//! process has, such as being killed (debug build). Built first; quick when
//! up to date. Each runs in an empty folder with only the variables given,
//! so no `.env` file leaks in.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lens_server::auth::EdgeKind;
use tempfile::TempDir;

use crate::TEST_JWT_SECRET;

/// A running binary.
pub struct Spawned {
    /// Its URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// Its port.
    pub port: u16,
    child: Child,
    _home: TempDir,
}

impl Spawned {
    /// A plaintext HTTP/2 channel to it.
    pub async fn channel(&self) -> tonic::transport::Channel {
        tonic::transport::Endpoint::from_shared(self.url.clone())
            .expect("url")
            .connect()
            .await
            .expect("connect to the spawned process")
    }

    /// Resident memory, KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the process is running");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }
}

impl Spawned {
    /// Asks the process to shut down (SIGTERM), as a deploy does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "SIGTERM was not delivered");
    }

    /// Waits up to `limit` for the process to exit; whether it did.
    pub fn wait_exit(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Kills the process at once (SIGKILL): no shutdown, no flush.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Which build of the binaries to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The test build: quick to make, for fault tests.
    Debug,
    /// The optimised build: for figures.
    Release,
}

/// Builds the binaries of `profile` and returns the folder holding them.
fn build_dir(profile: Profile) -> PathBuf {
    let mut args = vec![
        "build",
        "--quiet",
        "-p",
        "lens-server",
        "-p",
        "lens-web",
        "-p",
        "lens-discord",
    ];
    if profile == Profile::Release {
        args.push("--release");
    }
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo");
    assert!(status.success(), "building the binaries failed");
    std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join(match profile {
            Profile::Debug => "debug",
            Profile::Release => "release",
        })
}

/// The path of binary `name` (built first) in `profile`, to run as a
/// command-line tool.
pub fn binary(profile: Profile, name: &str) -> PathBuf {
    build_dir(profile).join(name)
}

/// A loopback port nothing listens on yet.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn spawn(profile: Profile, binary: &str, addr_var: &str, vars: Vec<(String, String)>) -> Spawned {
    spawn_on_port(profile, binary, addr_var, free_port(), vars)
}

fn spawn_on_port(
    profile: Profile,
    binary: &str,
    addr_var: &str,
    port: u16,
    vars: Vec<(String, String)>,
) -> Spawned {
    let home = tempfile::tempdir().expect("temporary folder");
    let child = Command::new(build_dir(profile).join(binary))
        .env_clear()
        .env(addr_var, format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .env("CONTENT_REPO", "none")
        .envs(vars)
        .current_dir(home.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {binary}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{binary} did not listen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Spawned {
        url: format!("http://127.0.0.1:{port}"),
        port,
        child,
        _home: home,
    }
}

/// Starts the release `lens-server` on a fresh SQLite file with `vars` added.
pub fn spawn_core(vars: Vec<(String, String)>) -> Spawned {
    spawn_core_on(Profile::Release, "sqlite://lens.db", vars)
}

/// Starts `lens-server` of `profile` on `database_url` with `vars` added
/// (a database outside its folder outlives it, for restarts).
pub fn spawn_core_on(profile: Profile, database_url: &str, vars: Vec<(String, String)>) -> Spawned {
    spawn_core_at(profile, free_port(), database_url, vars)
}

/// Like [`spawn_core_on`], listening on `port` (to restart a core where its
/// edges expect it).
pub fn spawn_core_at(
    profile: Profile,
    port: u16,
    database_url: &str,
    vars: Vec<(String, String)>,
) -> Spawned {
    let mut all = vec![
        ("JWT_SECRET".to_owned(), TEST_JWT_SECRET.to_owned()),
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
    ];
    all.extend(vars);
    spawn_on_port(profile, "lens-server", "LENS_GRPC_ADDR", port, all)
}

/// Starts the release `lens-web` in front of `core`, in development mode.
pub fn spawn_web(core: &Spawned) -> Spawned {
    spawn_web_of(Profile::Release, core)
}

/// Starts `lens-web` of `profile` in front of `core`, in development mode.
pub fn spawn_web_of(profile: Profile, core: &Spawned) -> Spawned {
    spawn_web_with(profile, core, Vec::new())
}

/// As [`spawn_web_of`], with `extra` variables.
pub fn spawn_web_with(profile: Profile, core: &Spawned, extra: Vec<(String, String)>) -> Spawned {
    let token = crate::core::keys()
        .mint_edge(EdgeKind::Web, chrono::Utc::now(), Duration::from_secs(3600))
        .0;
    let mut vars = vec![
        ("LENS_CORE_URL".to_owned(), core.url.clone()),
        ("LENS_EDGE_TOKEN".to_owned(), token),
        ("LENS_STATIC_DIR".to_owned(), "/nonexistent".to_owned()),
        ("DEV_MODE".to_owned(), "1".to_owned()),
    ];
    vars.extend(extra);
    spawn(profile, "lens-web", "LENS_WEB_ADDR", vars)
}
