// The app's pages, parsed from the path. The web edge serves index.html for
// every path it does not own, so these are real URLs that survive a reload.

/** A page of the app. */
export type Route =
  | { page: "home" }
  | { page: "course"; slug: string }
  | { page: "module"; slug: string }
  | { page: "availability" }
  | { page: "meetings" }
  | { page: "cohorts" }
  | { page: "admin" }
  | { page: "admin-cohort"; id: string }
  | { page: "content-status" }
  | { page: "not-found"; path: string };

/** The page for `path`. */
export function parseRoute(path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second, ...rest] = parts;
  if (first === undefined) return { page: "home" };
  if (rest.length === 0 && second !== undefined && first === "course") return { page: "course", slug: second };
  // Submodules (`parent/child`) and lens pages (`lens/name`) have a slash
  // in their slug: the rest of the path is the slug, encoded or not.
  if (second !== undefined && first === "module") return { page: "module", slug: [second, ...rest].join("/") };
  if (parts.length === 1 && first === "availability") return { page: "availability" };
  if (parts.length === 1 && first === "meetings") return { page: "meetings" };
  if (parts.length === 1 && first === "cohorts") return { page: "cohorts" };
  if (parts.length === 1 && first === "admin") return { page: "admin" };
  if (parts.length === 3 && first === "admin" && second === "cohort" && rest[0]) return { page: "admin-cohort", id: rest[0] };
  if (parts.length === 1 && first === "content-status") return { page: "content-status" };
  return { page: "not-found", path };
}

/** The path of a page. */
export function pathOf(route: Route): string {
  switch (route.page) {
    case "home":
      return "/";
    case "course":
      return `/course/${encodeURIComponent(route.slug)}`;
    case "module":
      return `/module/${encodeURIComponent(route.slug)}`;
    case "availability":
      return "/availability";
    case "meetings":
      return "/meetings";
    case "cohorts":
      return "/cohorts";
    case "admin":
      return "/admin";
    case "admin-cohort":
      return `/admin/cohort/${encodeURIComponent(route.id)}`;
    case "content-status":
      return "/content-status";
    case "not-found":
      return route.path;
  }
}
