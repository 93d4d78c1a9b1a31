// What authenticating one request costs in CPU, without HTTP around it: the service's own
// TokenVerifier (src/auth/token-verifier.ts) verifying the bench customers' real RS256 tokens
// (2048-bit keys, from the dev identity provider) in this process, one call after another,
// with its cache on (steady state: every token was verified once before) and off
// (AUTH_TOKEN_CACHE_SIZE=0, every call checks the signature), next to jose's jwtVerify alone
// (what the baseline does per request). CPU is process.cpuUsage(), user + system of every
// thread: jose verifies through WebCrypto, whose work runs on libuv's thread pool.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { KeySetResolver } from "../../src/auth/key-set-resolver";
import {
  ACCEPTED_ALGORITHMS,
  TokenVerifier,
  type TokenVerifierOptions,
} from "../../src/auth/token-verifier";
import type { IdentityProvider } from "../support/identity-provider";
import { CLOCK_TOLERANCE_S, TOKEN_CACHE_SIZE } from "../support/service";
import { median } from "../support/stats";

export const AUTH_ROUNDS = 8;
/** Calls per round: each round of a variant takes some 100 ms of CPU on this machine. */
const SIGNATURE_CHECKS_PER_ROUND = 2_000;
const CACHE_HITS_PER_ROUND = 100_000;

export interface AuthCostFigures {
  readonly name: string;
  readonly calls: number;
  /** Median of the rounds: CPU microseconds (all threads) per verification. */
  readonly cpuUsPerVerify: number;
  /** Median of the rounds: wall-clock microseconds per verification (one at a time). */
  readonly wallUsPerVerify: number;
  readonly roundsCpuUs: readonly number[];
}

interface Variant {
  readonly name: string;
  readonly calls: number;
  verify(token: string): Promise<string | undefined>;
}

export async function benchAuthCost(
  identity: IdentityProvider,
  tokens: readonly string[],
  log: (line: string) => void = console.log,
): Promise<AuthCostFigures[]> {
  // Fetched once, as a resource server does at start (the baseline does the same).
  const response = await fetch(identity.jwksUrl, { signal: AbortSignal.timeout(5000) });
  const keys = createLocalJWKSet((await response.json()) as JSONWebKeySet);
  const checks = { issuer: identity.issuer, audience: identity.audience };
  const verifier = (getKey: TokenVerifierOptions["getKey"], cacheSize: number) => {
    const tokenVerifier = new TokenVerifier({
      getKey,
      ...checks,
      clockToleranceS: CLOCK_TOLERANCE_S,
      cacheSize,
    });
    return async (token: string) => (await tokenVerifier.verify(token)).customerId;
  };
  // The service's own key lookup: jose's remote key set behind the stale-if-error wrapper.
  const resolver = new KeySetResolver({
    jwksUrl: identity.jwksUrl,
    timeoutMs: 2000,
    cooldownMs: 30_000,
  });

  const variants: Variant[] = [
    {
      name: "jose jwtVerify, local JWKS (the baseline's check)",
      calls: SIGNATURE_CHECKS_PER_ROUND,
      verify: async (token) =>
        (
          await jwtVerify(token, keys, {
            ...checks,
            algorithms: ACCEPTED_ALGORITHMS,
            clockTolerance: CLOCK_TOLERANCE_S,
            requiredClaims: ["sub", "exp"],
          })
        ).payload.sub,
    },
    {
      name: "TokenVerifier, cache off, local JWKS",
      calls: SIGNATURE_CHECKS_PER_ROUND,
      verify: verifier(keys, 0),
    },
    {
      name: "TokenVerifier, cache off, KeySetResolver (as the service)",
      calls: SIGNATURE_CHECKS_PER_ROUND,
      verify: verifier(resolver.getKey, 0),
    },
    {
      name: `TokenVerifier, cache on (${TOKEN_CACHE_SIZE}), token seen before`,
      calls: CACHE_HITS_PER_ROUND,
      verify: verifier(keys, TOKEN_CACHE_SIZE),
    },
  ];

  // Warm-up: JIT, imported keys, the remote key set fetched, every token in the cache. Each
  // variant must also say who the token is for, or its figures would be those of a refusal.
  for (const variant of variants) {
    for (let pass = 0; pass < 2; pass++) {
      for (const token of tokens) {
        if (!(await variant.verify(token))) throw new Error(`${variant.name}: no sub`);
      }
    }
  }

  const rounds = variants.map(() => [] as { cpuUs: number; wallUs: number }[]);
  for (let round = 1; round <= AUTH_ROUNDS; round++) {
    // Forward, then backward: no variant always follows the same one (and pays for the
    // garbage it left, or for waking the thread pool after the cache's synchronous hits).
    const order = [...variants.keys()];
    if (round % 2 === 0) order.reverse();
    for (const index of order) {
      const variant = variants[index]!;
      // A short unmeasured run first, so the switch from the previous variant is not counted.
      for (let call = 0; call < variant.calls / 20; call++) {
        await variant.verify(tokens[call % tokens.length]!);
      }
      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      for (let call = 0; call < variant.calls; call++) {
        await variant.verify(tokens[call % tokens.length]!);
      }
      const wallUs = ((performance.now() - wallBefore) * 1000) / variant.calls;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuUs = (cpu.user + cpu.system) / variant.calls;
      rounds[index]!.push({ cpuUs, wallUs });
      log(
        `  round ${round}/${AUTH_ROUNDS} ${variant.name.padEnd(58)} ` +
          `${cpuUs.toFixed(2).padStart(7)} us CPU/verify  ${wallUs.toFixed(2).padStart(7)} us wall`,
      );
    }
  }
  return variants.map((variant, index) => ({
    name: variant.name,
    calls: variant.calls,
    cpuUsPerVerify: median(rounds[index]!.map((r) => r.cpuUs)),
    wallUsPerVerify: median(rounds[index]!.map((r) => r.wallUs)),
    roundsCpuUs: rounds[index]!.map((r) => r.cpuUs),
  }));
}
