// How to use a new runtime token, as text to copy: the Node client, and the `run` command for a
// server that reads process.env. They name the console's URL and the environment, and read the
// token from an environment variable; they never hold the token or a value.

export interface SnippetPlace {
  /** The console's public URL, as runtimes reach it. */
  url: string;
  applicationName: string;
  environmentName: string;
  /** A secret name of the environment to show in the example, when it has one. */
  exampleName?: string;
}

export const TOKEN_VARIABLE = "SECRETS_CONSOLE_TOKEN";

export function clientSnippet(place: SnippetPlace): string {
  const name = place.exampleName ?? "SF_CLIENT_ID";
  return [
    `// Reads the ${oneLine(place.environmentName)} secrets of ${oneLine(place.applicationName)}.`,
    `import { createSecretsClient } from "secrets-console/client";`,
    "",
    "const secrets = createSecretsClient({",
    `  url: ${JSON.stringify(place.url)},`,
    `  token: process.env.${TOKEN_VARIABLE} ?? "",`,
    `  feature: "my-feature", // optional: which part of the application reads`,
    "});",
    "",
    `const value = await secrets.get(${JSON.stringify(name)});`,
  ].join("\n");
}

export function runSnippet(place: SnippetPlace): string {
  return [
    `# Starts your server with the ${oneLine(place.environmentName)} secrets of ` +
      `${oneLine(place.applicationName)} as environment variables.`,
    `export ${TOKEN_VARIABLE}=...   # the runtime token shown above`,
    `npm run cli -- run --url ${shellWord(place.url)} -- node server.js`,
  ].join("\n");
}

// A name is shown in a comment; a line break in it would end the comment.
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}
