import { describe, expect, it } from "vitest";
import { type ChatState, chatReducer, emptyChat } from "./chat";

function run(...events: Parameters<typeof chatReducer>[1][]): ChatState {
  return events.reduce(chatReducer, emptyChat);
}

describe("chat conversation", () => {
  it("streams deltas into the answer and takes the stored ids at the end", () => {
    const state = run(
      { type: "sent", text: "What is a cascade?" },
      { type: "delta", text: "A cascade " },
      { type: "delta", text: "compounds." },
    );
    expect(state.busy).toBe(true);
    expect(state.lines.map((l) => [l.role, l.text, l.status])).toEqual([
      ["user", "What is a cascade?", "complete"],
      ["assistant", "A cascade compounds.", "streaming"],
    ]);
    const done = chatReducer(state, { type: "completed", userId: 7n, assistantId: 8n });
    expect(done.busy).toBe(false);
    expect(done.lines.map((l) => l.id)).toEqual([7n, 8n]);
    expect(done.lines[1]?.status).toBe("complete");
  });

  it("keeps thinking and lookups beside the answer, never in its text", () => {
    const state = run(
      { type: "sent", text: "Where is this covered?" },
      { type: "thinking", text: "Search first." },
      { type: "lookup", lookup: { summary: 'searched the course for "cascades"', failed: false } },
      { type: "delta", text: "In Cascades and Cycles." },
    );
    const answer = state.lines[1];
    expect(answer?.text).toBe("In Cascades and Cycles.");
    expect(answer?.thinking).toBe("Search first.");
    expect(answer?.lookups).toEqual([{ summary: 'searched the course for "cascades"', failed: false }]);
  });

  it("keeps what arrived when the model fails mid-answer, and says why", () => {
    const state = run(
      { type: "sent", text: "Hi" },
      { type: "delta", text: "Half an" },
      { type: "failed", message: "The tutor stopped: overloaded." },
    );
    expect(state.lines[1]).toMatchObject({ text: "Half an", status: "partial", error: "The tutor stopped: overloaded." });
    expect(state.notice).toBe("The tutor stopped: overloaded.");
    expect(state.busy).toBe(false);
  });

  it("drops the empty answer when the model failed before a word", () => {
    const state = run(
      { type: "sent", text: "Hi" },
      { type: "failed", message: "The tutor is busy; try again in 2 minutes." },
    );
    expect(state.lines.map((l) => l.role)).toEqual(["user"]);
    expect(state.notice).toContain("in 2 minutes");
  });

  it("takes a refused message out of the conversation and back to the box", () => {
    const before = run({ type: "sent", text: "First" }, { type: "delta", text: "Answer" }, {
      type: "completed",
      userId: 1n,
      assistantId: 2n,
    });
    const state = run(
      { type: "sent", text: "First" },
      { type: "delta", text: "Answer" },
      { type: "completed", userId: 1n, assistantId: 2n },
      { type: "sent", text: "Second" },
      { type: "refused", message: "You can send 4 messages a minute; try again in 40 s." },
    );
    expect(state.lines).toEqual(before.lines);
    expect(state.returned).toBe("Second");
    expect(state.notice).toContain("40 s");
    expect(state.busy).toBe(false);
  });

  it("marks a stopped answer partial, or removes it when nothing had arrived", () => {
    const partial = run({ type: "sent", text: "Hi" }, { type: "delta", text: "So" }, { type: "stopped" });
    expect(partial.lines[1]).toMatchObject({ text: "So", status: "partial", error: "Stopped" });
    const nothing = run({ type: "sent", text: "Hi" }, { type: "stopped" });
    expect(nothing.lines).toHaveLength(1);
    expect(nothing.busy).toBe(false);
  });
});
