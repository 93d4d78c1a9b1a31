// Does a read get slower as the table grows? GET /orders/:id, and GET /orders (the default 20
// per page) of one customer with a long history: its first page and a page deep into it, reached
// by following nextCursor as a client does. Both reads are index lookups (the primary key; the
// (customer_id, created_at DESC, id DESC) index with a keyset, src/orders/order-repository.ts),
// so they should stay flat in table size and in page depth, where OFFSET paging would not.
// The table grows 10^3 -> 10^5 -> 10^6 orders (bulk-seed.ts). Runs LAST: it empties the
// orders table the other scenarios read.
import {
  emptyOrders,
  growOrders,
  HEAVY_CUSTOMER,
  ordersOf,
  regularCustomer,
  regularCustomers,
} from "../support/bulk-seed";
import { bearersFor } from "../support/identity-provider";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import type { RunningServer, ServiceSetup } from "../support/service";
import { readEach } from "./order-read";

export const TABLE_SIZES = [1_000, 100_000, 1_000_000] as const;
const QUICK_TABLE_SIZES = [1_000, 100_000] as const;
/** Customers whose orders GET /orders/:id reads at each size, picked at random. */
const READ_CUSTOMERS = 200;
/** How deep the deep page is: this share of the heavy customer's history lies before it. */
const DEEP_SHARE = 0.9;
/** GET /orders' default limit: the page a client gets without asking for another. */
export const PAGE_SIZE = 20;

const GROWTH_LOAD: LoadSettings = { connections: 16, durationS: 2, rounds: 2, warmupS: 1 };
const QUICK_GROWTH_LOAD: LoadSettings = { ...GROWTH_LOAD, rounds: 1 };

export interface TableGrowthStep {
  readonly orders: number;
  readonly seedSeconds: number;
  /** The heavy customer's orders, and the page number the deep page is. */
  readonly heavyOrders: number;
  readonly deepPage: number;
  readonly byId: LoadSummary;
  readonly firstPage: LoadSummary;
  readonly deepPageLoad: LoadSummary;
}

export interface TableGrowthFigures {
  readonly steps: readonly TableGrowthStep[];
  readonly settings: LoadSettings;
}

interface Page {
  readonly orders: unknown[];
  readonly nextCursor: string | null;
}

async function fetchPage(url: string, authorization: string, cursor?: string): Promise<Page> {
  const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
  const response = await fetch(`${url}/orders${query}`, { headers: { authorization } });
  if (response.status !== 200) throw new Error(`GET /orders${query}: ${response.status}`);
  return (await response.json()) as Page;
}

/** The cursor that GET /orders answers page `page` (2 or more) for, by following nextCursor. */
async function cursorOfPage(url: string, authorization: string, page: number): Promise<string> {
  if (page < 2) throw new Error(`page ${page}: only pages after the first have a cursor`);
  let cursor: string | undefined;
  for (let current = 1; current < page; current++) {
    const { nextCursor } = await fetchPage(url, authorization, cursor);
    if (!nextCursor) throw new Error(`GET /orders ended at page ${current}, before ${page}`);
    cursor = nextCursor;
  }
  const deep = await fetchPage(url, authorization, cursor);
  if (deep.orders.length !== PAGE_SIZE) throw new Error(`page ${page}: not a full page`);
  return cursor!;
}

const randomIndexes = (count: number, below: number) =>
  Array.from({ length: count }, () => Math.floor(Math.random() * below));

export async function benchTableGrowth(
  service: RunningServer,
  setup: ServiceSetup,
  quick: boolean,
  log: (line: string) => void = console.log,
): Promise<TableGrowthFigures> {
  const settings = quick ? QUICK_GROWTH_LOAD : GROWTH_LOAD;
  const heavyBearer = (await bearersFor(setup.upstreams.identity, [HEAVY_CUSTOMER])).get(
    HEAVY_CUSTOMER,
  )!;
  await emptyOrders(setup.databaseUrl);
  const steps: TableGrowthStep[] = [];
  let size = 0;
  for (const target of quick ? QUICK_TABLE_SIZES : TABLE_SIZES) {
    const seedStarted = performance.now();
    const heavyOrders = await growOrders(setup.databaseUrl, size, target);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    size = target;
    const customers = [
      ...new Set(randomIndexes(READ_CUSTOMERS, regularCustomers(size)).map(regularCustomer)),
    ];
    const [readOrders, readBearers] = await Promise.all([
      ordersOf(setup.databaseUrl, customers),
      bearersFor(setup.upstreams.identity, customers),
    ]);
    const deepPage = Math.floor((heavyOrders * DEEP_SHARE) / PAGE_SIZE) + 1;
    const deepCursor = await cursorOfPage(service.url, heavyBearer, deepPage);
    log(
      `  ${size} orders: seeded in ${seedSeconds.toFixed(1)} s; ${HEAVY_CUSTOMER} has ` +
        `${heavyOrders}, deep page ${deepPage}; GET /orders/:id over ${readOrders.length} orders`,
    );
    const label = (what: string) => `${what}  10^${Math.log10(size)} orders`;
    const [byId, firstPage, deepPageLoad] = await measureInterleaved(
      [
        {
          name: label("GET /orders/:id"),
          url: service.url,
          pid: service.child.pid,
          requests: readEach(readOrders, readBearers),
        },
        {
          name: label("GET /orders page 1"),
          url: `${service.url}/orders`,
          pid: service.child.pid,
          headers: { authorization: heavyBearer },
        },
        {
          name: label(`GET /orders page ${deepPage}`),
          url: `${service.url}/orders?cursor=${encodeURIComponent(deepCursor)}`,
          pid: service.child.pid,
          headers: { authorization: heavyBearer },
        },
      ],
      settings,
    );
    steps.push({
      orders: size,
      seedSeconds,
      heavyOrders,
      deepPage,
      byId: byId!,
      firstPage: firstPage!,
      deepPageLoad: deepPageLoad!,
    });
  }
  return { steps, settings };
}
