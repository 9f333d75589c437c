// Runs src/cli.ts in this process and, as it exits, writes the process's peak resident memory
// (KiB) to the file named by BENCH_RSS_FILE, so a benchmark can read the command's own peak.

import { writeFileSync } from "node:fs";

const file = process.env.BENCH_RSS_FILE;
process.on("exit", () => {
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});

await import("../src/cli.ts");
