// What the browser tests and the frontend bench share: the platform on
// loopback (the `e2e-stack` binary: real core and web edge serving dist/,
// fake Discord and LLM) and Debian's Chromium (never a downloaded browser).
//
// LENS_E2E_STACK: the e2e-stack binary (default target/debug/e2e-stack).
// CHROMIUM: the browser (default /usr/bin/chromium).

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const root = resolve(here, "../..");
/** The built app. */
export const dist = resolve(here, "../dist");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Relative paths are taken from where the command was run.
const stackPath = resolve(process.env.LENS_E2E_STACK ?? resolve(root, "target/debug/e2e-stack"));

/** Stops the process with a message saying what is missing. */
export function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

/**
 * Starts the platform serving the app built in `app` (`args` go to
 * e2e-stack, `env` is added to its environment); resolves to its URLs and a
 * stop function.
 */
export function startStack(args = [], { app = dist, env = {} } = {}) {
  if (!existsSync(stackPath)) fail(`no ${stackPath}; build it: cargo build -p lens-tests --bin e2e-stack`);
  if (!existsSync(resolve(app, "index.html"))) fail(`no built app in ${app}; run npm run build`);
  const child = spawn(stackPath, [app, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolvePromise, reject) => {
    child.on("exit", (code) => reject(new Error(`e2e-stack exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).once("line", (line) =>
      resolvePromise({
        ...JSON.parse(line),
        /** Tells the fake model how to answer from now on (see e2e-stack). */
        command: (line) => child.stdin.write(`${line}\n`),
        // Closing stdin is the stack's signal to stop.
        stop: () => {
          child.stdin.end();
          child.kill();
        },
      }),
    );
  });
}

/** Launches headless Chromium with what this offline machine needs. */
export function launchBrowser() {
  if (!existsSync(browserPath)) fail(`no browser at ${browserPath}; install Debian's package: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: browserPath,
    // Without AutomationControlled, `navigator.webdriver` is false as in a
    // visitor's browser; PostHog drops events from browsers that say they
    // are automated.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-blink-features=AutomationControlled",
    ],
  });
}
