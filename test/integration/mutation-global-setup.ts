// globalSetup of the integration tests in the mutation run (jest.mutation.config.mjs).
//
// Stryker ends a mutant's test run that outlives its timeout by killing the worker process,
// and a killed run never reaches its globalTeardown: the template database global-setup.ts
// made for it stays behind, and so does a database a test file made from it. Both are named
// after the process that made them (TEST_RUN_ID is `<pid>_<hex>`), so the ones whose process
// is gone are leftovers: they go before this run makes its own. A run still going (another
// worker's, or a developer's `npm test`) has a live process and is left alone.
import { templateDatabase, withAdminClient } from "../support/backing-services";
import globalSetup from "../support/global-setup";
import { isAlive } from "../support/process-alive";

const OF_A_RUN = /^orders_(?:template|test)_(\d+)_[0-9a-f]{6}(?:_[0-9a-f]+)?$/;

export default async function mutationGlobalSetup(): Promise<void> {
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'orders\\_%'",
    );
    for (const { datname } of rows) {
      const pid = OF_A_RUN.exec(datname)?.[1];
      if (pid !== undefined && !isAlive(Number(pid))) {
        await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    }
  });
  await globalSetup();
}

/** A database of this run's own, named so that mutationGlobalSetup can tell whose it is. */
export function runDatabaseName(suffix: string): string {
  return `${templateDatabase().replace("orders_template_", "orders_test_")}_${suffix}`;
}
