// The soak's traffic: reads of seeded orders by their owners and new orders, about 4 to 1, as
// a shop's API sees them (browsing outweighs buying). Autocannon sends each connection through
// the list in turn, so every connection keeps that mix at every moment of the run.
import type autocannon from "autocannon";
import type { SeededOrder } from "../support/bench-database";
import { placeEach } from "../scenarios/order-create";
import { readEach } from "../scenarios/order-read";

export const READS_PER_WRITE = 4;

export function mixedRequests(
  orders: readonly SeededOrder[],
  ownerBearers: ReadonlyMap<string, string>,
  orderingBearers: ReadonlyMap<string, string>,
): autocannon.Request[] {
  const [read] = readEach(orders, ownerBearers);
  const [place] = placeEach(orderingBearers);
  // Copies, not one object four times: autocannon writes the built request onto the entry.
  return [...Array.from({ length: READS_PER_WRITE }, () => ({ ...read! })), { ...place! }];
}
