// The customers' tokens for the whole soak. The development identity provider signs them for
// an hour (bench/support/identity-provider.ts), less than a long soak: past that every request
// would be a fast 401 and the figures would describe the rejection path. So they are minted
// again well before they expire, into the same maps the load reads from.
import { bearersFor, type IdentityProvider } from "../support/identity-provider";

const RENEW_AFTER_MS = 45 * 60_000;

export class SoakBearers {
  /** Authorization header values of the seeded orders' owners (the reads). */
  readonly owners = new Map<string, string>();
  /** Authorization header values of the ordering customers (the writes). */
  readonly ordering = new Map<string, string>();
  #mintedAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly provider: IdentityProvider,
    private readonly ownerIds: readonly string[],
    private readonly orderingIds: readonly string[],
  ) {}

  /** Mints when the tokens are missing or older than RENEW_AFTER_MS; true if it did. */
  async renewIfDue(): Promise<boolean> {
    if (performance.now() - this.#mintedAtMs < RENEW_AFTER_MS) return false;
    const [owners, ordering] = await Promise.all([
      bearersFor(this.provider, this.ownerIds),
      bearersFor(this.provider, this.orderingIds),
    ]);
    for (const [map, fresh] of [
      [this.owners, owners],
      [this.ordering, ordering],
    ] as const) {
      for (const [id, bearer] of fresh) map.set(id, bearer);
    }
    this.#mintedAtMs = performance.now();
    return true;
  }
}
