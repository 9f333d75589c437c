// The create-owner command, for scripted installs: the first owner without the setup link.
// The password comes on standard input, so it shows in no process list or shell history.

import { createInterface } from "node:readline";
import { openConsoleDatabase } from "../core/boot.ts";
import type { Config } from "../core/config.ts";
import { BadRequestError, StartupError } from "../core/errors.ts";
import { createPasswordHasher, type PasswordHasher } from "./passwords.ts";
import { createFirstOwner } from "./setup.ts";

/** A refusal the operator fixes: printed as it is, exit code 1. */
export class CreateOwnerRefusedError extends StartupError {}

const OPTION_OF: Record<string, string> = {
  email: "--email",
  name: "--name",
  password: "The password on standard input",
};

export async function createOwnerCommand(
  config: Config,
  print: (line: string) => void,
  input: { email: string; name?: string | undefined; password: string },
  passwords: PasswordHasher = createPasswordHasher(),
): Promise<void> {
  const email = input.email.trim();
  const name = input.name?.trim() || email.split("@")[0] || "";
  const opened = await openConsoleDatabase(config, "npm run cli -- create-owner");

  try {
    const owner = await createFirstOwner(opened.database, passwords, {
      email,
      name,
      password: input.password,
    });
    print(
      `Created the owner ${owner.name} <${owner.email}>. Sign in at ${config.publicUrl}/sign-in`,
    );
  } catch (error) {
    if (error instanceof BadRequestError) {
      const [field, problem] = Object.entries(error.fields)[0] ?? ["", error.message];
      throw new CreateOwnerRefusedError(`${OPTION_OF[field] ?? field}: ${problem}`);
    }
    if (error instanceof StartupError) throw error;
    if (error instanceof Error && "status" in error) {
      throw new CreateOwnerRefusedError(error.message);
    }
    throw error;
  } finally {
    await opened.close();
  }
}

/**
 * The password: one line typed at a terminal, or everything piped in less one trailing line
 * break (`echo pw | ...` and `printf pw | ...` both work).
 */
export async function readPassword(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) {
    const lines = createInterface({ input: stdin, output: process.stderr, terminal: false });
    process.stderr.write("Password for the owner: ");
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return "";
  }

  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
