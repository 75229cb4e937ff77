// The admin console's front page: every cohort, and a form to create one
// (admins only: see the admin layout in routes.tsx).

import { useEffect, useId, useState } from "react";
import { cohorts, content } from "../api/client";
import { useLoad } from "../api/useLoad";
import { Empty, Loading, Problem } from "../components/Status";
import { CohortStatus } from "../gen/lens/v1/cohort_pb";
import type { CourseSummary } from "../gen/lens/v1/content_pb";
import { startDay } from "../lib/cohorts";
import { describeError } from "../lib/errors";
import { Link, useNavigate } from "react-router";
import { paths } from "../lib/paths";

/** Words for a cohort's status. */
export const STATUS_WORDS: Record<CohortStatus, string> = {
  [CohortStatus.UNSPECIFIED]: "unknown",
  [CohortStatus.PLANNED]: "taking sign-ups",
  [CohortStatus.ACTIVE]: "under way",
  [CohortStatus.COMPLETED]: "completed",
  [CohortStatus.CANCELLED]: "cancelled",
};

/** `/admin`. */
export default function AdminPage() {
  const listed = useLoad("admin-cohorts", () =>
    Promise.all([cohorts.listCohorts({}), content.listCourses({})]),
  );
  useEffect(() => {
    document.title = "Admin · Lens";
  }, []);
  if (listed.error) return <Problem message={listed.error} />;
  if (!listed.value) return <Loading what="the cohorts" />;
  const [list, courses] = listed.value;
  const titles = new Map(courses.courses.map((c) => [c.slug, c.title]));
  return (
    <div className="admin">
      <h1>Admin</h1>
      <h2>Cohorts</h2>
      {list.cohorts.length === 0 ? (
        <Empty>No cohorts yet: create the first below.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="cohort-table">
            <thead>
              <tr>
                <th scope="col">Cohort</th>
                <th scope="col">Course</th>
                <th scope="col">Starts</th>
                <th scope="col">Status</th>
                <th scope="col">Sign-ups</th>
              </tr>
            </thead>
            <tbody>
              {list.cohorts.map((c) => (
                <tr key={String(c.id)}>
                  <th scope="row">
                    <Link to={paths.adminCohort(c.id)}>{c.name}</Link>
                  </th>
                  <td>{titles.get(c.courseSlug) ?? c.courseSlug}</td>
                  <td>{startDay(c.startDate)}</td>
                  <td>{STATUS_WORDS[c.status]}</td>
                  <td>{c.signupCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateCohort courses={courses.courses} />
    </div>
  );
}

function CreateCohort({ courses }: { courses: CourseSummary[] }) {
  const navigate = useNavigate();
  const ids = { name: useId(), course: useId(), start: useId(), meetings: useId() };
  const [name, setName] = useState("");
  const [course, setCourse] = useState(courses[0]?.slug ?? "");
  const [start, setStart] = useState("");
  const [meetings, setMeetings] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    cohorts
      .createCohort({ name, courseSlug: course, startDate: start, meetingCount: Number(meetings) || 0 })
      .then((r) => navigate(paths.adminCohort(r.cohort?.id ?? 0n)))
      .catch((err: unknown) => {
        setError(describeError(err));
        setBusy(false);
      });
  };
  return (
    <form className="card create-cohort" onSubmit={submit}>
      <h2>Create a cohort</h2>
      <label htmlFor={ids.name}>Name</label>
      <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      <label htmlFor={ids.course}>Course</label>
      <select id={ids.course} value={course} onChange={(e) => setCourse(e.target.value)}>
        {courses.map((c) => (
          <option key={c.slug} value={c.slug}>
            {c.title}
          </option>
        ))}
      </select>
      <label htmlFor={ids.start}>First meeting week</label>
      <input id={ids.start} type="date" value={start} onChange={(e) => setStart(e.target.value)} required />
      <label htmlFor={ids.meetings}>Weekly meetings (empty: as many as the course has)</label>
      <input
        id={ids.meetings}
        type="number"
        min={1}
        max={52}
        value={meetings}
        onChange={(e) => setMeetings(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create cohort"}
      </button>
      {error && <Problem message={error} />}
    </form>
  );
}
