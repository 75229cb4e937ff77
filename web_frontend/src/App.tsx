// The app shell: header, and the page the address names.

import { lazy, Suspense } from "react";
import { SessionProvider } from "./api/session";
import { ConsentBanner, ConsentSetting } from "./components/ConsentBanner";
import { Header } from "./components/Header";
import { Loading } from "./components/Status";
import { Link, useRoute } from "./lib/navigation";
import { useReportedIdentity } from "./observability/useReportedIdentity";
import { CoursePage, HomePage } from "./pages/CoursePage";

// The reader (with its markdown renderer) and the availability grid load
// when first visited, so the outline, the usual first page, loads with the
// least script.
const ModulePage = lazy(() => import("./pages/ModulePage"));
const AvailabilityPage = lazy(() => import("./pages/AvailabilityPage"));
const ContentStatusPage = lazy(() => import("./pages/ContentStatusPage"));
const MeetingsPage = lazy(() => import("./pages/MeetingsPage"));
const CohortsPage = lazy(() => import("./pages/CohortsPage"));
// The admin console: its own chunks, never loaded by learners.
const AdminPage = lazy(() => import("./pages/AdminPage"));
const AdminCohortPage = lazy(() => import("./pages/AdminCohortPage"));

function Page() {
  const route = useRoute();
  switch (route.page) {
    case "home":
      return <HomePage />;
    case "course":
      return <CoursePage key={route.slug} slug={route.slug} />;
    case "module":
      return <ModulePage key={route.slug} slug={route.slug} />;
    case "availability":
      return <AvailabilityPage />;
    case "meetings":
      return <MeetingsPage />;
    case "cohorts":
      return <CohortsPage />;
    case "admin":
      return <AdminPage />;
    case "admin-cohort":
      return <AdminCohortPage key={route.id} id={route.id} />;
    case "content-status":
      return <ContentStatusPage />;
    case "not-found":
      return (
        <div>
          <h1>Not found</h1>
          <p>There is no page at {route.path}.</p>
        </div>
      );
  }
}

/** Follows the session for error reports and analytics; renders nothing. */
function ReportedIdentity() {
  useReportedIdentity();
  return null;
}

/** The whole app. */
export function App() {
  return (
    <SessionProvider>
      <ReportedIdentity />
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main">
        <Suspense fallback={<Loading what="the page" />}>
          <Page />
        </Suspense>
      </main>
      <footer className="site-footer">
        <Link href="/content-status">Content status</Link>
        <ConsentSetting />
      </footer>
      <ConsentBanner />
    </SessionProvider>
  );
}
