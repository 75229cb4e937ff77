// The app's pages and layouts, with react-router in its declarative mode:
// the data router's loaders would add 19 kB (gzip) to the first page for
// nothing, as pages load their data with `useLoad`. Every page but the
// outline loads on first visit (its own chunk); the admin pages sit under
// one layout that lets only admins through (the core refuses everyone else
// anyway).

import { lazy, Suspense, useEffect } from "react";
import { Link, Outlet, Route, Routes, useLocation, useNavigationType, useParams } from "react-router";
import { useSession } from "./api/session";
import { ConsentBanner, ConsentSetting } from "./components/ConsentBanner";
import { Header } from "./components/Header";
import { PageErrorBoundary } from "./components/PageErrorBoundary";
import { Loading, Problem } from "./components/Status";
import { paths } from "./lib/paths";
import { useReportedIdentity } from "./observability/useReportedIdentity";
import { CoursePage, HomePage } from "./pages/CoursePage";

const ModulePage = lazy(() => import("./pages/ModulePage"));
const AvailabilityPage = lazy(() => import("./pages/AvailabilityPage"));
const ContentStatusPage = lazy(() => import("./pages/ContentStatusPage"));
const MeetingsPage = lazy(() => import("./pages/MeetingsPage"));
const CohortsPage = lazy(() => import("./pages/CohortsPage"));
const AdminPage = lazy(() => import("./pages/AdminPage"));
const AdminCohortPage = lazy(() => import("./pages/AdminCohortPage"));

/** Header, the page, footer and the analytics question, on every page. */
function Shell() {
  useReportedIdentity();
  const { pathname } = useLocation();
  const how = useNavigationType();
  // A link opens a page at its top; back and forward keep the browser's place.
  useEffect(() => {
    if (how === "PUSH") window.scrollTo(0, 0);
  }, [pathname, how]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main">
        <PageErrorBoundary key={pathname}>
          <Suspense fallback={<Loading what="the page" />}>
            <Outlet />
          </Suspense>
        </PageErrorBoundary>
      </main>
      <footer className="site-footer">
        <Link to={paths.contentStatus()}>Content status</Link>
        <ConsentSetting />
      </footer>
      <ConsentBanner />
    </>
  );
}

/** The admin area: its pages for admins, a sentence for anyone else. */
function AdminArea() {
  const { loading, user } = useSession();
  if (loading) return <Loading what="your account" />;
  if (!user?.isAdmin) return <Problem message="The admin console is for course admins; ask one to make you an admin." />;
  return <Outlet />;
}

function CourseRoute() {
  const { slug = "" } = useParams();
  return <CoursePage key={slug} slug={slug} />;
}

/** Module slugs may hold a slash (`parent/child`, `lens/…`), encoded or not. */
function ModuleRoute() {
  const slug = useParams()["*"] ?? "";
  return <ModulePage key={slug} slug={slug} />;
}

function AdminCohortRoute() {
  const { id = "" } = useParams();
  return <AdminCohortPage key={id} id={id} />;
}

function NotFound() {
  const { pathname } = useLocation();
  useEffect(() => {
    document.title = "Not found · Lens";
  }, []);
  return (
    <div>
      <h1>Not found</h1>
      <p>There is no page at {pathname}.</p>
      <p>
        <Link to={paths.home()}>Back to the course</Link>
      </p>
    </div>
  );
}

/** The app's routes. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<Shell />}>
        <Route index element={<HomePage />} />
        <Route path="course/:slug" element={<CourseRoute />} />
        <Route path="module/*" element={<ModuleRoute />} />
        <Route path="availability" element={<AvailabilityPage />} />
        <Route path="meetings" element={<MeetingsPage />} />
        <Route path="cohorts" element={<CohortsPage />} />
        <Route path="content-status" element={<ContentStatusPage />} />
        <Route path="admin" element={<AdminArea />}>
          <Route index element={<AdminPage />} />
          <Route path="cohort/:id" element={<AdminCohortRoute />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
