import { describe, expect, it } from "vitest";
import { splitText } from "./directives";

describe("text directives", () => {
  it("turns card lines into the text's cards, in order", () => {
    const blocks = splitText("Browse these:\n\n::card[[../Lenses/A]]\n::card[[../Lenses/B]]\nAfter.");
    expect(blocks).toEqual([
      { kind: "markdown", text: "Browse these:" },
      { kind: "card", index: 0 },
      { kind: "card", index: 1 },
      { kind: "markdown", text: "After." },
    ]);
  });

  it("nests notes and collapses, and unwraps inline directives", () => {
    const blocks = splitText(":::note\nMind :footnote[this] part.\n:::\n:::collapse[Details]\nHidden\n:::");
    expect(blocks).toEqual([
      { kind: "note", blocks: [{ kind: "markdown", text: "Mind this part." }] },
      { kind: "collapse", summary: "Details", blocks: [{ kind: "markdown", text: "Hidden" }] },
    ]);
  });

  it("leaves a stray closing fence as text", () => {
    expect(splitText("a\n:::")).toEqual([{ kind: "markdown", text: "a\n:::" }]);
  });
});
