import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// In `npm run dev`, grpc-web calls and the sign-in pages go to a running web
// edge (scripts/dev.sh starts one on :8000), so the app is same-origin just
// as in production, where the web edge serves the built files itself.
const edge = process.env.LENS_WEB_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
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
    include: ["src/**/*.test.ts"],
  },
});
