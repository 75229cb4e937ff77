// Frontend figures, printed (never asserted): the built app's size, how fast
// pages render in Debian's Chromium from an empty cache and a warm one, and
// how long a learner waits from "Send" to the tutor's first word on screen,
// all against the real web edge and core on loopback (e2e-stack --bench:
// the fake model answers its first word at once).
//
//   npm run build && cargo build -p lens-tests --bin e2e-stack && node e2e/bench.mjs [runs]

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { dist, launchBrowser, startStack } from "./platform.mjs";

const runs = Number(process.argv[2] ?? 20);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const summary = (values) => `median ${quantile(values, 0.5).toFixed(0)} ms, p90 ${quantile(values, 0.9).toFixed(0)} ms`;

// -- Size of what the build ships.
console.log("Built files (raw / gzip / brotli):");
const entry = readFileSync(join(dist, "index.html"), "utf8");
for (const name of readdirSync(join(dist, "assets")).filter((n) => /\.(js|css)$/.test(n))) {
  const path = join(dist, "assets", name);
  const size = (suffix) => statSync(path + suffix).size;
  const role = entry.includes(name) ? "loaded by every page" : "loaded on demand";
  console.log(`  ${name.padEnd(34)} ${kb(size("")).padStart(10)} ${kb(size(".gz")).padStart(10)} ${kb(size(".br")).padStart(10)}  ${role}`);
}

const stack = await startStack(["--bench"]);
const browser = await launchBrowser();
try {
  // -- Page loads. A new context has an empty cache; a reload in the same
  // context then shows a returning visitor (hashed assets from cache).
  const pages = [
    ["course outline", "/", (page) => page.getByRole("heading", { name: "Meeting 1" }).waitFor()],
    ["module reader", "/module/feedback-loops", (page) => page.locator(".article-excerpt").first().waitFor()],
  ];
  for (const [label, path, ready] of pages) {
    const cold = { fcp: [], ready: [], bytes: [] };
    const warm = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(stack.url + path);
      await ready(page);
      cold.ready.push(Date.now() - started);
      const facts = await page.evaluate(() => ({
        fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
        bytes: performance
          .getEntriesByType("resource")
          .concat(performance.getEntriesByType("navigation"))
          .reduce((sum, r) => sum + (r.transferSize ?? 0), 0),
      }));
      cold.fcp.push(facts.fcp);
      cold.bytes.push(facts.bytes);
      const again = Date.now();
      await page.reload();
      await ready(page);
      warm.push(Date.now() - again);
      await context.close();
    }
    console.log(`${label} (${path}), ${runs} loads:`);
    console.log(`  empty cache: first contentful paint ${summary(cold.fcp)}; content shown ${summary(cold.ready)}; ${kb(quantile(cold.bytes, 0.5))} transferred`);
    console.log(`  warm cache:  content shown ${summary(warm)}`);
  }

  // -- The tutor: Send → first streamed word rendered, then the answer ends.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.url}/module/feedback-loops`);
  await page.getByRole("link", { name: "Sign in with Discord" }).click();
  await page.getByTestId("signed-in-as").waitFor();
  const panel = page.locator(".chat").first();
  await panel.getByLabel("Message to the tutor").waitFor();
  const firstWord = [];
  const whole = [];
  for (let i = 0; i < runs * 2; i++) {
    await panel.getByLabel("Message to the tutor").fill(`Question ${i}`);
    const [first, done] = await panel.evaluate(
      (root) =>
        new Promise((resolve) => {
          const started = performance.now();
          let first = null;
          const observer = new MutationObserver(() => {
            const answer = [...root.querySelectorAll(".chat-line.assistant")].at(-1);
            if (first === null && answer?.querySelector(".markdown")) first = performance.now() - started;
            if (answer?.textContent?.includes("compounds.") && root.querySelector('button[type="submit"]')) {
              observer.disconnect();
              resolve([first, performance.now() - started]);
            }
          });
          observer.observe(root, { childList: true, subtree: true, characterData: true });
          root.querySelector('button[type="submit"]').click();
        }),
    );
    firstWord.push(first);
    whole.push(done);
  }
  console.log(`tutor in the browser, ${runs * 2} messages (fake model: first word at once, then one every 5 ms):`);
  console.log(`  Send → first word on screen: ${summary(firstWord)}, p99 ${quantile(firstWord, 0.99).toFixed(0)} ms`);
  console.log(`  Send → whole 13-word answer on screen: ${summary(whole)}`);
  await context.close();
} finally {
  await browser.close();
  stack.stop();
}
