import { describe, expect, it } from "vitest";
import { paths } from "./paths";

describe("paths", () => {
  it("encode slugs with slashes as one segment", () => {
    expect(paths.module("lens/feedback-loops")).toBe("/module/lens%2Ffeedback-loops");
    expect(paths.module("introduction")).toBe("/module/introduction");
  });

  it("name cohorts by id", () => {
    expect(paths.adminCohort(12n)).toBe("/admin/cohort/12");
  });
});
