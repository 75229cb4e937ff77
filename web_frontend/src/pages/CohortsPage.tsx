// Enrolment: the cohorts one can join, signing up with availability in the
// same step, taking a sign-up back before groups are set, and for a cohort
// under way, picking (or switching) a group with room.

import { useEffect, useState } from "react";
import { cohorts, content } from "../api/client";
import { useSession } from "../api/session";
import { useLoad } from "../api/useLoad";
import { AvailabilityEditor } from "../components/AvailabilityEditor";
import { SignInLink } from "../components/SignIn";
import { Empty, Loading, Problem } from "../components/Status";
import { type Cohort, type CohortGroup, CohortStatus, SignupRole } from "../gen/lens/v1/cohort_pb";
import { firstMeeting, startDay, weeklyTime } from "../lib/cohorts";
import { describeError } from "../lib/errors";
import { Link } from "react-router";
import { paths } from "../lib/paths";
import { track } from "../observability/analytics";

const ROLE_WORDS: Record<SignupRole, string> = {
  [SignupRole.UNSPECIFIED]: "",
  [SignupRole.LEARNER]: "a learner",
  [SignupRole.FACILITATOR]: "a facilitator",
};

/** The enrolment page (`/cohorts`). */
export default function CohortsPage() {
  const { loading, user } = useSession();
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const listed = useLoad(loading ? null : `${user?.id ?? "guest"}:${version}`, async () => {
    const [list, courses] = await Promise.all([cohorts.listCohorts({}), content.listCourses({})]);
    const titles = new Map(courses.courses.map((c) => [c.slug, c.title]));
    return { list, titles };
  });
  useEffect(() => {
    document.title = "Cohorts · Lens";
  }, []);

  if (listed.error) return <Problem message={listed.error} />;
  if (!listed.value) return <Loading what="the cohorts" />;
  const { list, titles } = listed.value;
  const open = list.cohorts.filter(
    (c) => c.status === CohortStatus.PLANNED || (c.status === CohortStatus.ACTIVE && c.myRole !== SignupRole.UNSPECIFIED),
  );

  return (
    <div className="cohorts">
      <h1>Cohorts</h1>
      <p>
        A cohort reads the course together: each week you read the modules on your own, then meet your group for an
        hour to talk them through with a facilitator. Sign up with the times you could meet, and we will put you in a
        group whose time suits everyone.
      </p>
      {!user && (
        <p className="notice">
          <SignInLink>Sign in</SignInLink> to sign up for a cohort.
        </p>
      )}
      {open.length === 0 ? (
        <Empty>No cohort is taking sign-ups just now. New cohorts are announced in the Discord server.</Empty>
      ) : (
        <ul className="cohort-list">
          {open.map((cohort) => (
            <li key={cohort.id.toString()}>
              <CohortCard
                cohort={cohort}
                courseTitle={titles.get(cohort.courseSlug) ?? cohort.courseSlug}
                signedIn={Boolean(user)}
                canFacilitate={list.canFacilitate}
                onChange={reload}
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface CardProps {
  cohort: Cohort;
  courseTitle: string;
  signedIn: boolean;
  canFacilitate: boolean;
  onChange: () => void;
}

function CohortCard({ cohort, courseTitle, signedIn, canFacilitate, onChange }: CardProps) {
  const [signingUp, setSigningUp] = useState(false);
  const planned = cohort.status === CohortStatus.PLANNED;
  const titleId = `cohort-${cohort.id}`;
  return (
    <section className="card cohort" aria-labelledby={titleId}>
      <h2 id={titleId}>
        {cohort.name}
        <span className="tag">{planned ? "Taking sign-ups" : "Under way"}</span>
      </h2>
      <p className="cohort-facts">
        {courseTitle} · starts {startDay(cohort.startDate)} · {cohort.meetingCount} weekly meetings of{" "}
        {cohort.meetingMinutes} minutes · {cohort.signupCount} signed up
      </p>
      {cohort.myRole !== SignupRole.UNSPECIFIED ? (
        <SignedUp cohort={cohort} onChange={onChange} />
      ) : !signedIn ? null : signingUp ? (
        <SignUpForm
          cohort={cohort}
          canFacilitate={canFacilitate}
          onCancel={() => setSigningUp(false)}
          onDone={onChange}
        />
      ) : (
        <button type="button" onClick={() => setSigningUp(true)}>
          Sign up for {cohort.name}
        </button>
      )}
    </section>
  );
}

function SignUpForm({
  cohort,
  canFacilitate,
  onCancel,
  onDone,
}: {
  cohort: Cohort;
  canFacilitate: boolean;
  onCancel: () => void;
  onDone: () => void;
}) {
  const [role, setRole] = useState<SignupRole>(SignupRole.LEARNER);
  const signUp = async () => {
    await cohorts.signUp({ cohortId: cohort.id, role });
    track({
      name: "cohort_signed_up",
      cohort: cohort.id.toString(),
      role: role === SignupRole.FACILITATOR ? "facilitator" : "learner",
    });
    onDone();
  };
  return (
    <div className="sign-up">
      {canFacilitate && (
        <fieldset className="role-choice">
          <legend>Sign up as</legend>
          {([SignupRole.LEARNER, SignupRole.FACILITATOR] as const).map((r) => (
            <label key={r}>
              <input type="radio" name={`role-${cohort.id}`} checked={role === r} onChange={() => setRole(r)} />
              {r === SignupRole.LEARNER ? "Learner" : "Facilitator"}
            </label>
          ))}
        </fieldset>
      )}
      <h3>When can you meet each week?</h3>
      <p className="muted">
        Paint the times you could meet. Two or more separate times, on different days, give the best chance of a
        group.
      </p>
      <AvailabilityEditor action="Sign up" then={signUp} meetingMinutes={cohort.meetingMinutes} submitUnchanged />
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function SignedUp({ cohort, onChange }: { cohort: Cohort; onChange: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const planned = cohort.status === CohortStatus.PLANNED;
  const withdraw = () => {
    setError(null);
    cohorts.withdrawSignUp({ cohortId: cohort.id }).then(onChange, (e: unknown) => setError(describeError(e)));
  };
  return (
    <div className="signed-up">
      <p role="status">
        <strong>You are signed up as {ROLE_WORDS[cohort.myRole]}.</strong>{" "}
        {planned ? (
          <>
            Groups are made from everyone’s times before the start; <Link to={paths.availability()}>change your times</Link>{" "}
            until then.
          </>
        ) : (
          <>
            See <Link to={paths.meetings()}>your group</Link>.
          </>
        )}
      </p>
      {planned &&
        (confirming ? (
          <div role="group" aria-label="Withdraw your sign-up?">
            <span>Withdraw from {cohort.name}? </span>
            <button type="button" onClick={withdraw}>
              Yes, withdraw
            </button>{" "}
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep my place
            </button>
          </div>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Withdraw sign-up
          </button>
        ))}
      {!planned && cohort.myRole === SignupRole.LEARNER && <GroupPicker cohort={cohort} />}
      {error && <Problem message={error} />}
    </div>
  );
}

/** For a cohort under way: the groups with room at a time the learner can make. */
function GroupPicker({ cohort }: { cohort: Cohort }) {
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const loaded = useLoad(`${cohort.id}:${version}`, async () => {
    const [joinable, mine] = await Promise.all([
      cohorts.listJoinableGroups({ cohortId: cohort.id }),
      cohorts.listMyGroups({}),
    ]);
    const current = mine.groups.find((g) => g.cohort?.id === cohort.id)?.group ?? null;
    return { groups: joinable.groups, current };
  });
  if (loaded.error) return <Problem message={loaded.error} />;
  if (!loaded.value) return <Loading what="the groups" />;
  const { groups, current } = loaded.value;
  const join = (group: CohortGroup) => {
    setError(null);
    cohorts.joinGroup({ groupId: group.id, switchGroup: current !== null }).then(
      () => setVersion((v) => v + 1),
      (e: unknown) => setError(describeError(e)),
    );
  };
  return (
    <div className="group-picker">
      <h3>{current ? "Switch group" : "Pick a group"}</h3>
      {current && (
        <p>
          You are in <strong>{current.name}</strong>, meeting{" "}
          {weeklyTime(firstMeeting(cohort.startDate, current.meetingStartSlot))}.
        </p>
      )}
      {groups.length === 0 ? (
        <Empty>
          No {current ? "other " : ""}group with room meets at a time you marked. <Link to={paths.availability()}>Add times</Link>{" "}
          and look again.
        </Empty>
      ) : (
        <ul className="joinable-groups">
          {groups.map((group) => {
            const facilitator = group.members.find((m) => m.role === SignupRole.FACILITATOR);
            return (
              <li key={group.id.toString()}>
                <span>
                  <strong>{group.name}</strong> · {weeklyTime(firstMeeting(cohort.startDate, group.meetingStartSlot))} ·{" "}
                  {group.members.length} of {group.maxMembers} · {facilitator ? `led by ${facilitator.name}` : "no facilitator yet"}
                </span>
                <button type="button" onClick={() => join(group)}>
                  {current ? `Switch to ${group.name}` : `Join ${group.name}`}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {error && <Problem message={error} />}
    </div>
  );
}
