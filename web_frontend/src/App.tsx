// The app shell: header, and the page the address names.

import { SessionProvider } from "./api/session";
import { Header } from "./components/Header";
import { useRoute } from "./lib/navigation";
import { AvailabilityPage } from "./pages/AvailabilityPage";
import { CoursePage, HomePage } from "./pages/CoursePage";
import { ModulePage } from "./pages/ModulePage";

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
    case "not-found":
      return (
        <div>
          <h1>Not found</h1>
          <p>There is no page at {route.path}.</p>
        </div>
      );
  }
}

/** The whole app. */
export function App() {
  return (
    <SessionProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main">
        <Page />
      </main>
    </SessionProvider>
  );
}
