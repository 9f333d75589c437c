// Server code outside this repository imports the client by the package's name, as the
// Runtime access tab's snippet shows; the export points at JavaScript built from client.ts.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("the client as a package export", () => {
  it("builds and imports as secrets-console/client in plain Node", () => {
    execFileSync("npm", ["run", "--silent", "build:client"], { cwd: ROOT });
    const exported = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('secrets-console/client');" +
          "console.log(Object.keys(m).sort().join());",
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(exported.trim().split(",")).toContain("createSecretsClient");
  });
});
