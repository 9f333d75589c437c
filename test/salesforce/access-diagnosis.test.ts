import { describe, expect, it } from "vitest";
import type { ObjectPermissions } from "../../src/salesforce/access-diagnosis.ts";
import {
  diagnoseDataError,
  diagnoseReadAccess,
  diagnoseWriteAccess,
  readObjectPermissions,
  readRecordCount,
} from "../../src/salesforce/access-diagnosis.ts";
import { answer, CONTEXT } from "./responses.ts";

const DESCRIBE_PATH = "/services/data/v67.0/sobjects/Contact/describe";
const QUERY_PATH = "/services/data/v67.0/query";

function dataError(status: number, errorCode: string, message: string, path = DESCRIBE_PATH) {
  return diagnoseDataError(
    answer({ status, path, json: [{ message, errorCode }], limitInfo: "api-usage=15000/15000" }),
    { ...CONTEXT, objectName: "Contact" },
  );
}

function readOnly(overrides: Partial<ObjectPermissions> = {}): ObjectPermissions {
  return {
    queryable: true,
    retrieveable: true,
    createable: false,
    updateable: false,
    deletable: false,
    ...overrides,
  };
}

describe("diagnoseDataError", () => {
  it("maps 401 INVALID_SESSION_ID to the api scope, for the whole org", () => {
    const diagnosis = dataError(401, "INVALID_SESSION_ID", "Session expired or invalid");
    expect(diagnosis.scope).toBe("org");
    expect(diagnosis.summary).toContain("401 INVALID_SESSION_ID");
    expect(diagnosis.advice).toContain("Manage user data via APIs (api)");
  });

  it("maps 403 API_DISABLED_FOR_ORG to the API Enabled permission", () => {
    const diagnosis = dataError(
      403,
      "API_DISABLED_FOR_ORG",
      "The REST API is not enabled for this Organization.",
    );
    expect(diagnosis.scope).toBe("org");
    expect(diagnosis.summary).toContain("may not use the REST API");
    expect(diagnosis.advice).toContain("API Enabled");
  });

  it("maps 403 REQUEST_LIMIT_EXCEEDED to the daily limit, with the usage numbers", () => {
    const diagnosis = dataError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    expect(diagnosis.scope).toBe("org");
    expect(diagnosis.summary).toContain("used up its API requests");
    expect(diagnosis.summary).toContain("15,000 of 15,000 requests");
    expect(diagnosis.advice).toContain("rolling 24-hour window");
  });

  it("maps 404 NOT_FOUND on describe to an object the run-as user cannot see", () => {
    const diagnosis = dataError(404, "NOT_FOUND", "The requested resource does not exist");
    expect(diagnosis.scope).toBe("object");
    expect(diagnosis.summary).toBe(
      "The run-as user cannot see Contact (describe answered 404 NOT_FOUND).",
    );
    expect(diagnosis.advice).toContain("Read on Contact");
  });

  it("maps 400 INVALID_TYPE on the count query to the same cause", () => {
    const diagnosis = dataError(
      400,
      "INVALID_TYPE",
      "sObject type 'Contact' is not supported.",
      QUERY_PATH,
    );
    expect(diagnosis.scope).toBe("object");
    expect(diagnosis.summary).toContain("(the count query answered 400 INVALID_TYPE)");
  });

  it("hands a body that is not an error array to the general mappings", () => {
    const diagnosis = diagnoseDataError(
      answer({ status: 503, contentType: "text/html", text: "<html></html>" }),
      { ...CONTEXT, objectName: "Contact" },
    );
    expect(diagnosis.scope).toBe("org");
    expect(diagnosis.summary).toContain("503 Service Unavailable");
  });
});

describe("describe and count answers", () => {
  it("reads the object-level permissions of a describe", () => {
    const body = { kind: "json" as const, value: { name: "Account", ...readOnly(), fields: [] } };
    expect(readObjectPermissions(body)).toEqual(readOnly());
    expect(readObjectPermissions({ kind: "json", value: { name: "Account" } })).toBeNull();
  });

  it("reads totalSize of a count query", () => {
    expect(readRecordCount({ kind: "json", value: { totalSize: 7, done: true } })).toBe(7);
    expect(readRecordCount({ kind: "json", value: { totalSize: "7" } })).toBeNull();
  });
});

describe("diagnoseWriteAccess", () => {
  it("passes a read-only user", () => {
    expect(
      diagnoseWriteAccess([{ objectName: "Opportunity", permissions: readOnly() }]).status,
    ).toBe("pass");
  });

  it("says which object allows what", () => {
    const diagnosis = diagnoseWriteAccess([
      {
        objectName: "Opportunity",
        permissions: readOnly({ createable: true, updateable: true, deletable: true }),
      },
      { objectName: "Account", permissions: readOnly() },
      { objectName: "Contact", permissions: readOnly({ updateable: true }) },
    ]);
    expect(diagnosis.status).toBe("warn");
    expect(diagnosis.summary).toBe(
      "The integration is meant to be read-only, but the run-as user can create, edit and " +
        "delete Opportunity; edit Contact.",
    );
    expect(diagnosis.advice).toContain("Remove Create, Edit and Delete on Opportunity and Contact");
  });
});

describe("diagnoseReadAccess", () => {
  it("passes when every object is readable and none writable", () => {
    const diagnosis = diagnoseReadAccess([
      { objectName: "Opportunity", readable: true, recordCount: 1200, permissions: readOnly() },
      { objectName: "Account", readable: true, recordCount: 1, permissions: readOnly() },
    ]);
    expect(diagnosis).toEqual({
      status: "pass",
      summary:
        "Read access to Opportunity (1,200 records) and Account (1 record). No create, edit " +
        "or delete access.",
    });
  });

  it("warns when a readable object is also writable", () => {
    const diagnosis = diagnoseReadAccess([
      {
        objectName: "Account",
        readable: true,
        recordCount: 3,
        permissions: readOnly({ deletable: true }),
      },
    ]);
    expect(diagnosis.status).toBe("warn");
    expect(diagnosis.summary).toContain("can delete Account");
  });

  it("fails when one object cannot be read and keeps the write warning in view", () => {
    const diagnosis = diagnoseReadAccess([
      {
        objectName: "Opportunity",
        readable: true,
        recordCount: 3,
        permissions: readOnly({ updateable: true }),
      },
      {
        objectName: "Contact",
        readable: false,
        diagnosis: { status: "fail", summary: "The run-as user cannot see Contact." },
      },
    ]);
    expect(diagnosis.status).toBe("fail");
    expect(diagnosis.summary).toContain("cannot see Contact");
    expect(diagnosis.summary).toContain("Read access to Opportunity (3 records)");
    expect(diagnosis.summary).toContain("can edit Opportunity");
    expect(diagnosis.advice).toContain("Give the integration user Read on Contact");
    expect(diagnosis.advice).toContain("Remove Create, Edit and Delete on Opportunity");
  });
});
