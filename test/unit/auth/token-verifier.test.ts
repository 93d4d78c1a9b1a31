import { generateKeyPairSync } from "node:crypto";
import { createLocalJWKSet, type JWK } from "jose";
import { KeySetUnavailableError } from "../../../src/auth/key-set-resolver";
import { InvalidTokenError, TokenVerifier } from "../../../src/auth/token-verifier";
import { generateSigningKey } from "../../../src/fakes/signing-key-ring";
import { signWith } from "../../support/test-tokens";

const ISSUER = "https://idp.example/";
const AUDIENCE = "orders";
const T0 = Date.UTC(2026, 0, 1) / 1000;

const rsa = generateSigningKey();
const ec = (() => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const publicJwk = { ...(publicKey.export({ format: "jwk" }) as JWK), kid: "ec-1", alg: "ES256" };
  return { privateKey, publicJwk };
})();
const localKeys = createLocalJWKSet({ keys: [rsa.publicJwk, ec.publicJwk] });

function verifierAt(
  clock: { nowS: number },
  cacheSize = 100,
  getKey: (...args: Parameters<typeof localKeys>) => ReturnType<typeof localKeys> = localKeys,
) {
  let lookups = 0;
  const verifier = new TokenVerifier({
    getKey: (header, token) => {
      lookups += 1;
      return getKey(header, token);
    },
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceS: 5,
    cacheSize,
    now: () => clock.nowS * 1000,
  });
  return { verifier, lookups: () => lookups };
}

const claims = (overrides = {}) => ({
  sub: "customer-1",
  iss: ISSUER,
  aud: AUDIENCE,
  iat: T0,
  exp: T0 + 60,
  ...overrides,
});
const rs256 = (overrides = {}) =>
  signWith(rsa.privateKey, claims(overrides), { alg: "RS256", kid: rsa.kid });

describe("TokenVerifier", () => {
  it("names the caller by the token's sub", async () => {
    const { verifier } = verifierAt({ nowS: T0 });
    await expect(verifier.verify(await rs256())).resolves.toEqual({ customerId: "customer-1" });
  });

  it("accepts ES256 as well as RS256", async () => {
    const { verifier } = verifierAt({ nowS: T0 });
    const token = await signWith(ec.privateKey, claims(), { alg: "ES256", kid: "ec-1" });
    await expect(verifier.verify(token)).resolves.toEqual({ customerId: "customer-1" });
  });

  it("checks a repeated token's signature once, while it is cached", async () => {
    const { verifier, lookups } = verifierAt({ nowS: T0 });
    const token = await rs256();
    for (let i = 0; i < 5; i += 1) await verifier.verify(token);
    expect(lookups()).toBe(1);
  });

  it("checks every time with the cache off (size 0)", async () => {
    const { verifier, lookups } = verifierAt({ nowS: T0 }, 0);
    const token = await rs256();
    for (let i = 0; i < 3; i += 1) await verifier.verify(token);
    expect(lookups()).toBe(3);
  });

  it("never serves a cached token past its exp", async () => {
    const clock = { nowS: T0 };
    const { verifier, lookups } = verifierAt(clock);
    const token = await rs256({ exp: T0 + 10 });
    await verifier.verify(token);
    clock.nowS = T0 + 9;
    await verifier.verify(token);
    expect(lookups()).toBe(1);
    // Past exp the cache has forgotten it; within the 5 s tolerance the signature check passes.
    clock.nowS = T0 + 11;
    await verifier.verify(token);
    expect(lookups()).toBe(2);
    clock.nowS = T0 + 16;
    await expect(verifier.verify(token)).rejects.toThrow(InvalidTokenError);
  });

  it("keeps at most cacheSize tokens, dropping the least recently used", async () => {
    const { verifier, lookups } = verifierAt({ nowS: T0 }, 2);
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((sub) => rs256({ sub })));
    for (const token of [a!, b!, c!]) await verifier.verify(token);
    await verifier.verify(c!);
    await verifier.verify(b!);
    expect(lookups()).toBe(3);
    await verifier.verify(a!);
    expect(lookups()).toBe(4);
  });

  it("does not cache a refused token", async () => {
    const { verifier, lookups } = verifierAt({ nowS: T0 });
    const token = await rs256({ aud: "elsewhere" });
    await expect(verifier.verify(token)).rejects.toThrow(InvalidTokenError);
    await expect(verifier.verify(token)).rejects.toThrow(InvalidTokenError);
    expect(lookups()).toBe(2);
  });

  it.each([
    ["RS384", { alg: "RS384" }],
    ["PS256", { alg: "PS256" }],
  ])("refuses %s, which is not on the allow-list", async (_alg, header) => {
    const { verifier } = verifierAt({ nowS: T0 });
    const token = await signWith(rsa.privateKey, claims(), { ...header, kid: rsa.kid });
    await expect(verifier.verify(token)).rejects.toMatchObject({
      name: "InvalidTokenError",
      reason: "ERR_JOSE_ALG_NOT_ALLOWED",
    });
  });

  it("refuses a token longer than 8192 characters without checking it", async () => {
    const { verifier, lookups } = verifierAt({ nowS: T0 });
    await expect(verifier.verify(`${await rs256()}${"a".repeat(8192)}`)).rejects.toMatchObject({
      reason: "token too long",
    });
    expect(lookups()).toBe(0);
  });

  it("checks a token of exactly 8192 characters", async () => {
    const { verifier, lookups } = verifierAt({ nowS: T0 });
    const token = `${await rs256()}`;
    const padded = `${token}${"a".repeat(8192 - token.length)}`;
    expect(padded).toHaveLength(8192);
    await expect(verifier.verify(padded)).rejects.toMatchObject({
      name: "InvalidTokenError",
      reason: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    });
    expect(lookups()).toBe(1);
  });

  it("says why in its message, for the logs", () => {
    expect(new InvalidTokenError("token too long")).toMatchObject({
      name: "InvalidTokenError",
      message: "invalid bearer token: token too long",
    });
  });

  it.each([
    ["sub", { sub: undefined }],
    ["exp", { exp: undefined }],
  ])("refuses a token without %s", async (_claim, overrides) => {
    const { verifier } = verifierAt({ nowS: T0 });
    await expect(verifier.verify(await rs256(overrides))).rejects.toMatchObject({
      name: "InvalidTokenError",
      reason: "ERR_JWT_CLAIM_VALIDATION_FAILED",
    });
  });

  it.each(["..", "customer 1", "c".repeat(129), ""])(
    "refuses a sub that is no usable customer id: %j",
    async (sub) => {
      const { verifier } = verifierAt({ nowS: T0 });
      await expect(verifier.verify(await rs256({ sub }))).rejects.toMatchObject({
        name: "InvalidTokenError",
        reason: "sub is not a usable customer id",
      });
    },
  );

  it("lets KeySetUnavailableError through: the keys, not the token, are the problem", async () => {
    const unavailable = new KeySetUnavailableError();
    const { verifier } = verifierAt({ nowS: T0 }, 100, () => Promise.reject(unavailable));
    await expect(verifier.verify(await rs256())).rejects.toBe(unavailable);
  });

  it("refuses a token whose key lookup failed otherwise, naming the failure", async () => {
    const { verifier } = verifierAt({ nowS: T0 }, 100, () =>
      Promise.reject(new TypeError("x is not a function")),
    );
    await expect(verifier.verify(await rs256())).rejects.toMatchObject({
      name: "InvalidTokenError",
      reason: "TypeError",
    });
  });

  it("refuses a token whose key lookup threw something that is not an error", async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    const { verifier } = verifierAt({ nowS: T0 }, 100, () => Promise.reject("no key"));
    await expect(verifier.verify(await rs256())).rejects.toMatchObject({
      name: "InvalidTokenError",
      reason: "unknown",
    });
  });

  it("does not cache a token verified at its exp (in the tolerance): its cache life is over", async () => {
    const clock = { nowS: T0 + 60 };
    const { verifier, lookups } = verifierAt(clock);
    const token = await rs256(); // exp T0 + 60
    await expect(verifier.verify(token)).resolves.toEqual({ customerId: "customer-1" });
    await expect(verifier.verify(token)).resolves.toEqual({ customerId: "customer-1" });
    expect(lookups()).toBe(2);
    clock.nowS = T0 + 66; // past the tolerance: a cached copy would still be served
    await expect(verifier.verify(token)).rejects.toMatchObject({
      reason: "ERR_JWT_EXPIRED",
    });
  });
});
