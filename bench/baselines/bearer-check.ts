// What a bare resource server does for a bearer token, shared by the minimal baselines: the
// identity provider's keys fetched once at start, then jose's `jwtVerify` on EVERY request with
// the service's algorithms, iss, aud, required sub/exp and the same clock tolerance. No cache.
import type { Request } from "express";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { ACCEPTED_ALGORITHMS } from "../../src/auth/token-verifier";

const BEARER = /^Bearer +(\S+)$/i;

/** Resolves the caller's `sub`, or undefined for a missing or bad token. */
export type BearerCheck = (req: Request) => Promise<string | undefined>;

export async function createBearerCheck(env: NodeJS.ProcessEnv): Promise<BearerCheck> {
  const response = await fetch(env.AUTH_JWKS_URL!, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
  const keys = createLocalJWKSet((await response.json()) as JSONWebKeySet);
  const verifyOptions = {
    algorithms: ACCEPTED_ALGORITHMS,
    issuer: env.AUTH_ISSUER!,
    audience: env.AUTH_AUDIENCE!,
    clockTolerance: Number(env.AUTH_CLOCK_TOLERANCE_S),
    requiredClaims: ["sub", "exp"],
  };
  return async (req) => {
    const token = BEARER.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return undefined;
    try {
      return (await jwtVerify(token, keys, verifyOptions)).payload.sub;
    } catch {
      return undefined;
    }
  };
}
