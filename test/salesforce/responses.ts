// Builds client answers for the unit tests of the diagnosis mappings.

import type { ResponseBody, SalesforceResponse } from "../../src/salesforce/client.ts";

export const INSTANCE_URL = "https://acme.my.salesforce.com";

export const CONTEXT = { instanceUrl: INSTANCE_URL };

export function answer(
  fields: Partial<SalesforceResponse> & { json?: unknown; text?: string } = {},
): SalesforceResponse {
  const { json, text, ...rest } = fields;
  let body: ResponseBody = { kind: "empty" };
  if (json !== undefined) body = { kind: "json", value: json };
  if (text !== undefined) body = { kind: "text", text };
  return {
    method: "GET",
    path: "/services/data/",
    status: 200,
    contentType: json !== undefined ? "application/json;charset=UTF-8" : null,
    location: null,
    limitInfo: null,
    body,
    ...rest,
  };
}

export function tokenAnswer(
  fields: Partial<SalesforceResponse> & { json?: unknown; text?: string } = {},
): SalesforceResponse {
  return answer({ method: "POST", path: "/services/oauth2/token", status: 400, ...fields });
}
