// The proposed groups on a week, each at its meeting time in the chosen
// timezone, with the unplaced and why. Learners move by drag and drop, or
// with each learner's "Move to" list (the keyboard's way); the core checks
// every move and its warnings are shown.

import { type DragEvent, useState } from "react";
import { DAY_NAMES, SLOTS_PER_DAY, timeOf } from "../../lib/availability";
import { localSlot } from "../../lib/heatmap";
import { type Board, type BoardMember, moveOf } from "../../lib/moves";
import { Empty } from "../Status";

interface Props {
  board: Board;
  /** UTC week slot of each group's first meeting, by id. */
  startSlots: Map<bigint, number>;
  /** Minutes the shown timezone is ahead of UTC. */
  offset: number;
  /** Whether learners may still be moved (before the commit). */
  editable: boolean;
  /** Asks the core to move a learner; resolves when done. */
  onMove: (userId: bigint, to: bigint) => void;
}

const DRAG_TYPE = "application/x-lens-learner";

/** The week of groups. */
export function GroupBoard({ board, startSlots, offset, editable, onMove }: Props) {
  const [over, setOver] = useState<bigint | null>(null);
  const drop = (to: bigint) => (e: DragEvent) => {
    e.preventDefault();
    setOver(null);
    const raw = e.dataTransfer.getData(DRAG_TYPE);
    if (!raw) return;
    const move = moveOf(board, BigInt(raw), to);
    if (move) onMove(move.userId, move.to);
  };
  const byDay = DAY_NAMES.map((day, index) => ({
    day,
    groups: board.groups
      .map((g) => ({ group: g, slot: localSlot(startSlots.get(g.id) ?? 0, offset) }))
      .filter(({ slot }) => Math.floor(slot / SLOTS_PER_DAY) === index)
      .sort((a, b) => a.slot - b.slot),
  }));
  const chip = (member: BoardMember, from: bigint | "unplaced") => (
    <li
      key={String(member.userId)}
      className={`chip${member.facilitator ? " facilitator" : ""}`}
      draggable={editable && !member.facilitator}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, String(member.userId));
        e.dataTransfer.effectAllowed = "move";
      }}
      data-user={String(member.userId)}
    >
      {member.name}
      {member.facilitator && <span className="detail">facilitator</span>}
      {editable && !member.facilitator && (
        <select
          aria-label={`Move ${member.name} to`}
          value=""
          onChange={(e) => {
            const to = BigInt(e.target.value);
            if (moveOf(board, member.userId, to)) onMove(member.userId, to);
          }}
        >
          <option value="">Move to…</option>
          {board.groups
            .filter((g) => g.id !== from)
            .map((g) => (
              <option key={String(g.id)} value={String(g.id)}>
                {g.name}
              </option>
            ))}
        </select>
      )}
    </li>
  );
  return (
    <div className="group-board">
      <div className="week-of-groups">
        {byDay.map(({ day, groups }) => (
          <section key={day} className="board-day" aria-label={day}>
            <h3>{day}</h3>
            {groups.length === 0 && <Empty>—</Empty>}
            {groups.map(({ group, slot }) => (
              <section
                key={String(group.id)}
                className={`board-group${over === group.id ? " drop-target" : ""}`}
                aria-label={`Group ${group.name}`}
                data-group={String(group.id)}
                onDragOver={(e) => {
                  if (!editable) return;
                  e.preventDefault();
                  setOver(group.id);
                }}
                onDragLeave={() => setOver(null)}
                onDrop={drop(group.id)}
              >
                <h4>
                  {group.name} <span className="detail">{timeOf(slot % SLOTS_PER_DAY)} · {group.members.length} people</span>
                </h4>
                <ul className="chips">{group.members.map((m) => chip(m, group.id))}</ul>
              </section>
            ))}
          </section>
        ))}
      </div>
      {board.unplaced.length > 0 && (
        <section className="unplaced" aria-labelledby="unplaced-title">
          <h3 id="unplaced-title">Not placed ({board.unplaced.length})</h3>
          <ul className="chips">
            {board.unplaced.map((u) => (
              <li key={String(u.userId)} className="unplaced-learner">
                <ul className="chips">{chip({ userId: u.userId, name: u.name, facilitator: false }, "unplaced")}</ul>
                <span className="detail">{u.reason}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
