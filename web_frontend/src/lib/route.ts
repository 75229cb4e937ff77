// The app's pages, parsed from the path. The web edge serves index.html for
// every path it does not own, so these are real URLs that survive a reload.

/** A page of the app. */
export type Route =
  | { page: "home" }
  | { page: "course"; slug: string }
  | { page: "module"; slug: string }
  | { page: "availability" }
  | { page: "not-found"; path: string };

/** The page for `path`. */
export function parseRoute(path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second, ...rest] = parts;
  if (first === undefined) return { page: "home" };
  if (rest.length === 0 && second !== undefined) {
    if (first === "course") return { page: "course", slug: second };
    if (first === "module") return { page: "module", slug: second };
  }
  if (parts.length === 1 && first === "availability") return { page: "availability" };
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
    case "not-found":
      return route.path;
  }
}
