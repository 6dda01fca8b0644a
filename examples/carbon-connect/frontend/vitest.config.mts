import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "@": fileURLToPath(new URL("./", import.meta.url)) },
  },
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["**/*.test.{ts,tsx}"],
    exclude: ["node_modules/**", ".next/**", "out/**"],
    coverage: {
      provider: "v8",
      include: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "lib/**/*.ts"],
      // json-summary: coverage/coverage-summary.json, the numbers CI reads.
      reporter: ["text", "json-summary", "html"],
      reportsDirectory: "coverage",
      // Failing tests still write the report: CI uploads it either way.
      reportOnFailure: true,
    },
  },
});
