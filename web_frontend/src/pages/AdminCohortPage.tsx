// One cohort in the admin console: who signed up and when they can meet
// (a heat map), proposing groups with the solver's settings, the proposal
// on a week with the unplaced and why, moving learners (drag and drop, or
// each learner's "Move to" list), committing, and each group's state once
// committed.

import { useEffect, useId, useState } from "react";
import { cohorts } from "../api/client";
import { useLoad } from "../api/useLoad";
import { GroupBoard } from "../components/admin/GroupBoard";
import { HeatMap } from "../components/admin/HeatMap";
import { Empty, Loading, Problem } from "../components/Status";
import {
  type CohortGroup,
  CohortStatus,
  DeliveryStep,
  GroupStatus,
  type ProposeGroupsResponse,
  SignupRole,
} from "../gen/lens/v1/cohort_pb";
import { firstMeeting, startDay } from "../lib/cohorts";
import { describeError } from "../lib/errors";
import { heatOf, offsetMinutes } from "../lib/heatmap";
import { type Board, applyMove } from "../lib/moves";
import { Link } from "react-router";
import { paths } from "../lib/paths";
import { STATUS_WORDS } from "./AdminPage";

/** `/admin/cohort/ID`. */
export default function AdminCohortPage({ id }: { id: string }) {
  const cohortId = BigInt(/^\d+$/.test(id) ? id : "0");
  const [version, setVersion] = useState(0);
  const [proposal, setProposal] = useState<ProposeGroupsResponse | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const loaded = useLoad(`admin-cohort:${id}:${version}`, async () => {
    const [list, signups, groups] = await Promise.all([
      cohorts.listCohorts({}),
      cohorts.listSignups({ cohortId }),
      cohorts.listGroups({ cohortId }),
    ]);
    return { cohort: list.cohorts.find((c) => c.id === cohortId), signups: signups.signups, groups: groups.groups };
  });
  const title = loaded.value?.cohort?.name;
  useEffect(() => {
    document.title = `${title ?? "Cohort"} · Admin · Lens`;
  }, [title]);

  if (loaded.error) return <Problem message={loaded.error} />;
  if (!loaded.value) return <Loading what="the cohort" />;
  const { cohort, signups, groups } = loaded.value;
  if (!cohort) return <Problem message={`There is no cohort ${id}.`} />;
  const reload = () => setVersion((v) => v + 1);
  const learners = signups.filter((s) => s.role === SignupRole.LEARNER);
  const heat = heatOf(
    signups.map((s) => ({
      facilitator: s.role === SignupRole.FACILITATOR,
      availableUtcSlots: s.availableUtcSlots,
      ifNeededUtcSlots: s.ifNeededUtcSlots,
    })),
  );
  const planned = cohort.status === CohortStatus.PLANNED;

  return (
    <div className="admin admin-cohort">
      <p className="breadcrumb">
        <Link to={paths.admin()}>← Admin</Link>
      </p>
      <h1>{cohort.name}</h1>
      <p className="cohort-facts">
        {STATUS_WORDS[cohort.status]} · starts {startDay(cohort.startDate)} · {cohort.meetingCount} meetings ·{" "}
        {learners.length} learners and {signups.length - learners.length} facilitators signed up
      </p>
      <section aria-labelledby="signups-title">
        <h2 id="signups-title">When the sign-ups can meet</h2>
        {signups.length === 0 ? (
          <Empty>Nobody has signed up yet.</Empty>
        ) : (
          <HeatMap heat={heat} firstWeek={firstMeeting(cohort.startDate, 0)} />
        )}
      </section>
      {planned && <Propose cohortId={cohortId} onProposed={(p) => (setProposal(p), reload())} />}
      <Groups
        key={`${version}`}
        cohortId={cohortId}
        startDate={cohort.startDate}
        groups={groups}
        proposal={proposal}
        learners={learners.map((l) => ({ userId: l.userId, name: l.name }))}
        editable={planned}
        onCommitted={(said) => {
          setNotice(said);
          reload();
        }}
      />
      {notice && <p role="status">{notice}</p>}
    </div>
  );
}

function Propose({ cohortId, onProposed }: { cohortId: bigint; onProposed: (p: ProposeGroupsResponse) => void }) {
  const ids = { min: useId(), max: useId(), minutes: useId(), utc: useId() };
  const [min, setMin] = useState(4);
  const [max, setMax] = useState(8);
  const [minutes, setMinutes] = useState(60);
  const [utcOnly, setUtcOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const propose = () => {
    setBusy(true);
    setError(null);
    cohorts
      .proposeGroups({ cohortId, minSize: min, maxSize: max, meetingMinutes: minutes, utcTimesOnly: utcOnly })
      .then(onProposed, (e: unknown) => setError(describeError(e)))
      .finally(() => setBusy(false));
  };
  return (
    <section className="card propose" aria-labelledby="propose-title">
      <h2 id="propose-title">Propose groups</h2>
      <div className="settings">
        <label htmlFor={ids.min}>Smallest group</label>
        <input id={ids.min} type="number" min={2} max={20} value={min} onChange={(e) => setMin(Number(e.target.value))} />
        <label htmlFor={ids.max}>Largest group</label>
        <input id={ids.max} type="number" min={2} max={20} value={max} onChange={(e) => setMax(Number(e.target.value))} />
        <label htmlFor={ids.minutes}>Meeting minutes</label>
        <input
          id={ids.minutes}
          type="number"
          min={30}
          max={240}
          step={30}
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
        />
        <label>
          <input id={ids.utc} type="checkbox" checked={utcOnly} onChange={(e) => setUtcOnly(e.target.checked)} /> Fixed
          UTC times only
        </label>
      </div>
      <p className="muted">Sizes count the facilitator. Proposing again replaces the proposal, moves included.</p>
      <button type="button" onClick={propose} disabled={busy}>
        {busy ? "Proposing…" : "Propose groups"}
      </button>
      {error && <Problem message={error} />}
    </section>
  );
}

interface GroupsProps {
  cohortId: bigint;
  startDate: string;
  groups: CohortGroup[];
  proposal: ProposeGroupsResponse | null;
  learners: { userId: bigint; name: string }[];
  editable: boolean;
  /** After the commit, with what it did in words. */
  onCommitted: (said: string) => void;
}

/** The board of groups, moves on it, and the commit. */
function Groups({ cohortId, startDate, groups, proposal, learners, editable, onCommitted }: GroupsProps) {
  const zoneId = useId();
  const reasons = new Map(proposal?.unplaced.map((u) => [u.userId, u.explanation]) ?? []);
  const placed = new Set(groups.flatMap((g) => g.members.map((m) => m.userId)));
  const [board, setBoard] = useState<Board>({
    groups: groups.map((g) => ({
      id: g.id,
      name: g.name,
      members: g.members.map((m) => ({ userId: m.userId, name: m.name, facilitator: m.role === SignupRole.FACILITATOR })),
    })),
    unplaced: learners
      .filter((l) => !placed.has(l.userId))
      .map((l) => ({ ...l, reason: reasons.get(l.userId) ?? "not in a group" })),
  });
  const [warnings, setWarnings] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [zone, setZone] = useState("UTC");
  const [confirming, setConfirming] = useState(false);
  const offset = offsetMinutes(zone, firstMeeting(startDate, 0));
  const startSlots = new Map(groups.map((g) => [g.id, g.meetingStartSlot]));
  if (groups.length === 0 && !proposal) return null;

  const move = (userId: bigint, to: bigint) => {
    setError(null);
    setWarnings([]);
    const before = board;
    setBoard(applyMove(board, userId, to));
    cohorts.moveMember({ cohortId, userId, toGroupId: to }).then(
      (r) => setWarnings(r.warnings),
      (e: unknown) => {
        setBoard(before);
        setError(describeError(e));
      },
    );
  };
  const commit = () => {
    setError(null);
    cohorts.commitGroups({ cohortId }).then(
      (r) =>
        onCommitted(`Committed ${r.committed} groups; ${r.queuedTasks} follow-up jobs queued (Discord, calendar, email).`),
      (e: unknown) => setError(describeError(e)),
    );
  };
  const active = groups.some((g) => g.status === GroupStatus.ACTIVE);

  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">{active ? "Groups" : "Proposed groups"}</h2>
      {proposal && (
        <p role="status" data-testid="proposal-summary">
          Placed {proposal.placed} of {proposal.learners} learners in {proposal.groups.length} groups
          {proposal.provenOptimal ? " — no assignment places more." : ` (at most ${proposal.placedBound} could be).`}
          {proposal.clockWarnings.map((w) => ` ${w}`)}
        </p>
      )}
      <div className="availability-controls">
        <label htmlFor={zoneId}>Meeting times in</label>
        <select id={zoneId} value={zone} onChange={(e) => setZone(e.target.value)}>
          {["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")].map((z) => (
            <option key={z} value={z}>
              {z.replaceAll("_", " ")}
            </option>
          ))}
        </select>
      </div>
      {editable && (
        <p className="muted">Drag a learner onto another group, or choose from their “Move to” list.</p>
      )}
      <GroupBoard board={board} startSlots={startSlots} offset={offset} editable={editable} onMove={move} />
      <div role="status">
        {warnings.length > 0 && (
          <ul className="warnings" aria-label="Warnings about the last move">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        )}
      </div>
      {error && <Problem message={error} />}
      {active && <Delivery groups={groups} />}
      {editable && board.groups.length > 0 && (
        <div className="commit">
          {confirming ? (
            <div role="group" aria-label="Commit these groups?">
              <span>
                Commit {board.groups.length} groups? Members are told, Discord channels and calendar invitations are
                made, and groups can then only change one move at a time.{" "}
              </span>
              <button type="button" onClick={commit}>
                Yes, commit
              </button>{" "}
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Not yet
              </button>
            </div>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Commit groups
            </button>
          )}
        </div>
      )}
    </section>
  );
}

const STEP_WORDS: Record<DeliveryStep, string> = {
  [DeliveryStep.UNSPECIFIED]: "—",
  [DeliveryStep.OFF]: "off",
  [DeliveryStep.WAITING]: "waiting",
  [DeliveryStep.DONE]: "done",
  [DeliveryStep.FAILED]: "failed",
};

/** Each committed group's setup: Discord, calendar, emails, and why a part failed. */
function Delivery({ groups }: { groups: CohortGroup[] }) {
  return (
    <div className="table-scroll">
      <table className="delivery">
        <caption>Setup of each group (failed work is retried from the delivery jobs)</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Discord</th>
            <th scope="col">Calendar</th>
            <th scope="col">“Your group” emails</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => {
            const d = g.delivery;
            return (
              <tr key={String(g.id)}>
                <th scope="row">{g.name}</th>
                <td data-step={d?.discord}>{STEP_WORDS[d?.discord ?? DeliveryStep.UNSPECIFIED]}</td>
                <td data-step={d?.calendar}>{STEP_WORDS[d?.calendar ?? DeliveryStep.UNSPECIFIED]}</td>
                <td>
                  {d ? `${d.emailsSent} sent, ${d.emailsWaiting} waiting, ${d.emailsFailed} failed` : "—"}
                  {d?.error && <span className="detail problem">{d.error}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
