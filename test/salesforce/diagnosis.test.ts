import { describe, expect, it } from "vitest";
import {
  diagnoseApiUsage,
  diagnoseInstanceUrl,
  diagnoseRedirect,
  diagnoseTransportError,
  diagnoseUnexpectedAnswer,
  diagnoseVersions,
  parseApiUsage,
  quote,
} from "../../src/salesforce/diagnosis.ts";
import {
  SalesforceResponseTooLargeError,
  SalesforceTimeoutError,
  SalesforceUnreachableError,
} from "../../src/salesforce/errors.ts";
import { validateInstanceUrl } from "../../src/salesforce/instance-url.ts";
import { answer, CONTEXT, tokenAnswer } from "./responses.ts";

describe("diagnoseInstanceUrl", () => {
  it("passes a My Domain URL and names the kind of org", () => {
    const diagnosis = diagnoseInstanceUrl(
      validateInstanceUrl("https://acme--uat.sandbox.my.salesforce.com"),
    );
    expect(diagnosis.status).toBe("pass");
    expect(diagnosis.summary).toContain("sandbox");
  });

  it("advises the corrected URL when one can be derived", () => {
    const diagnosis = diagnoseInstanceUrl(validateInstanceUrl("https://acme.lightning.force.com"));
    expect(diagnosis.status).toBe("fail");
    expect(diagnosis.advice).toBe(
      "Save https://acme.my.salesforce.com as SALESFORCE_INSTANCE_URL.",
    );
  });

  it("sends the owner to Setup > My Domain when no URL can be derived", () => {
    const diagnosis = diagnoseInstanceUrl(validateInstanceUrl("https://login.salesforce.com"));
    expect(diagnosis.advice).toContain("Setup > My Domain");
  });
});

describe("diagnoseTransportError", () => {
  it("reports a timeout with the time waited", () => {
    const diagnosis = diagnoseTransportError(
      new SalesforceTimeoutError("acme.my.salesforce.com", 10_000),
      "POST /services/oauth2/token",
    );
    expect(diagnosis.status).toBe("fail");
    expect(diagnosis.summary).toBe(
      "POST /services/oauth2/token got no complete answer from acme.my.salesforce.com within 10 s.",
    );
    expect(diagnosis.advice).toContain("Try again");
  });

  it("reports an oversized answer as not the Salesforce API", () => {
    const diagnosis = diagnoseTransportError(
      new SalesforceResponseTooLargeError("acme.my.salesforce.com", 200, 256 * 1024),
      "GET /services/data/",
    );
    expect(diagnosis.summary).toContain("larger than 256 KiB");
    expect(diagnosis.advice).toContain("does not behave like the Salesforce API");
  });

  it("tells a misspelt host from a refused connection", () => {
    const dns = diagnoseTransportError(
      new SalesforceUnreachableError("acme.my.salesforce.com", "dns"),
      "GET /services/data/",
    );
    expect(dns.summary).toContain("does not exist");
    expect(dns.advice).toContain("spelling");

    const refused = diagnoseTransportError(
      new SalesforceUnreachableError("acme.my.salesforce.com", "refused"),
      "GET /services/data/",
    );
    expect(refused.summary).toContain("refused the connection");
  });

  it("keeps the text of an unknown error out of the result", () => {
    const diagnosis = diagnoseTransportError(new Error("secret-bearing detail"), "GET /x");
    expect(JSON.stringify(diagnosis)).not.toContain("secret-bearing");
  });
});

describe("diagnoseUnexpectedAnswer", () => {
  it("reads a 503 with an HTML page as maintenance or an incident", () => {
    const diagnosis = diagnoseUnexpectedAnswer(
      answer({ status: 503, contentType: "text/html", text: "<html>Down</html>" }),
      CONTEXT,
    );
    expect(diagnosis.summary).toBe(
      "GET /services/data/ answered 503 Service Unavailable with a web page instead of JSON.",
    );
    expect(diagnosis.advice).toContain("status.salesforce.com");
  });

  it("reports JSON that could not be read", () => {
    const diagnosis = diagnoseUnexpectedAnswer(
      tokenAnswer({ status: 200, contentType: "application/json", body: { kind: "invalid-json" } }),
      CONTEXT,
    );
    expect(diagnosis.summary).toContain("JSON that could not be read");
  });

  it("reads a web page answered with 200 as a host that is not Salesforce", () => {
    const diagnosis = diagnoseUnexpectedAnswer(
      answer({ status: 200, contentType: "text/html", text: "<!DOCTYPE html>" }),
      CONTEXT,
    );
    expect(diagnosis.summary).toContain("with a web page, not the Salesforce API");
  });

  it("names a status Salesforce does not send there", () => {
    const diagnosis = diagnoseUnexpectedAnswer(answer({ status: 418, text: "teapot" }), CONTEXT);
    expect(diagnosis.summary).toBe(
      "GET /services/data/ answered 418, which Salesforce does not send there.",
    );
  });
});

describe("diagnoseRedirect", () => {
  it("suggests the My Domain a Lightning host redirects to", () => {
    const diagnosis = diagnoseRedirect(
      tokenAnswer({
        status: 302,
        location: "https://acme.my.salesforce.com/services/oauth2/token",
      }),
      { instanceUrl: "http://127.0.0.1:4010", allowInsecureLoopback: true },
    );
    expect(diagnosis.status).toBe("fail");
    expect(diagnosis.summary).toContain("redirected (302) to acme.my.salesforce.com");
    expect(diagnosis.summary).toContain("no credentials were sent there");
    expect(diagnosis.advice).toBe(
      "Save https://acme.my.salesforce.com as SALESFORCE_INSTANCE_URL.",
    );
  });

  it("names a foreign host without suggesting it and shows only its origin", () => {
    const diagnosis = diagnoseRedirect(
      tokenAnswer({ status: 307, location: "https://evil.example/collect?next=/token" }),
      CONTEXT,
    );
    expect(diagnosis.summary).toContain("to evil.example, which is not a Salesforce My Domain");
    expect(JSON.stringify(diagnosis)).not.toContain("collect");
    expect(diagnosis.advice).toContain("Setup > My Domain");
  });

  it("reports a redirect without a target", () => {
    const diagnosis = diagnoseRedirect(answer({ status: 302 }), CONTEXT);
    expect(diagnosis.summary).toContain("named no valid target");
  });
});

describe("diagnoseVersions", () => {
  it("picks the newest version whatever the order", () => {
    const diagnosis = diagnoseVersions(
      answer({
        json: [
          { label: "Summer '26", url: "/services/data/v67.0", version: "67.0" },
          { label: "Winter '25", url: "/services/data/v62.0", version: "62.0" },
        ],
      }),
      CONTEXT,
    );
    expect(diagnosis.status).toBe("pass");
    expect(diagnosis.apiVersion).toBe("67.0");
    expect(diagnosis.summary).toContain("67.0 (Summer '26)");
  });

  it.each([
    ["an empty list", { json: [] }],
    ["another JSON document", { json: { status: "ok" } }],
    ["plain text", { text: "hello", contentType: "text/plain" }],
  ])("says a host answering %s is not Salesforce", (_, fields) => {
    const diagnosis = diagnoseVersions(answer(fields), CONTEXT);
    expect(diagnosis.status).toBe("fail");
    expect(diagnosis.summary).toContain("not a Salesforce org");
    expect(diagnosis.apiVersion).toBeUndefined();
  });

  it("hands a redirect on to the redirect diagnosis", () => {
    const diagnosis = diagnoseVersions(
      answer({ status: 302, location: "https://acme.my.salesforce.com/services/data/" }),
      { instanceUrl: "http://localhost:4010", allowInsecureLoopback: true },
    );
    expect(diagnosis.advice).toBe(
      "Save https://acme.my.salesforce.com as SALESFORCE_INSTANCE_URL.",
    );
  });
});

describe("API usage", () => {
  it("reads api-usage among other counters", () => {
    expect(parseApiUsage("api-usage=18/15000")).toEqual({ used: 18, limit: 15000 });
    expect(parseApiUsage("per-app-api-usage=3/250(appName=x), api-usage=40/100")).toEqual({
      used: 40,
      limit: 100,
    });
    expect(parseApiUsage("per-app-api-usage=3/250(appName=x)")).toBeNull();
    expect(parseApiUsage(null)).toBeNull();
  });

  it("passes low usage and shows the numbers", () => {
    const diagnosis = diagnoseApiUsage({ used: 1200, limit: 15000 });
    expect(diagnosis).toEqual({
      status: "pass",
      summary: "API usage: 1,200 of 15,000 requests in the last 24 hours (8%).",
    });
  });

  it("warns from 80% of the limit", () => {
    expect(diagnoseApiUsage({ used: 11999, limit: 15000 }).status).toBe("pass");
    const diagnosis = diagnoseApiUsage({ used: 12000, limit: 15000 });
    expect(diagnosis.status).toBe("warn");
    expect(diagnosis.summary).toContain("(80%)");
    expect(diagnosis.advice).toContain("REQUEST_LIMIT_EXCEEDED");
  });

  it("passes when Salesforce reported no usage", () => {
    expect(diagnoseApiUsage(null).status).toBe("pass");
  });
});

describe("quote", () => {
  it("keeps copied text on one bounded line", () => {
    expect(quote("a\nb\u0000c   d")).toBe("a b c d");
    expect(quote("x".repeat(300))).toHaveLength(160);
  });
});
