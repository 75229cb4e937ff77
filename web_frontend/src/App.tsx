// The whole app: the session every page reads, and the routes (routes.tsx).

import { BrowserRouter } from "react-router";
import { SessionProvider } from "./api/session";
import { AppRoutes } from "./routes";

/** The whole app. */
export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </SessionProvider>
  );
}
