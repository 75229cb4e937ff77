// Moving learners between proposed groups in the admin console: which
// drops are moves, and the board as it will be once the core agrees.

/** A member shown on the board. */
export interface BoardMember {
  userId: bigint;
  name: string;
  facilitator: boolean;
}

/** A proposed group. */
export interface BoardGroup {
  id: bigint;
  name: string;
  members: BoardMember[];
}

/** Learners no group holds, with why. */
export interface BoardUnplaced {
  userId: bigint;
  name: string;
  reason: string;
}

/** The preview: groups and the unplaced. */
export interface Board {
  groups: BoardGroup[];
  unplaced: BoardUnplaced[];
}

/** Where a learner is: a group's id, "unplaced", or null when not on the board. */
export function whereIs(board: Board, userId: bigint): bigint | "unplaced" | null {
  for (const group of board.groups) if (group.members.some((m) => m.userId === userId)) return group.id;
  return board.unplaced.some((u) => u.userId === userId) ? "unplaced" : null;
}

/**
 * The move a drop of `userId` on group `to` asks for, or null when it is
 * none: dropped on their own group, a facilitator (moved only by a new
 * proposal), someone not on the board, or a group not on it.
 */
export function moveOf(board: Board, userId: bigint, to: bigint): { userId: bigint; to: bigint } | null {
  const from = whereIs(board, userId);
  if (from === null || from === to || !board.groups.some((g) => g.id === to)) return null;
  const member = board.groups.flatMap((g) => g.members).find((m) => m.userId === userId);
  if (member?.facilitator) return null;
  return { userId, to };
}

/** The board with `userId` moved into group `to` (from a group or the unplaced). */
export function applyMove(board: Board, userId: bigint, to: bigint): Board {
  const fromGroup = board.groups.flatMap((g) => g.members).find((m) => m.userId === userId);
  const fromUnplaced = board.unplaced.find((u) => u.userId === userId);
  const moving: BoardMember | undefined =
    fromGroup ?? (fromUnplaced && { userId, name: fromUnplaced.name, facilitator: false });
  if (!moving) return board;
  return {
    groups: board.groups.map((g) => {
      const without = g.members.filter((m) => m.userId !== userId);
      return { ...g, members: g.id === to ? [...without, moving] : without };
    }),
    unplaced: board.unplaced.filter((u) => u.userId !== userId),
  };
}
