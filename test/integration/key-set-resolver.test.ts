// The identity provider's key set over real HTTP: cached, refetched on rotation, served stale
// when a refresh fails, and never asked more than once per cooldown while it is failing.
import { createServer } from "node:http";
import { errors, jwtVerify } from "jose";
import { KeySetResolver, KeySetUnavailableError } from "../../src/auth/key-set-resolver";
import { generateSigningKey } from "../../src/fakes/signing-key-ring";
import { listen } from "../../src/http/server";
import { createLogger } from "../../src/infra/logger";
import {
  startFakeIdentityProvider,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type RunningIdentityProvider,
} from "../support/fake-upstreams";
import { LogCapture } from "../support/log-capture";
import { claimsFor, signWith } from "../support/test-tokens";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("KeySetResolver", () => {
  let idp: RunningIdentityProvider;
  beforeAll(async () => {
    idp = await startFakeIdentityProvider();
  });
  afterAll(() => idp.close());
  afterEach(() => idp.faults.reset());

  const tokenFrom = (key = idp.keys.current) =>
    signWith(key.privateKey, claimsFor("customer-1"), { alg: "RS256", kid: key.kid });
  const verify = async (resolver: KeySetResolver, token: string) =>
    (await jwtVerify(token, resolver.getKey, { issuer: TEST_ISSUER, audience: TEST_AUDIENCE }))
      .payload.sub;
  const jwksFetches = () => idp.faults.calls;

  it("fetches the key set once for many verifications", async () => {
    const resolver = new KeySetResolver({ jwksUrl: idp.jwksUrl, timeoutMs: 500, cooldownMs: 0 });
    const before = jwksFetches();
    const token = await tokenFrom();
    for (let i = 0; i < 5; i += 1) expect(await verify(resolver, token)).toBe("customer-1");
    expect(jwksFetches() - before).toBe(1);
  });

  it("serves the last key set when a refresh past its max age fails", async () => {
    const resolver = new KeySetResolver({
      jwksUrl: idp.jwksUrl,
      timeoutMs: 300,
      cooldownMs: 1000,
      maxAgeMs: 50,
    });
    const token = await tokenFrom();
    await verify(resolver, token);
    await pause(80);
    idp.faults.update({ down: true });
    expect(await verify(resolver, token)).toBe("customer-1");
  });

  it("asks a failing provider once per cooldown, not once per verification, and warns once", async () => {
    const logs = new LogCapture();
    const resolver = new KeySetResolver({
      jwksUrl: idp.jwksUrl,
      timeoutMs: 300,
      cooldownMs: 60_000,
      maxAgeMs: 50,
      logger: createLogger({ level: "info", destinations: [logs], stdout: false }),
    });
    const token = await tokenFrom();
    await verify(resolver, token);
    await pause(80);
    idp.faults.update({ errorRate: 1, errorStatus: 503 });
    const before = jwksFetches();
    for (let i = 0; i < 10; i += 1) expect(await verify(resolver, token)).toBe("customer-1");
    expect(jwksFetches() - before).toBe(1);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "identity provider's key set could not be fetched",
        servingKnownKeys: true,
      }),
    ]);
  });

  it("throws KeySetUnavailableError when it never got a key set", async () => {
    idp.faults.update({ down: true });
    const resolver = new KeySetResolver({ jwksUrl: idp.jwksUrl, timeoutMs: 300, cooldownMs: 0 });
    await expect(verify(resolver, await tokenFrom())).rejects.toThrow(KeySetUnavailableError);
  });

  it("refuses to follow a redirect, even to the real key set", async () => {
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: idp.jwksUrl }).end();
    });
    const port = await listen(redirector, 0);
    try {
      const resolver = new KeySetResolver({
        jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
        timeoutMs: 300,
        cooldownMs: 0,
      });
      const before = jwksFetches();
      await expect(verify(resolver, await tokenFrom())).rejects.toThrow(KeySetUnavailableError);
      expect(jwksFetches() - before).toBe(0);
    } finally {
      redirector.close();
    }
  });

  it("refetches when a token names a key it does not know (rotation)", async () => {
    const resolver = new KeySetResolver({ jwksUrl: idp.jwksUrl, timeoutMs: 500, cooldownMs: 0 });
    await verify(resolver, await tokenFrom());
    idp.keys.rotate();
    expect(await verify(resolver, await tokenFrom())).toBe("customer-1");
  });

  it("does not refetch for an unknown key id within the cooldown", async () => {
    const resolver = new KeySetResolver({
      jwksUrl: idp.jwksUrl,
      timeoutMs: 500,
      cooldownMs: 60_000,
    });
    await verify(resolver, await tokenFrom());
    const before = jwksFetches();
    const stranger = generateSigningKey();
    for (let i = 0; i < 5; i += 1) {
      await expect(verify(resolver, await tokenFrom(stranger))).rejects.toMatchObject({
        code: "ERR_JWKS_NO_MATCHING_KEY",
      });
    }
    expect(jwksFetches() - before).toBe(0);
  });

  it("says what is unavailable, keeping why", () => {
    const cause = new Error("connect ECONNREFUSED");
    expect(new KeySetUnavailableError({ cause })).toMatchObject({
      name: "KeySetUnavailableError",
      message: "The identity provider's signing keys are unavailable",
      cause,
    });
  });

  it("keeps answering KeySetUnavailableError, with the fetch's failure, while a provider it never reached stays down", async () => {
    idp.faults.update({ down: true });
    const resolver = new KeySetResolver({
      jwksUrl: idp.jwksUrl,
      timeoutMs: 300,
      cooldownMs: 60_000,
    });
    const token = await tokenFrom();
    for (let i = 0; i < 2; i += 1) {
      const refusal = await verify(resolver, token).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(KeySetUnavailableError);
      // undici's, from another realm than jest's Error: matched by name and message.
      expect((refusal as Error).cause).toMatchObject({
        name: "TypeError",
        message: "fetch failed",
      });
    }
  });

  it("asks the provider again exactly one cooldown after a failed fetch, serving known keys until then", async () => {
    let nowMs = 0;
    const resolver = new KeySetResolver({
      jwksUrl: idp.jwksUrl,
      timeoutMs: 300,
      cooldownMs: 1000,
      maxAgeMs: 50,
      now: () => nowMs,
    });
    const token = await tokenFrom();
    await verify(resolver, token);
    await pause(80); // past the key set's max age: the next verification fetches it again
    idp.faults.update({ down: true });
    expect(await verify(resolver, token)).toBe("customer-1"); // the fetch fails at 0 ms
    idp.faults.reset();
    const before = jwksFetches();

    nowMs = 999;
    expect(await verify(resolver, token)).toBe("customer-1");
    expect(jwksFetches() - before).toBe(0);
    nowMs = 1000;
    expect(await verify(resolver, token)).toBe("customer-1");
    expect(jwksFetches() - before).toBe(1);
  });

  /** A resolver whose keys are past their age, with the provider down since it fetched them. */
  async function resolverWithStaleKeys() {
    const resolver = new KeySetResolver({
      jwksUrl: idp.jwksUrl,
      timeoutMs: 300,
      cooldownMs: 60_000,
      maxAgeMs: 50,
    });
    await verify(resolver, await tokenFrom());
    await pause(80);
    idp.faults.update({ down: true });
    return resolver;
  }

  describe("a key the last key set does not hold, while the provider is down", () => {
    it("is KeySetUnavailableError (maybe a new key), caused by the failed fetch", async () => {
      const resolver = await resolverWithStaleKeys();
      const refusal = await verify(resolver, await tokenFrom(generateSigningKey())).catch(
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(KeySetUnavailableError);
      expect((refusal as Error).cause).toMatchObject({
        name: "TypeError",
        message: "fetch failed",
      });
    });

    it("is KeySetUnavailableError within the cooldown too, caused by the missing key", async () => {
      const resolver = await resolverWithStaleKeys();
      const stranger = generateSigningKey();
      await verify(resolver, await tokenFrom(stranger)).catch(() => undefined);
      const refusal = await verify(resolver, await tokenFrom(stranger)).catch(
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(KeySetUnavailableError);
      expect((refusal as Error).cause).toBeInstanceOf(errors.JWKSNoMatchingKey);
    });
  });

  it("passes on what the last key set says about the token itself (two keys fit, none named)", async () => {
    idp.keys.rotate(); // two RS256 keys published
    const resolver = await resolverWithStaleKeys();
    const withoutKid = await signWith(idp.keys.current.privateKey, claimsFor("customer-1"), {
      alg: "RS256",
    });
    await expect(verify(resolver, withoutKid)).rejects.toBeInstanceOf(
      errors.JWKSMultipleMatchingKeys,
    );
  });
});
