// Mutation testing (`npm run test:mutation`): Stryker changes the code of the exchange, the link protocol
// and the binding limits one small edit at a time and runs the tests that cover each edit; a mutant that
// no test notices marks a behaviour no test pins. Only the test folders of those layers run, so a full
// run takes tens of minutes on two cores; incremental mode reruns only what changed since the last run.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.config.ts", related: false },
  mutate: ["lib/exchange/**/*.ts", "lib/sync/**/*.ts", "bindings/limits.ts"],
  testFiles: ["test/exchange/**/*.test.ts", "test/sync/**/*.test.ts", "test/bindings/limits.test.ts"],
  coverageAnalysis: "perTest",
  // A static mutant (a module-level constant) would need every test file rerun; they are few and cost most.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  // The tsconfig files stay out of the sandbox: Stryker rewrites a sandboxed tsconfig through TypeScript's
  // JavaScript API, which TypeScript 7 no longer has, and vitest compiles without them.
  ignorePatterns: ["dist", "docs/api", "bench/results", "test-results.json", "/tsconfig*.json"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 80, low: 60, break: null },
};
