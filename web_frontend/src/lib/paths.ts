// Every page's address, built from typed parts. Links and redirects use
// these, so a page's path is written once (here and in routes.tsx).

/** The app's addresses. */
export const paths = {
  home: () => "/",
  course: (slug: string) => `/course/${encodeURIComponent(slug)}`,
  /** A module, a submodule (`parent/child`) or a lens page (`lens/…`): one path segment, encoded. */
  module: (slug: string) => `/module/${encodeURIComponent(slug)}`,
  availability: () => "/availability",
  meetings: () => "/meetings",
  cohorts: () => "/cohorts",
  contentStatus: () => "/content-status",
  admin: () => "/admin",
  adminCohort: (id: bigint | number) => `/admin/cohort/${id}`,
} as const;
