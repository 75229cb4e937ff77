// The course outline, grouped by meeting, with the learner's progress.

import { useEffect, useState } from "react";
import type { Course } from "../gen/lens/v1/content_pb";
import type { ModuleProgress } from "../gen/lens/v1/progress_pb";
import { content, progress } from "../api/client";
import { useSession } from "../api/session";
import { Loading, Problem } from "../components/Status";
import { describeError } from "../lib/errors";
import { Link } from "../lib/navigation";

function progressLabel(p: ModuleProgress | undefined): string {
  if (!p || !p.started) return "Not started";
  if (p.completed) return "Completed";
  if (p.requiredLenses > 0) return `${p.requiredLensesCompleted} of ${p.requiredLenses} lenses done`;
  return "Started";
}

/** The outline of course `slug`. */
export function CoursePage({ slug }: { slug: string }) {
  const { user } = useSession();
  const [course, setCourse] = useState<Course | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [byModule, setByModule] = useState<Map<string, ModuleProgress>>(new Map());

  useEffect(() => {
    let live = true;
    content
      .getCourse({ slug })
      .then((r) => {
        if (!live) return;
        setCourse(r.course ?? null);
        document.title = `${r.course?.title ?? "Course"} · Lens`;
      })
      .catch((e: unknown) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [slug]);

  useEffect(() => {
    if (!user) return;
    let live = true;
    progress
      .getCourseProgress({ courseSlug: slug })
      .then((r) => {
        if (!live) return;
        const map = new Map<string, ModuleProgress>();
        for (const unit of r.units) for (const m of unit.modules) map.set(m.slug, m);
        setByModule(map);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [user, slug]);

  if (error) return <Problem message={error} />;
  if (!course) return <Loading what="the course" />;
  return (
    <div className="course">
      <h1>{course.title}</h1>
      {course.units.map((unit, i) => (
        <section key={i} className="unit" aria-labelledby={`unit-${i}`}>
          <h2 id={`unit-${i}`}>{unit.meeting > 0 ? `Meeting ${unit.meeting}` : "Before you start"}</h2>
          <ul className="module-list">
            {unit.modules.map((m) => {
              const p = byModule.get(m.slug);
              return (
                <li key={m.slug} data-state={p?.completed ? "done" : p?.started ? "started" : "new"}>
                  <Link href={`/module/${encodeURIComponent(m.slug)}`}>{m.title}</Link>
                  {user && <span className="progress-label">{progressLabel(p)}</span>}
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
  const [courses, setCourses] = useState<{ slug: string; title: string }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    content
      .listCourses({})
      .then((r) => setCourses(r.courses))
      .catch((e: unknown) => setError(describeError(e)));
  }, []);
  if (error) return <Problem message={error} />;
  if (!courses) return <Loading what="courses" />;
  const [only] = courses;
  if (courses.length === 1 && only) return <CoursePage slug={only.slug} />;
  if (courses.length === 0) return <p>No course is published yet.</p>;
  return (
    <div>
      <h1>Courses</h1>
      <ul className="module-list">
        {courses.map((c) => (
          <li key={c.slug}>
            <Link href={`/course/${encodeURIComponent(c.slug)}`}>{c.title}</Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
