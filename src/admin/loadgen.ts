// `node dist/cli.js loadgen --url URL --seconds N --rate R [...]`: the template's own load
// generator, for rollouts under load (`make rollout-check`, scripts/compose-smoke.sh). It
// places and reads orders as real callers (tokens from the development identity provider),
// then prints one JSON line: requests, answers by status, requests with no answer, latency.
// Exit codes: 0 every request answered with a 2xx; 2 some were not (the line says which);
// 1 the load could not run (bad arguments, no token).
import { randomBytes } from "node:crypto";
import { parseLoadgenOptions } from "./loadgen/loadgen-options";
import { everyRequestSucceeded, summarise } from "./loadgen/load-report";
import { fetchBearerTokens } from "./loadgen/dev-tokens";
import { runOpenLoop } from "./loadgen/open-loop-load";
import { OrderTraffic } from "./loadgen/order-traffic";
import { runAdminProcess } from "./run-admin-process";

const EXIT_REQUESTS_FAILED = 2;

runAdminProcess("loadgen", async () => {
  const options = parseLoadgenOptions(process.argv.slice(2));
  // A missing token fails the run ("loadgen failed: no token for ..."), exit code 1.
  const authorizations = options.tokenUrl
    ? await fetchBearerTokens(options.tokenUrl, options.customers)
    : [];

  // SIGTERM (a Job deleted) or Ctrl-C: stop sending, let what is in flight finish, report.
  const stop = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => stop.abort());

  const requests = Math.floor(options.seconds * options.rate);
  process.stderr.write(
    `loadgen: ${requests} requests over ${options.seconds} s to ${options.url.href}\n`,
  );
  const outcomes = await runOpenLoop({
    url: options.url,
    requests,
    rate: options.rate,
    timeoutMs: options.timeoutMs,
    authorizations,
    traffic: new OrderTraffic(options, randomBytes(4).toString("hex")),
    stop: stop.signal,
  });
  const report = summarise(
    {
      url: options.url.href,
      seconds: options.seconds,
      rate: options.rate,
      stoppedEarly: stop.signal.aborted,
    },
    outcomes,
  );
  process.stdout.write(`${JSON.stringify(report)}\n`);
  if (!everyRequestSucceeded(report)) process.exitCode = EXIT_REQUESTS_FAILED;
});
