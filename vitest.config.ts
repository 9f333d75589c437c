import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

// Files named *.postgres.test.ts need a PostgreSQL server, so they join the run only when
// TEST_DATABASE_URL names one; every other file runs on either database.
const onServer = Boolean(process.env.TEST_DATABASE_URL);

// Browser journeys drive Debian's Chromium. A laptop without it still runs every other test;
// CI sets REQUIRE_BROWSER_TESTS=1, so there a missing browser fails the run instead.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const withBrowser = existsSync(chromium);
if (!withBrowser && process.env.REQUIRE_BROWSER_TESTS === "1") {
  throw new Error(`REQUIRE_BROWSER_TESTS=1 but there is no Chromium at ${chromium}.`);
}
if (!withBrowser) {
  process.stderr.write(
    `No Chromium at ${chromium}: the browser journeys in test/browser do not run.\n`,
  );
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [
      "node_modules/**",
      ...(onServer ? [] : ["test/**/*.postgres.test.ts"]),
      ...(withBrowser ? [] : ["test/browser/**"]),
    ],
    globalSetup: ["test/support/global-setup.ts"],
    // Most files wait on PGlite, child processes or sockets rather than the CPU, so more files
    // than cores run at once (vitest's default is one fewer than the cores: one, here).
    maxWorkers: 3,
    // Generous: several tests start console processes, which take seconds on a loaded machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
