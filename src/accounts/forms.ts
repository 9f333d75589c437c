// Reading urlencoded form fields. express gives a string, an array for a repeated field, or
// nothing; a form handler only ever wants the string.

/** Problems per field name, shown beside the fields and in the summary above a form. */
export type FieldErrors = Record<string, string>;

export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

/** A query string parameter as text; the same rules as a form field. */
export function queryParam(query: unknown, name: string): string {
  return field(query, name);
}
