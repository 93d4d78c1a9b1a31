// The image's entry point (dist/cli.js) picks a process by name; a name it does not know,
// including one every JavaScript object inherits, must get the usage message, not a crash.
import { cleanEnvironment, killLeftovers, SpawnedProcess } from "../support/processes";

afterAll(() => killLeftovers());

async function runCli(command: string) {
  const cli = new SpawnedProcess("cli", "cli.js", cleanEnvironment({}), [command]);
  return { exit: await cli.exited, stderr: cli.stderr, stdout: cli.stdoutLines };
}

describe("dist/cli.js", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "no-such-command"])(
    "answers %s with exit code 1 and the usage message, without a stack trace",
    async (command) => {
      const { exit, stderr, stdout } = await runCli(command);
      expect(exit).toMatchObject({ code: 1, signal: null });
      expect(stderr).toBe(
        `unknown command "${command}"; expected one of: ` +
          "serve, migrate, reconcile, fake-products, fake-payments, fake-identity, loadgen\n",
      );
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).toEqual([]);
    },
  );
});
