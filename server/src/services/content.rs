//! ContentService: reading the published content, its status, refreshes.

use lens_proto::v1::{self, content_service_server::ContentService};
use tonic::{Request, Response, Status};

use super::convert::content as view;
use super::respond;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use futures::Stream;

use crate::app::AppState;
use crate::auth;
use crate::content::catalogue::{Catalogue, Loaded};
use crate::content::refresher::refresh_and_log;
use crate::content::{ContentSource, ItemKind, Severity};
use crate::domain::Invalid;
use crate::error::{AppError, AppResult};

/// Implements `lens.v1.ContentService`.
#[derive(Debug, Clone)]
pub struct ContentApi {
    state: AppState,
    modules: Arc<ModuleResponses>,
}

/// GetModule answers of one content version, built once each: a module
/// converts to a large message (whole excerpts and transcripts), and every
/// reader of it asks for the same one.
#[derive(Debug, Default)]
struct ModuleResponses {
    built: RwLock<(String, HashMap<String, Arc<v1::GetModuleResponse>>)>,
}

impl ModuleResponses {
    /// The answer for `slug` in `loaded`, built on first use.
    fn get(&self, loaded: &Loaded, slug: &str) -> Option<Arc<v1::GetModuleResponse>> {
        {
            let built = self.built.read().expect("module responses lock");
            if built.0 == loaded.version
                && let Some(response) = built.1.get(slug)
            {
                return Some(response.clone());
            }
        }
        let module = loaded.snapshot.modules.get(slug)?;
        let response = Arc::new(v1::GetModuleResponse {
            module: Some(view::module(module, &loaded.snapshot)),
            content_version: loaded.version.clone(),
        });
        let mut built = self.built.write().expect("module responses lock");
        if built.0 != loaded.version {
            // A new version: the answers of the old one go.
            *built = (loaded.version.clone(), HashMap::new());
        }
        built.1.insert(slug.to_owned(), response.clone());
        Some(response)
    }
}

impl ContentApi {
    /// The service over shared state.
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            modules: Arc::default(),
        }
    }

    fn status(&self) -> v1::GetContentStatusResponse {
        let catalogue = &self.state.content;
        view::status(
            catalogue.source(),
            &catalogue.current(),
            &catalogue.attempt(),
        )
    }
}

/// NOT_FOUND for a missing item: when the current version has the item
/// with errors, says it is unavailable (and, to admins, where the first
/// error is).
fn not_found(
    catalogue: &Catalogue,
    loaded: &Loaded,
    kind: ItemKind,
    key: &str,
    admin: bool,
) -> AppError {
    let what = kind.name();
    let Some(issue) = loaded
        .issues
        .iter()
        .find(|i| i.kind == kind && i.key.as_deref() == Some(key))
    else {
        let name = match kind {
            ItemKind::Lens | ItemKind::LearningOutcome => "id",
            _ => "slug",
        };
        return AppError::NotFound(format!("no {what} with {name} {key:?}"));
    };
    if !admin {
        return AppError::NotFound(format!(
            "the {what} {key:?} is unavailable while its content has errors; the content status page lists them"
        ));
    }
    let attempt = catalogue.attempt();
    let first = attempt
        .diagnostics
        .iter()
        .find(|d| d.path == issue.path && d.severity == Severity::Error);
    let place = match first {
        Some(d) => format!("{}:{}: {}", d.path, d.line, d.message),
        None => issue.path.clone(),
    };
    AppError::NotFound(format!("the {what} {key:?} is unavailable: {place}"))
}

/// A lookup key from a request: non-empty and of sane length.
fn key<'a>(field: &'static str, raw: &'a str) -> AppResult<&'a str> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 300 {
        return Err(Invalid::new(field, "must be 1 to 300 characters").into());
    }
    Ok(raw)
}

#[tonic::async_trait]
impl ContentService for ContentApi {
    async fn list_courses(
        &self,
        _request: Request<v1::ListCoursesRequest>,
    ) -> Result<Response<v1::ListCoursesResponse>, Status> {
        let loaded = self.state.content.current();
        let mut courses: Vec<v1::CourseSummary> = loaded
            .snapshot
            .courses
            .values()
            .map(|c| v1::CourseSummary {
                id: c.id.clone(),
                slug: c.slug.clone(),
                title: c.title.clone(),
                meeting_count: c.units.iter().filter(|u| u.meeting.is_some()).count() as u32,
                description: c.description.clone().unwrap_or_default(),
            })
            .collect();
        courses.sort_by(|a, b| a.title.cmp(&b.title).then(a.slug.cmp(&b.slug)));
        Ok(Response::new(v1::ListCoursesResponse { courses }))
    }

    async fn get_course(
        &self,
        request: Request<v1::GetCourseRequest>,
    ) -> Result<Response<v1::GetCourseResponse>, Status> {
        respond((|| {
            let slug = key("slug", &request.get_ref().slug)?;
            let loaded = self.state.content.current();
            let admin = auth::caller(&request)?.is_admin();
            let course = loaded.snapshot.course(slug).ok_or_else(|| {
                not_found(&self.state.content, &loaded, ItemKind::Course, slug, admin)
            })?;
            Ok(v1::GetCourseResponse {
                course: Some(view::course(course, &loaded.snapshot)),
            })
        })())
    }

    async fn get_module(
        &self,
        request: Request<v1::GetModuleRequest>,
    ) -> Result<Response<v1::GetModuleResponse>, Status> {
        respond((|| {
            let slug = key("slug", &request.get_ref().slug)?;
            let loaded = self.state.content.current();
            let admin = auth::caller(&request)?.is_admin();
            let parent = slug.split('/').next().unwrap_or(slug);
            let response = self.modules.get(&loaded, slug).ok_or_else(|| {
                not_found(
                    &self.state.content,
                    &loaded,
                    ItemKind::Module,
                    parent,
                    admin,
                )
            })?;
            Ok(v1::GetModuleResponse::clone(&response))
        })())
    }

    async fn get_lens(
        &self,
        request: Request<v1::GetLensRequest>,
    ) -> Result<Response<v1::GetLensResponse>, Status> {
        respond((|| {
            let id = key("id", &request.get_ref().id)?;
            let loaded = self.state.content.current();
            let admin = auth::caller(&request)?.is_admin();
            let lens = loaded.snapshot.lenses.get(id).ok_or_else(|| {
                not_found(&self.state.content, &loaded, ItemKind::Lens, id, admin)
            })?;
            Ok(v1::GetLensResponse {
                lens: Some(view::lens(lens)),
            })
        })())
    }

    async fn get_article(
        &self,
        request: Request<v1::GetArticleRequest>,
    ) -> Result<Response<v1::GetArticleResponse>, Status> {
        respond((|| {
            let slug = key("slug", &request.get_ref().slug)?;
            let loaded = self.state.content.current();
            let article = loaded
                .snapshot
                .articles
                .get(slug)
                .ok_or_else(|| AppError::NotFound(format!("no article with slug {slug:?}")))?;
            Ok(v1::GetArticleResponse {
                info: Some(view::article_info(article)),
                markdown: article.body.clone(),
            })
        })())
    }

    async fn get_content_status(
        &self,
        _request: Request<v1::GetContentStatusRequest>,
    ) -> Result<Response<v1::GetContentStatusResponse>, Status> {
        Ok(Response::new(self.status()))
    }

    type WatchContentStatusStream =
        Pin<Box<dyn Stream<Item = Result<v1::WatchContentStatusResponse, Status>> + Send>>;

    async fn watch_content_status(
        &self,
        _request: Request<v1::WatchContentStatusRequest>,
    ) -> Result<Response<Self::WatchContentStatusStream>, Status> {
        let api = self.clone();
        let mut changes = self.state.content.watch();
        let shutdown = self.state.shutdown.clone();
        changes.mark_unchanged();
        let update = |api: &ContentApi| v1::WatchContentStatusResponse {
            status: Some(api.status()),
        };
        let first = futures::stream::once(futures::future::ready(Ok(update(&api))));
        let later = futures::stream::unfold((api, changes), move |(api, mut changes)| {
            let shutdown = shutdown.clone();
            async move {
                tokio::select! {
                    changed = changes.changed() => changed.ok()?,
                    () = shutdown.cancelled() => return None,
                }
                Some((Ok(update(&api)), (api, changes)))
            }
        });
        let stream = futures::StreamExt::chain(first, later);
        Ok(Response::new(Box::pin(stream)))
    }

    async fn refresh_content(
        &self,
        _request: Request<v1::RefreshContentRequest>,
    ) -> Result<Response<v1::RefreshContentResponse>, Status> {
        respond(
            async {
                if matches!(self.state.content.source(), ContentSource::None) {
                    return Err(AppError::FailedPrecondition(
                        "no content source is configured: set CONTENT_DIR or CONTENT_REPO on the core".into(),
                    ));
                }
                // Other replicas follow through the request row; this one
                // reloads now so the answer shows the result.
                self.state.store.request_content_refresh("admin").await?;
                if refresh_and_log(&self.state.content, "admin request").await.is_none() {
                    return Err(AppError::Unavailable(
                        "the content source did not answer; the previous version is still served".into(),
                    ));
                }
                Ok(v1::RefreshContentResponse { status: Some(self.status()) })
            }
            .await,
        )
    }

    async fn notify_content_push(
        &self,
        request: Request<v1::NotifyContentPushRequest>,
    ) -> Result<Response<v1::NotifyContentPushResponse>, Status> {
        respond(
            async {
                let ContentSource::GitHub(github) = self.state.content.source() else {
                    return Ok(v1::NotifyContentPushResponse {
                        refresh_started: false,
                    });
                };
                let pushed = request
                    .get_ref()
                    .r#ref
                    .strip_prefix("refs/heads/")
                    .unwrap_or_default();
                if pushed != github.branch {
                    tracing::debug!(pushed, "ignoring a push to another branch");
                    return Ok(v1::NotifyContentPushResponse {
                        refresh_started: false,
                    });
                }
                let reason = format!("push {}", request.get_ref().after);
                self.state.store.request_content_refresh(&reason).await?;
                let catalogue = self.state.content.clone();
                // Answer at once: GitHub gives webhooks ten seconds.
                tokio::spawn(async move { refresh_and_log(&catalogue, "GitHub push").await });
                Ok(v1::NotifyContentPushResponse {
                    refresh_started: true,
                })
            }
            .await,
        )
    }
}
