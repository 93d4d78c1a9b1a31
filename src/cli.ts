// The container image's entry point (ENTRYPOINT ["node", "dist/cli.js"]): one image, several
// processes (twelve-factor XII), e.g. `docker compose run --rm api migrate`.
const commands: Record<string, string> = {
  serve: "./main",
  migrate: "./admin/migrate",
  reconcile: "./admin/reconcile",
  "fake-products": "./fakes/product-service",
  "fake-payments": "./fakes/payment-service",
  "fake-identity": "./fakes/identity-provider",
  loadgen: "./admin/loadgen",
};

const [command = "serve", ...rest] = process.argv.slice(2);
// Own names only: commands["constructor"] is Object, which require() would throw on.
const target = Object.hasOwn(commands, command) ? commands[command] : undefined;
if (target === undefined) {
  process.stderr.write(
    `unknown command "${command}"; expected one of: ${Object.keys(commands).join(", ")}\n`,
  );
  process.exitCode = 1;
} else {
  // The chosen process sees only its own arguments, as if it had been started directly.
  process.argv.splice(2, process.argv.length, ...rest);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the target is chosen at run time
  require(target);
}
