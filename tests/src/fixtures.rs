//! The content fixtures: the copies beside the repository
//! (`../shared/fixtures/NAME`), or, on a clone without them, the pinned
//! commits of `tests/fixtures.lock` fetched from GitHub once into
//! `target/fixtures/`, with the archive code the content source uses.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use lens_server::content::{ContentFiles, GitHubSource};

/// A fixture's pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// Its name, as a folder under `shared/fixtures`.
    pub name: String,
    /// `owner/name` on GitHub.
    pub repo: String,
    /// The commit.
    pub commit: String,
    /// The folder of the repository the fixture is, when not its root.
    pub folder: Option<String>,
}

/// The pins of `tests/fixtures.lock`.
pub fn pins() -> Vec<Pin> {
    include_str!("../fixtures.lock")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(Pin {
                name: words.next()?.to_owned(),
                repo: words.next()?.to_owned(),
                commit: words.next()?.to_owned(),
                folder: words.next().map(str::to_owned),
            })
        })
        .collect()
}

/// The original platform's content processor fixtures with what it made of
/// them (`../shared/fixtures/original-processor`), when they are there.
pub fn original_processor() -> PathBuf {
    let path = std::env::var("LENS_PROCESSOR_FIXTURE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/original-processor")
        });
    if path.join("golden").is_dir() {
        return path;
    }
    let pin = pins()
        .into_iter()
        .find(|p| p.name == "original-processor")
        .expect("original-processor is pinned in tests/fixtures.lock");
    let api = std::env::var("LENS_FIXTURE_GITHUB_API")
        .unwrap_or_else(|_| "https://api.github.com".into());
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fixtures");
    static FETCHING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = FETCHING.lock().unwrap_or_else(|e| e.into_inner());
    fetch_folder(&api, &pin, &cache).unwrap_or_else(|e| {
        panic!(
            "the original processor's fixtures are not at {} and fetching them from GitHub failed: {e}\n\
             Put a copy there, set LENS_PROCESSOR_FIXTURE to one, or let the tests reach api.github.com.",
            path.display()
        )
    })
}

/// One folder of a pinned commit, every file of it (not only content), in
/// `cache`; fetched when it is not there yet.
fn fetch_folder(api: &str, pin: &Pin, cache: &Path) -> Result<PathBuf, String> {
    let target = cache.join(format!("{}-{}", pin.name, &pin.commit[..12]));
    if target.is_dir() {
        return Ok(target);
    }
    let folder = pin.folder.clone().unwrap_or_default();
    let url = format!(
        "{}/repos/{}/tarball/{}",
        api.trim_end_matches('/'),
        pin.repo,
        pin.commit
    );
    eprintln!(
        "fetching {} ({}@{}) from GitHub…",
        pin.name,
        pin.repo,
        &pin.commit[..12]
    );
    let bytes = std::thread::spawn(move || -> Result<Vec<u8>, String> {
        lens_runtime::install_crypto_provider();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let response = reqwest::Client::new()
                .get(url)
                .header("User-Agent", "lens-tests")
                .send()
                .await
                .map_err(|e| e.to_string())?
                .error_for_status()
                .map_err(|e| e.to_string())?;
            Ok(response.bytes().await.map_err(|e| e.to_string())?.to_vec())
        })
    })
    .join()
    .map_err(|_| "the fetch panicked".to_owned())??;
    let partial = cache.join(format!(".{}-partial", pin.name));
    let _ = std::fs::remove_dir_all(&partial);
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        // Entries sit under one top folder named after the commit.
        let inside: PathBuf = path.components().skip(1).collect();
        let Ok(relative) = inside.strip_prefix(&folder) else {
            continue;
        };
        let file = partial.join(relative);
        std::fs::create_dir_all(file.parent().expect("a file has a folder"))
            .map_err(|e| e.to_string())?;
        entry.unpack(&file).map_err(|e| e.to_string())?;
    }
    std::fs::rename(&partial, &target).map_err(|e| e.to_string())?;
    Ok(target)
}

/// The folder of fixture `name`: `variable` when set, else the copy beside
/// the repository, else the pinned commit fetched into `target/fixtures`.
pub fn fixture(variable: &str, name: &str) -> PathBuf {
    if let Ok(path) = std::env::var(variable) {
        return checked(PathBuf::from(path), variable, name);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(name);
    if beside.join("courses").is_dir() {
        return beside;
    }
    let pin = pins()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} is not pinned in tests/fixtures.lock"));
    let api = std::env::var("LENS_FIXTURE_GITHUB_API")
        .unwrap_or_else(|_| "https://api.github.com".into());
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fixtures");
    // One download per fixture, however many tests ask at once.
    static FETCHING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = FETCHING.lock().unwrap_or_else(|e| e.into_inner());
    match fetch_pinned(&api, &pin, &cache) {
        Ok(path) => path,
        Err(error) => panic!(
            "the content fixture {name} is not at {} and fetching {}@{} from GitHub failed: {error}\n\
             Put a copy there, set {variable} to one, or let the tests reach api.github.com (LENS_FIXTURE_GITHUB_API).",
            beside.display(),
            pin.repo,
            &pin.commit[..12],
        ),
    }
}

fn checked(path: PathBuf, variable: &str, name: &str) -> PathBuf {
    assert!(
        path.join("courses").is_dir(),
        "{variable}={} holds no content (no courses/); point it at a copy of {name}",
        path.display()
    );
    path
}

/// The pinned commit in `cache`, fetched from `api` when it is not there
/// yet. Written to a temporary folder and renamed, so an interrupted fetch
/// never leaves a half fixture.
pub fn fetch_pinned(api: &str, pin: &Pin, cache: &Path) -> Result<PathBuf, String> {
    let target = cache.join(format!("{}-{}", pin.name, &pin.commit[..12]));
    if target.join("courses").is_dir() {
        return Ok(target);
    }
    eprintln!(
        "fetching the content fixture {} ({}@{}) from GitHub…",
        pin.name,
        pin.repo,
        &pin.commit[..12]
    );
    let source = GitHubSource {
        repo: pin.repo.clone(),
        branch: String::new(),
        token: std::env::var("GITHUB_TOKEN")
            .ok()
            .map(lens_server::config::Secret::new),
        api_base_url: lens_runtime::HttpUrl::parse(api).expect("the fake GitHub's URL"),
    };
    let commit = pin.commit.clone();
    // Tests may ask from inside a runtime: fetch on a thread of its own.
    let files = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        lens_runtime::install_crypto_provider();
        let http = reqwest::Client::new();
        runtime
            .block_on(source.fetch_commit(&http, &commit))
            .map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the fetch panicked".to_owned())??;
    let partial = cache.join(format!(".{}-partial", pin.name));
    let _ = std::fs::remove_dir_all(&partial);
    write_files(&files, &partial).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, &target).map_err(|e| e.to_string())?;
    Ok(target)
}

fn write_files(files: &ContentFiles, root: &Path) -> std::io::Result<()> {
    for (path, text) in files.iter() {
        let file = root.join(path);
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder)?;
        }
        std::fs::write(file, text)?;
    }
    Ok(())
}
