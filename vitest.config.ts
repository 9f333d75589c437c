import { defineConfig } from "vitest/config";

// Files named *.postgres.test.ts need a PostgreSQL server, so they join the run only when
// TEST_DATABASE_URL names one; every other file runs on either database.
const onServer = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["node_modules/**", ...(onServer ? [] : ["test/**/*.postgres.test.ts"])],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
