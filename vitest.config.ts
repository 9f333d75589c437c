import { defineConfig } from "vitest/config";

// Files named *.postgres.test.ts need a PostgreSQL server, so they join the run only when
// TEST_DATABASE_URL names one; every other file runs on either database.
const onServer = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["node_modules/**", ...(onServer ? [] : ["test/**/*.postgres.test.ts"])],
    globalSetup: ["test/support/global-setup.ts"],
    // Most files wait on PGlite, child processes or sockets rather than the CPU, so more files
    // than cores run at once (vitest's default is one fewer than the cores: one, here).
    maxWorkers: 3,
    // Generous: several tests start console processes, which take seconds on a loaded machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
