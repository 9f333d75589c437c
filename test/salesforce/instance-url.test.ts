import { assert, describe, expect, it } from "vitest";
import { validateInstanceUrl } from "../../src/salesforce/instance-url.ts";

function refused(raw: string, options = {}) {
  const verdict = validateInstanceUrl(raw, options);
  assert(!verdict.ok, `expected ${raw} to be refused`);
  return verdict;
}

describe("validateInstanceUrl", () => {
  it.each([
    ["https://acme.my.salesforce.com", "production"],
    ["https://acme--uat.sandbox.my.salesforce.com", "sandbox"],
    ["https://acme-dev-ed.develop.my.salesforce.com", "developer-edition"],
    ["https://acme.demo.my.salesforce.com", "demo"],
    ["https://acme--p1.patch.my.salesforce.com", "patch"],
    ["https://site-power-1234-dev-ed.scratch.my.salesforce.com", "scratch"],
    ["https://acme.trailblaze.my.salesforce.com", "trailblaze"],
    ["https://agency.my.salesforce.mil", "government"],
  ])("accepts the My Domain URL %s", (raw, orgKind) => {
    expect(validateInstanceUrl(raw)).toEqual({
      ok: true,
      url: raw,
      host: new URL(raw).hostname,
      orgKind,
    });
  });

  it("accepts a trailing slash and upper case, and returns the bare origin", () => {
    const verdict = validateInstanceUrl("https://ACME.My.Salesforce.com/");
    expect(verdict).toMatchObject({ ok: true, url: "https://acme.my.salesforce.com" });
  });

  it("refuses an empty value", () => {
    expect(refused("  ").problem).toBe("empty");
  });

  it("points a Lightning host to its My Domain form", () => {
    const verdict = refused("https://acme.lightning.force.com");
    expect(verdict.problem).toBe("lightning-host");
    expect(verdict.message).toContain("Lightning");
    expect(verdict.suggestedUrl).toBe("https://acme.my.salesforce.com");
  });

  it("points a sandbox Lightning host to the sandbox My Domain", () => {
    const verdict = refused("https://acme--uat.sandbox.lightning.force.com");
    expect(verdict.suggestedUrl).toBe("https://acme--uat.sandbox.my.salesforce.com");
  });

  it("fixes scheme, host and path of a copied Lightning page address at once", () => {
    const verdict = refused("http://acme.lightning.force.com/lightning/page/home");
    expect(verdict.problem).toBe("lightning-host");
    expect(verdict.message).toContain("https://");
    expect(verdict.message).toContain("/lightning/page/home");
    expect(verdict.suggestedUrl).toBe("https://acme.my.salesforce.com");
  });

  it("points the Setup domain to the My Domain host", () => {
    const verdict = refused(
      "https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home",
    );
    expect(verdict.problem).toBe("setup-host");
    expect(verdict.suggestedUrl).toBe("https://acme.my.salesforce.com");
  });

  it.each(["https://login.salesforce.com", "https://test.salesforce.com"])(
    "refuses the shared login host %s and says where to find the My Domain",
    (raw) => {
      const verdict = refused(raw);
      expect(verdict.problem).toBe("login-host");
      expect(verdict.message).toContain("Setup > My Domain");
      expect(verdict.suggestedUrl).toBeUndefined();
    },
  );

  it("refuses http:// on a Salesforce host and suggests https://", () => {
    const verdict = refused("http://acme.my.salesforce.com");
    expect(verdict.problem).toBe("insecure-http");
    expect(verdict.suggestedUrl).toBe("https://acme.my.salesforce.com");
  });

  it.each(["/lightning/page/home", "/setup/forcecomHomepage.apexp", "/services/data/v67.0"])(
    "refuses the trailing path %s and suggests the bare host",
    (path) => {
      const verdict = refused(`https://acme.my.salesforce.com${path}`);
      expect(verdict.problem).toBe("path");
      expect(verdict.message).toContain(path);
      expect(verdict.suggestedUrl).toBe("https://acme.my.salesforce.com");
    },
  );

  it("refuses a query string like a path", () => {
    expect(refused("https://acme.my.salesforce.com/?x=1").problem).toBe("path");
  });

  it("refuses a legacy instance host", () => {
    const verdict = refused("https://na123.salesforce.com");
    expect(verdict.problem).toBe("legacy-instance-host");
    expect(verdict.message).toContain("legacy");
  });

  it.each(["https://example.com", "https://acme.my.salesfroce.com", "https://10.0.0.5"])(
    "refuses the non-Salesforce host %s",
    (raw) => {
      const verdict = refused(raw);
      expect(verdict.problem).toBe("not-salesforce");
      expect(verdict.message).toContain("not a Salesforce address");
    },
  );

  it("refuses other Salesforce hosts that are not a My Domain", () => {
    expect(refused("https://acme.my.site.com").problem).toBe("other-salesforce-host");
    expect(refused("https://www.salesforce.com").problem).toBe("other-salesforce-host");
  });

  it("refuses a sandbox host without the sandbox name", () => {
    expect(refused("https://acme.sandbox.my.salesforce.com").problem).toBe("sandbox-name");
  });

  it("suggests https:// for a bare host name", () => {
    const verdict = refused("acme.my.salesforce.com");
    expect(verdict.problem).toBe("missing-scheme");
    expect(verdict.suggestedUrl).toBe("https://acme.my.salesforce.com");
  });

  it("names the host problem of a bare Lightning host name", () => {
    const verdict = refused("acme.lightning.force.com");
    expect(verdict.problem).toBe("lightning-host");
    expect(verdict.suggestedUrl).toBe("https://acme.my.salesforce.com");
  });

  it("refuses a port, user information and surrounding whitespace", () => {
    expect(refused("https://acme.my.salesforce.com:8443").problem).toBe("port");
    expect(refused("https://me:pw@acme.my.salesforce.com").problem).toBe("credentials-in-url");
    const padded = refused(" https://acme.my.salesforce.com\n");
    expect(padded.problem).toBe("surrounding-whitespace");
    expect(padded.suggestedUrl).toBe("https://acme.my.salesforce.com");
  });

  it("refuses text that is not a URL", () => {
    expect(refused("https://").problem).toBe("not-a-url");
    expect(refused("ftp://acme.my.salesforce.com").problem).toBe("not-a-url");
  });

  it.each(["http://127.0.0.1:4010", "http://localhost:4010"])(
    "refuses the loopback URL %s unless insecure loopback is allowed",
    (raw) => {
      expect(refused(raw).problem).toBe("loopback-refused");
      expect(validateInstanceUrl(raw, { allowInsecureLoopback: true })).toMatchObject({
        ok: true,
        url: raw,
        orgKind: "loopback",
      });
    },
  );

  it("still refuses a path on an allowed loopback URL", () => {
    const verdict = refused("http://127.0.0.1:4010/setup", { allowInsecureLoopback: true });
    expect(verdict.problem).toBe("path");
    expect(verdict.suggestedUrl).toBe("http://127.0.0.1:4010");
  });
});
