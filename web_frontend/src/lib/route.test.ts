import { describe, expect, it } from "vitest";
import { parseRoute, pathOf } from "./route";

describe("routes", () => {
  it("parses every page and round-trips its path", () => {
    for (const path of ["/", "/course/default", "/module/cascades-and-cycles", "/availability", "/meetings", "/content-status"]) {
      expect(pathOf(parseRoute(path))).toBe(path);
    }
    expect(parseRoute("/module/a%20b")).toEqual({ page: "module", slug: "a b" });
    expect(parseRoute("/module/")).toEqual({ page: "not-found", path: "/module/" });
    expect(parseRoute("/nope/x/y").page).toBe("not-found");
  });

  it("keeps the slash of submodule and lens page slugs", () => {
    expect(parseRoute("/module/iabied-m1/welcome")).toEqual({ page: "module", slug: "iabied-m1/welcome" });
    expect(parseRoute(pathOf({ page: "module", slug: "lens/four-background-claims" }))).toEqual({
      page: "module",
      slug: "lens/four-background-claims",
    });
  });
});
