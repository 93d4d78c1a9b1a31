// The identity provider's signing keys, fetched from its JWKS with jose's remote key set:
// cached, refetched when a token names a key id it does not know (key rotation without a
// restart, at most once per cooldown), every fetch bounded by a timeout, redirects refused.
//
// One thing jose does not do is serve a stale key set when its refresh fails: after
// `cacheMaxAge` every verification waits for a refetch, and an identity provider that is down
// would fail every request, even those signed with a key we already hold. This wrapper keeps
// the last key set for that case (stale-if-error, like the product cache) and, for one
// cooldown after a failed fetch, does not try again, so an unreachable provider costs one
// timeout per cooldown, not one per request. A token whose key is not among the known ones
// still needs the provider: KeySetUnavailableError (503), never a 401 we cannot be sure of.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
} from "jose";

import type { Logger } from "../infra/logger";

type KeyLookup = ReturnType<typeof createLocalJWKSet>;
type KeyLike = Awaited<ReturnType<KeyLookup>>;

/** The key set could not be fetched (down, timeout, not a 200, not a key set). */
export class KeySetUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super("The identity provider's signing keys are unavailable", options);
    this.name = "KeySetUnavailableError";
  }
}

export interface KeySetResolverOptions {
  readonly jwksUrl: string;
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  /** How long a fetched key set is used before it is refreshed (jose's default: 10 min). */
  readonly maxAgeMs?: number;
  /** Told once per failed fetch (so at most once per cooldown), never once per request. */
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** Errors that say something about the token, not about the provider. */
function isAboutTheToken(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys
  );
}

export class KeySetResolver {
  readonly #remote: ReturnType<typeof createRemoteJWKSet>;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  #stale: KeyLookup | undefined;
  // Stryker disable next-line UnaryOperator: read only while #stale is set, and both are set together
  #failedAt = -Infinity;

  constructor(options: KeySetResolverOptions) {
    this.#remote = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.maxAgeMs ?? 600_000,
    });
    this.#cooldownMs = options.cooldownMs;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
  }

  /** jose's key-lookup function shape, so it can be passed to jwtVerify as it is. */
  readonly getKey = async (
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
  ): Promise<KeyLike> => {
    if (this.#stale && this.#now() - this.#failedAt < this.#cooldownMs) {
      return this.#fromStale(this.#stale, header, token);
    }
    try {
      const key = await this.#remote(header, token);
      this.#stale = undefined;
      return key;
    } catch (error) {
      if (isAboutTheToken(error)) throw error;
      this.#failedAt = this.#now();
      const known = this.#remote.jwks();
      this.#stale = known ? createLocalJWKSet(known) : undefined;
      this.#logger?.warn(
        { err: error, servingKnownKeys: Boolean(known) },
        "identity provider's key set could not be fetched",
      );
      if (!this.#stale) throw new KeySetUnavailableError({ cause: error });
      return this.#fromStale(this.#stale, header, token, error);
    }
  };

  async #fromStale(
    stale: KeyLookup,
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
    cause?: unknown,
  ): Promise<KeyLike> {
    try {
      return await stale(header, token);
    } catch (error) {
      // Unknown to the last key set we hold: it may be a new key only the provider knows.
      if (error instanceof errors.JWKSNoMatchingKey) {
        throw new KeySetUnavailableError({ cause: cause ?? error });
      }
      throw error;
    }
  }
}
