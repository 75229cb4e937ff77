import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Plugin, type PluginOption } from "vite";
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import { releaseName, sentryUpload } from "./build/sentryUpload.ts";

// In `npm run dev`, grpc-web calls and the sign-in pages go to a running web
// edge (scripts/dev.sh starts one on :8000), so the app is same-origin just
// as in production, where the web edge serves the built files itself.
const edge = process.env.LENS_WEB_URL ?? "http://127.0.0.1:8000";

/**
 * Writes `.br` and `.gz` beside each built text file. The web edge serves
 * them to browsers that accept them, so compression costs nothing per
 * request and uses the strongest settings.
 */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "lens-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
        const path = join(outDir, name);
        const data = readFileSync(path);
        writeFileSync(`${path}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };
const release = releaseName(process.env, version);
const upload = sentryUpload(process.env, release);

export default defineConfig(async () => {
  const plugins: PluginOption[] = [react(), precompress()];
  if (upload) {
    // Loaded only when uploading, so ordinary builds never touch it.
    const { sentryVitePlugin } = await import("@sentry/vite-plugin");
    plugins.push(
      sentryVitePlugin({
        ...upload,
        release: { name: upload.release },
        // Uploaded maps are not served: Sentry has them, visitors need not.
        sourcemaps: { filesToDeleteAfterUpload: ["dist/**/*.map"] },
        telemetry: false,
      }),
    );
  }
  return {
    plugins,
    define: {
      // One release name for the reports and the uploaded maps.
      "import.meta.env.VITE_SENTRY_RELEASE": JSON.stringify(release),
    },
    server: {
      proxy: {
        "/lens.v1.": edge,
        "/auth/": edge,
        "/api/": edge,
      },
    },
    build: {
      outDir: "dist",
      sourcemap: true,
    },
    test: {
      include: ["src/**/*.test.{ts,tsx}", "build/**/*.test.ts"],
    },
  };
});
