import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ContentProblemSchema } from "../gen/lens/v1/content_pb";
import { fileLink, groupByFile } from "./contentStatus";

const problem = (path: string, line: number, isError: boolean, draft = false) =>
  create(ContentProblemSchema, { path, line, isError, draft, message: "m" });

describe("content status", () => {
  it("groups problems by file, published errors first, drafts last", () => {
    const groups = groupByFile([
      problem("b.md", 3, false),
      problem("WIP/c.md", 1, true, true),
      problem("z.md", 9, true),
      problem("b.md", 1, false),
    ]);
    expect(groups.map((g) => [g.path, g.errors, g.problems.length])).toEqual([
      ["z.md", 1, 1],
      ["b.md", 0, 2],
      ["WIP/c.md", 1, 1],
    ]);
  });

  it("links a file at its line, encoding the path", () => {
    const status = { fileUrlTemplate: "https://github.com/o/r/blob/abc/{path}#L{line}" };
    expect(fileLink(status, "Lenses/Next steps.md", 55)).toBe("https://github.com/o/r/blob/abc/Lenses/Next%20steps.md#L55");
    expect(fileLink(status, "a.md", 0)).toBe("https://github.com/o/r/blob/abc/a.md#L1");
    expect(fileLink({ fileUrlTemplate: "" }, "a.md", 3)).toBe("");
  });
});
