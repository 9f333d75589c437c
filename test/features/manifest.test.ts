// The application's code declares features through the runtime API; they join the console's
// own declarations on the delete confirmation of their secret, in their environment only, and
// reads sent with X-Feature are counted towards them.

import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  environmentOf,
  issueToken,
  type RuntimeTestConsole,
  runtimeTestConsole,
  storeSecrets,
} from "../runtime/helpers.ts";
import { signedInAgent } from "../support/agent.ts";
import { dumpTables } from "../support/dump.ts";
import { createTeam } from "../support/factories.ts";

let testConsole: RuntimeTestConsole;

beforeAll(async () => {
  testConsole = await runtimeTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

async function setup() {
  const team = await createTeam(testConsole.database);
  const owner = await signedInAgent(testConsole, team.owner);
  const { database, keyring } = testConsole;
  for (const env of ["preview", "production"]) {
    await storeSecrets(database, keyring, team.owner, team.application, env, { SHARED: "v" });
  }
  const preview = await issueToken(database, team.owner, team.application, "preview");
  const secrets = `/apps/${team.application.slug}/configuration/secrets`;
  return { team, owner, preview, secrets };
}

const manifest = {
  features: [{ key: "pipeline-report", name: "Pipeline report", secrets: ["SHARED"] }],
};

describe("PUT /runtime/v1/features", () => {
  it("declares features for the token's environment only, beside console ones", async () => {
    const s = await setup();
    await request(testConsole.app)
      .put("/runtime/v1/features")
      .set(bearer(s.preview.token))
      .send(manifest)
      .expect(200, { environment: "Preview", features: ["pipeline-report"] });
    await s.owner
      .post(`/apps/${s.team.application.slug}/configuration/features`, {
        key: "console-export",
        name: "Console export",
        secrets: "SHARED",
        environments: environmentOf(s.team.application, "preview").id,
      })
      .expect(303);

    const preview = await s.owner.get(`${s.secrets}/preview/SHARED/delete`).expect(200);
    expect(preview.text).toContain("Pipeline report");
    expect(preview.text).toContain("Console export");
    const production = await s.owner.get(`${s.secrets}/production/SHARED/delete`).expect(200);
    expect(production.text).not.toContain("Pipeline report");
    expect(production.text).not.toContain("Console export");
  });

  it("replaces the environment's earlier manifest", async () => {
    const s = await setup();
    const put = (body: object) =>
      request(testConsole.app).put("/runtime/v1/features").set(bearer(s.preview.token)).send(body);
    await put(manifest).expect(200);
    await put({ features: [{ key: "other", name: "Other", secrets: [] }] }).expect(200);

    const page = await s.owner.get(`${s.secrets}/preview/SHARED/delete`);
    expect(page.text).not.toContain("Pipeline report");
  });

  it("counts reads named with X-Feature, shown with their last read", async () => {
    const s = await setup();
    for (let i = 0; i < 3; i++) {
      await request(testConsole.app)
        .get("/runtime/v1/secrets")
        .set(bearer(s.preview.token))
        .set("X-Feature", "forecast-job")
        .expect(200);
    }
    await testConsole.runtime.flush();

    const page = await s.owner.get(`${s.secrets}/preview/SHARED/delete`).expect(200);
    expect(page.text).toMatch(/undeclared feature <code>forecast-job<\/code> 3 times/);
    expect(page.text).toContain("Type SHARED to confirm");
  });

  it("refuses a bad manifest or a missing token and changes nothing", async () => {
    const s = await setup();
    const before = await dumpTables(testConsole.database);
    const put = () => request(testConsole.app).put("/runtime/v1/features");
    await put().send(manifest).expect(401);
    const auth = bearer(s.preview.token);
    const bad = await put().set(auth).send({ features: "no" }).expect(400);
    expect(bad.body.error).toMatch(/must be/);
    await put()
      .set(auth)
      .send({ features: [{ key: "Bad Key", name: "x", secrets: [] }] })
      .expect(400);
    await put()
      .set(auth)
      .send({ features: [{ key: "ok", name: "x", secrets: ["not-a-name"] }] })
      .expect(400);
    await put().set(auth).set("Content-Type", "application/json").send("{not json").expect(400);
    const after = await dumpTables(testConsole.database);
    expect(after["public.features"]).toEqual(before["public.features"]);
    expect(after["public.audit_events"]).toEqual(before["public.audit_events"]);
  });
});
