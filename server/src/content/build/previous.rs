//! The previous snapshot, indexed by file, so that an item broken in a new
//! version can be held at its last good version.

use std::collections::HashMap;
use std::sync::Arc;

use super::Keep;
use crate::content::model::{Article, Course, LearningOutcome, Lens, Module, Snapshot, Video};

/// The items of the previous snapshot by the file they came from.
#[derive(Debug, Default)]
pub(in crate::content) struct Previous {
    articles: HashMap<String, Arc<Article>>,
    videos: HashMap<String, Arc<Video>>,
    lenses: HashMap<String, Arc<Lens>>,
    outcomes: HashMap<String, Arc<LearningOutcome>>,
    modules: HashMap<String, Vec<Arc<Module>>>,
    courses: HashMap<String, Arc<Course>>,
}

impl Previous {
    /// Indexes a snapshot by file.
    pub(super) fn index(snapshot: &Snapshot) -> Self {
        let mut previous = Self::default();
        for article in snapshot.articles.values() {
            previous
                .articles
                .insert(article.path.clone(), article.clone());
        }
        for video in snapshot.videos.values() {
            previous.videos.insert(video.path.clone(), video.clone());
        }
        for lens in snapshot.lenses.values() {
            previous.lenses.insert(lens.path.clone(), lens.clone());
        }
        for outcome in snapshot.outcomes.values() {
            previous
                .outcomes
                .insert(outcome.path.clone(), outcome.clone());
        }
        let mut modules: Vec<&Arc<Module>> = snapshot
            .modules
            .values()
            .filter(|m| !m.slug.starts_with("lens/"))
            .collect();
        // The parent before its submodules, submodules in reading order.
        modules.sort_by_key(|m| (m.parent.is_some(), m.slug.clone()));
        for module in modules {
            previous
                .modules
                .entry(module.path.clone())
                .or_default()
                .push(module.clone());
        }
        for course in snapshot.courses.values() {
            previous.courses.insert(course.path.clone(), course.clone());
        }
        previous
    }
}

/// Each kind of item is looked up in its own map by file.
macro_rules! keep {
    ($($item:ty => $map:ident),* $(,)?) => {$(
        impl Keep for $item {
            fn previous(previous: &Previous, path: &str) -> Option<Self> {
                previous.$map.get(path).cloned()
            }
        }
    )*};
}

keep! {
    Arc<Article> => articles,
    Arc<Video> => videos,
    Arc<Lens> => lenses,
    Arc<LearningOutcome> => outcomes,
    Vec<Arc<Module>> => modules,
    Arc<Course> => courses,
}
