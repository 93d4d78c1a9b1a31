// Who is calling: a bearer token (JWT) verified against the identity provider's keys, with the
// checks a resource server owes (RFC 8725): an asymmetric algorithm from an allow-list (never
// `none`, never HS* - a public key used as an HMAC secret would let anyone sign), the issuer,
// the audience, `exp`/`nbf` with a small clock tolerance, and a usable `sub`.
//
// Verifying an RS256 signature costs CPU on every request, so verified tokens are kept in a
// bounded LRU until their own `exp` (never longer): a caller's next request is a map lookup.
import { errors, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import { identifier } from "../orders/order-schemas";
import { KeySetUnavailableError } from "./key-set-resolver";

export interface Caller {
  /** The token's `sub`: the customer on whose behalf the request is made. */
  readonly customerId: string;
}

/** The token is not one we accept; `reason` is for the logs, never for the client. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid bearer token: ${reason}`);
    this.name = "InvalidTokenError";
  }
}

export const ACCEPTED_ALGORITHMS = ["RS256", "ES256"];
// Longer than any token a real IdP issues (a few kB at most), short enough that a cache of
// the largest number of them stays small.
const MAX_TOKEN_LENGTH = 8192;
// Stryker disable next-line StringLiteral: the name is only in zod's messages, which verify() replaces with its own reason
const customerId = identifier("sub");

export interface TokenVerifierOptions {
  readonly getKey: Parameters<typeof jwtVerify>[1];
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceS: number;
  /** Verified tokens kept; 0 turns the cache off. */
  readonly cacheSize: number;
  readonly now?: () => number;
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JOSEError) return error.code;
  return error instanceof Error ? error.name : "unknown";
}

export class TokenVerifier {
  readonly #cache: LRUCache<string, Caller> | undefined;
  readonly #now: () => number;

  constructor(private readonly options: TokenVerifierOptions) {
    this.#now = options.now ?? Date.now;
    this.#cache =
      options.cacheSize > 0
        ? new LRUCache<string, Caller>({
            max: options.cacheSize,
            perf: { now: this.#now },
            // Read the clock on every lookup (its default reuses a reading for 1 ms): a token
            // is never served from the cache once its exp has passed.
            ttlResolution: 0,
          })
        : undefined;
  }

  /** The caller a token names; InvalidTokenError or KeySetUnavailableError otherwise. */
  async verify(token: string): Promise<Caller> {
    const cached = this.#cache?.get(token);
    if (cached) return cached;
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError("token too long");

    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.options.getKey, {
        algorithms: ACCEPTED_ALGORITHMS,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceS,
        requiredClaims: ["sub", "exp"],
        currentDate: new Date(this.#now()),
      }));
    } catch (error) {
      if (error instanceof KeySetUnavailableError) throw error;
      throw new InvalidTokenError(reasonOf(error));
    }
    const sub = customerId.safeParse(payload.sub);
    if (!sub.success) throw new InvalidTokenError("sub is not a usable customer id");

    const caller: Caller = Object.freeze({ customerId: sub.data });
    // Up to `exp` itself, without the tolerance: a cached token never outlives its expiry.
    const ttlMs = payload.exp! * 1000 - this.#now();
    if (this.#cache && ttlMs > 0) this.#cache.set(token, caller, { ttl: ttlMs });
    return caller;
  }
}
