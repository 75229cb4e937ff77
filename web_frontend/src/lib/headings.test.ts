import { describe, expect, it } from "vitest";
import { relevel, shallowestHeading } from "./headings";

describe("content headings", () => {
  it("finds the shallowest heading, outside code blocks", () => {
    expect(shallowestHeading("## A\n### B")).toBe(2);
    expect(shallowestHeading("```\n# not a heading\n```\n### C")).toBe(3);
    expect(shallowestHeading("#hashtag and text")).toBeUndefined();
  });

  it("starts content's headings at the given level, keeping their steps", () => {
    const inLens = relevel("## Part\n### Detail", 4);
    expect([inLens(2), inLens(3)]).toEqual([4, 5]);
    const deep = relevel("# A\n###### B", 5);
    expect(deep(6)).toBe(6);
    // A setext heading above the shallowest ATX one still starts at base.
    expect(relevel("## A", 4)(1)).toBe(4);
  });
});
