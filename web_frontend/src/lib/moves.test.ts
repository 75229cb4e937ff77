import { describe, expect, it } from "vitest";
import { type Board, applyMove, moveOf, whereIs } from "./moves";

const board = (): Board => ({
  groups: [
    {
      id: 1n,
      name: "Hypatia",
      members: [
        { userId: 10n, name: "grace", facilitator: true },
        { userId: 11n, name: "ada", facilitator: false },
      ],
    },
    { id: 2n, name: "Noether", members: [{ userId: 20n, name: "emmy", facilitator: true }] },
  ],
  unplaced: [{ userId: 30n, name: "kurt", reason: "no_overlap_with_others" }],
});

describe("moving learners on the board", () => {
  it("turns a drop on another group into a move", () => {
    expect(moveOf(board(), 11n, 2n)).toEqual({ userId: 11n, to: 2n });
  });

  it("ignores a drop on the learner's own group", () => {
    expect(moveOf(board(), 11n, 1n)).toBeNull();
  });

  it("never moves a facilitator", () => {
    expect(moveOf(board(), 10n, 2n)).toBeNull();
  });

  it("ignores unknown people and groups", () => {
    expect(moveOf(board(), 99n, 2n)).toBeNull();
    expect(moveOf(board(), 11n, 9n)).toBeNull();
  });

  it("places an unplaced learner", () => {
    expect(moveOf(board(), 30n, 1n)).toEqual({ userId: 30n, to: 1n });
    const after = applyMove(board(), 30n, 1n);
    expect(whereIs(after, 30n)).toBe(1n);
    expect(after.unplaced).toEqual([]);
  });

  it("moves a learner out of one group into another, once", () => {
    const after = applyMove(board(), 11n, 2n);
    expect(after.groups[0]?.members.map((m) => m.name)).toEqual(["grace"]);
    expect(after.groups[1]?.members.map((m) => m.name)).toEqual(["emmy", "ada"]);
  });
});
