// Route patterns to concrete paths, for tests that walk every page of the console.

/** Every path a route pattern makes with the candidate values of its :parameters. */
export function expandRoute(pattern: string, params: Record<string, string[]>): string[] {
  const names = [...pattern.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  let paths = [pattern];
  for (const name of names) {
    const candidates = params[name];
    if (!candidates) return [];
    paths = paths.flatMap((path) => candidates.map((value) => path.replace(`:${name}`, value)));
  }
  return paths;
}
