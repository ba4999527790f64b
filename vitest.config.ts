import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Examples import the package by its name, as users do; in the repository that name is the source.
    alias: [{ find: /^hakuban(\/node)?$/, replacement: new URL("./lib/node-entry.ts", import.meta.url).pathname }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});
