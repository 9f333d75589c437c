// Every table of the console, gathered from the capability that owns it, for drizzle's typed
// queries and for drizzle-kit, which generates the migrations in drizzle/ from this file.

export * from "../../accounts/tables.ts";
export * from "../../applications/tables.ts";
export * from "../../audit/tables.ts";
export * from "../../environments/tables.ts";
export * from "../../features/tables.ts";
export * from "../../keys/tables.ts";
export * from "../../runtime/tables.ts";
export * from "../../salesforce/tables.ts";
export * from "../../secrets/tables.ts";
