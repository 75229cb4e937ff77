// The course outline, grouped by meeting, with the learner's progress.

import { useEffect } from "react";
import type { ModuleProgress } from "../gen/lens/v1/progress_pb";
import { content, progress } from "../api/client";
import { learnerKey, useSession } from "../api/session";
import { useLoad } from "../api/useLoad";
import { Loading, Problem } from "../components/Status";
import { Link } from "react-router";
import { paths } from "../lib/paths";

function progressLabel(p: ModuleProgress | undefined): string {
  if (!p || !p.started) return "Not started";
  if (p.completed) return "Completed";
  if (p.requiredLenses > 0) return `${p.requiredLensesCompleted} of ${p.requiredLenses} lenses done`;
  return "Started";
}

/** The outline of course `slug`. */
export function CoursePage({ slug }: { slug: string }) {
  const learner = learnerKey(useSession());
  const course = useLoad(slug, () => content.getCourse({ slug }).then((r) => r.course));
  // Progress is a nicety here: without it the outline still reads.
  const byModule = useLoad(learner ? `${learner}/${slug}` : null, async () => {
    const r = await progress.getCourseProgress({ courseSlug: slug });
    return new Map(r.units.flatMap((unit) => unit.modules.map((m) => [m.slug, m] as const)));
  }).value;
  const title = course.value?.title;
  useEffect(() => {
    if (title) document.title = `${title} · Lens`;
  }, [title]);

  if (course.error) return <Problem message={course.error} />;
  if (!course.value) return <Loading what="the course" />;
  return (
    <div className="course">
      <h1>{course.value.title}</h1>
      {course.value.units.map((unit, i) => (
        <section key={i} className="unit" aria-labelledby={`unit-${i}`}>
          <h2 id={`unit-${i}`}>{unit.meeting > 0 ? `Meeting ${unit.meeting}${unit.meetingName && unit.meetingName !== `Meeting ${unit.meeting}` ? `: ${unit.meetingName}` : ""}` : "After the last meeting"}</h2>
          <ul className="module-list">
            {unit.modules.map((m) => {
              const p = byModule?.get(m.slug);
              return (
                <li key={m.slug} data-state={p?.completed ? "done" : p?.started ? "started" : "new"}>
                  <Link to={paths.module(m.slug)}>{m.title}</Link>
                  {m.optional && <span className="tag">optional</span>}
                  {learner && <span className="progress-label">{progressLabel(p)}</span>}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}

/** The home page: the course, or a list when there are several. */
export function HomePage() {
  const courses = useLoad("courses", () => content.listCourses({}).then((r) => r.courses));
  if (courses.error) return <Problem message={courses.error} />;
  if (!courses.value) return <Loading what="courses" />;
  const [only] = courses.value;
  if (courses.value.length === 1 && only) return <CoursePage slug={only.slug} />;
  if (courses.value.length === 0) return <p>No course is published yet.</p>;
  return (
    <div>
      <h1>Courses</h1>
      <ul className="module-list">
        {courses.value.map((c) => (
          <li key={c.slug}>
            <Link to={paths.course(c.slug)}>{c.title}</Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
