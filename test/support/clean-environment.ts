/**
 * The environment a spawned process gets (a test's service, a bench's server): nothing
 * inherited but what it takes to run node (no DATABASE_URL, NODE_OPTIONS, ... from the
 * developer's shell), plus the explicit values.
 */
export function cleanEnvironment(values: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]
      .filter((name) => process.env[name] !== undefined)
      .map((name) => [name, process.env[name]]),
  );
  return { ...inherited, ...values };
}
