//! Where a lens sits in the course: its module, and the course and meeting
//! the module prepares for. The tutor uses it for its bearings.

use std::sync::Arc;

use super::model::{Course, Module, ModuleItem, Snapshot};

/// A lens's module, with the course and meeting it belongs to.
#[derive(Debug, Clone)]
pub struct Place {
    /// The module the lens is read in.
    pub module: Arc<Module>,
    /// The course listing the module, if any does.
    pub course: Option<Arc<Course>>,
    /// The meeting the module prepares for, if the course numbers it.
    pub meeting: Option<u32>,
}

/// Why no place can be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    /// The named module does not exist.
    #[error("no module with slug {0:?}")]
    NoSuchModule(String),
    /// The named module does not use the lens.
    #[error("module {module:?} does not contain lens {lens:?}")]
    NotInModule {
        /// The module's slug.
        module: String,
        /// The lens id.
        lens: String,
    },
}

impl Module {
    /// Whether the module uses the lens, directly or through an outcome.
    pub fn uses_lens(&self, lens_id: &str) -> bool {
        self.items.iter().any(|item| match item {
            ModuleItem::Page(_) => false,
            ModuleItem::LearningOutcome { outcome, .. } => {
                outcome.lenses.iter().any(|l| l.lens.id == lens_id)
            }
            ModuleItem::Lens { lens, .. } => lens.id == lens_id,
        })
    }
}

impl Snapshot {
    /// Courses in a stable order.
    fn courses_by_slug(&self) -> Vec<&Arc<Course>> {
        let mut courses: Vec<&Arc<Course>> = self.courses.values().collect();
        courses.sort_by(|a, b| a.slug.cmp(&b.slug));
        courses
    }

    /// The place of `lens_id`: in `module_slug` when given, else the first
    /// module using it in course order (courses by slug, then reading
    /// order), else the first by slug. `Ok(None)` when no module uses it.
    pub fn place_of(
        &self,
        lens_id: &str,
        module_slug: Option<&str>,
    ) -> Result<Option<Place>, PlaceError> {
        let module = match module_slug {
            Some(slug) => {
                let module = self
                    .modules
                    .get(slug)
                    .ok_or_else(|| PlaceError::NoSuchModule(slug.to_owned()))?;
                if !module.uses_lens(lens_id) {
                    return Err(PlaceError::NotInModule {
                        module: slug.to_owned(),
                        lens: lens_id.to_owned(),
                    });
                }
                module.clone()
            }
            None => {
                let in_course = self
                    .courses_by_slug()
                    .into_iter()
                    .flat_map(|c| c.units.iter().flat_map(|u| &u.modules))
                    .filter_map(|slug| self.modules.get(slug))
                    .find(|m| m.uses_lens(lens_id));
                let mut all: Vec<&Arc<Module>> = self.modules.values().collect();
                all.sort_by(|a, b| a.slug.cmp(&b.slug));
                match in_course.or_else(|| all.into_iter().find(|m| m.uses_lens(lens_id))) {
                    Some(module) => module.clone(),
                    None => return Ok(None),
                }
            }
        };
        let found = self.courses_by_slug().into_iter().find_map(|course| {
            course
                .units
                .iter()
                .find(|unit| unit.modules.contains(&module.slug))
                .map(|unit| (course.clone(), unit.meeting))
        });
        Ok(Some(Place {
            module,
            course: found.as_ref().map(|(course, _)| course.clone()),
            meeting: found.and_then(|(_, meeting)| meeting),
        }))
    }
}
