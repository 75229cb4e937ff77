import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { startAnalytics } from "./observability/analytics";
import { startErrorReports } from "./observability/errors";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// After the first render, so neither delays the page.
startErrorReports();
startAnalytics();
