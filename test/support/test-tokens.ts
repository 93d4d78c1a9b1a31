// Tokens the dev identity provider would never issue, for the tests of what the service refuses.
import { SignJWT, base64url, type JWTPayload } from "jose";
import type { KeyObject } from "node:crypto";
import { TEST_AUDIENCE, TEST_ISSUER } from "./fake-upstreams";

const nowS = () => Math.floor(Date.now() / 1000);

/** The claims of a good token for `sub`, to be overridden. */
export function claimsFor(sub: string, overrides: JWTPayload = {}): JWTPayload {
  return {
    sub,
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    iat: nowS(),
    exp: nowS() + 600,
    ...overrides,
  };
}

/** An RS256 (or other) signature over `claims`, with whatever protected header is asked for. */
export function signWith(
  key: KeyObject | Uint8Array,
  claims: JWTPayload,
  header: { alg: string; kid?: string; typ?: string },
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

/** An unsecured JWT (`alg: none`, RFC 7519 section 6): header.payload. with no signature. */
export function unsecuredToken(claims: JWTPayload, kid?: string): string {
  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: "none", typ: "JWT", ...(kid ? { kid } : {}) })}.${encode(claims)}.`;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
export const inSeconds = (s: number) => nowS() + s;
