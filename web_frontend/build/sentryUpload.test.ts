import { describe, expect, it } from "vitest";
import { releaseName, sentryUpload } from "./sentryUpload";

describe("source map upload", () => {
  it("is off without an auth token", () => {
    expect(sentryUpload({ SENTRY_ORG: "lens", SENTRY_PROJECT: "web" }, "lens@1")).toBeNull();
    expect(sentryUpload({ SENTRY_AUTH_TOKEN: "  " }, "lens@1")).toBeNull();
  });

  it("uploads under the release reports carry when a token is set", () => {
    const upload = sentryUpload({ SENTRY_AUTH_TOKEN: "sntrys_x", SENTRY_ORG: "lens", SENTRY_PROJECT: "web" }, "lens@1");
    expect(upload).toEqual({ authToken: "sntrys_x", org: "lens", project: "web", url: undefined, release: "lens@1" });
  });

  it("stops the build when a token comes without its project", () => {
    expect(() => sentryUpload({ SENTRY_AUTH_TOKEN: "sntrys_x", SENTRY_ORG: "lens" }, "lens@1")).toThrow(/SENTRY_PROJECT/);
  });

  it("names the release after the package unless told otherwise", () => {
    expect(releaseName({}, "0.1.0")).toBe("lens@0.1.0");
    expect(releaseName({ VITE_SENTRY_RELEASE: "lens@abc123" }, "0.1.0")).toBe("lens@abc123");
  });
});
