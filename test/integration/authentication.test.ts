// Who may call /orders: a bearer token the identity provider signed, for this service, still
// valid. Everything else is one 401 that tells an attacker nothing (RFC 6750), and an identity
// provider that cannot be reached is a 503, never a 500 and never a hang.
import { randomUUID } from "node:crypto";
import request from "supertest";
import { generateSigningKey } from "../../src/fakes/signing-key-ring";
import { startTestStack, type TestStack } from "../support/test-stack";
import { bearer, claimsFor, inSeconds, signWith, unsecuredToken } from "../support/test-tokens";

const INVALID = 'Bearer realm="orders", error="invalid_token"';

async function expectInvalidToken(stack: TestStack, authorization: string): Promise<void> {
  const response = await request(stack.app)
    .get(`/orders/${randomUUID()}`)
    .set("Authorization", authorization)
    .expect(401)
    .expect("content-type", /application\/problem\+json/)
    .expect("www-authenticate", INVALID);
  // The same words whatever was wrong: which check failed would only help an attacker.
  expect(response.body).toEqual({
    type: "https://problems.order-service.dev/invalid-token",
    title: "Unauthorized",
    status: 401,
    detail: "The bearer token is not valid",
    requestId: expect.any(String),
  });
}

describe("authentication of /orders", () => {
  let stack: TestStack;
  beforeAll(async () => {
    // No cooldown between key-set fetches, so the rotation test needs no wait.
    stack = await startTestStack({ AUTH_JWKS_COOLDOWN_MS: "0" });
  });
  afterAll(() => stack.close());
  afterEach(() => stack.identity.faults.reset());

  const signed = (claims = claimsFor("customer-a")) =>
    signWith(stack.identity.keys.current.privateKey, claims, {
      alg: "RS256",
      kid: stack.identity.keys.current.kid,
    });

  it("lets a token from the identity provider through, as the customer it names", async () => {
    const response = await request(stack.app)
      .get("/orders")
      .set(await stack.as("customer-a"))
      .expect(200);
    expect(response.body).toEqual({ orders: [], nextCursor: null });
  });

  it("answers 401 with WWW-Authenticate: Bearer and no error code when no token is sent", async () => {
    const response = await request(stack.app)
      .post("/orders")
      .send({ items: [{ productId: "sku-mug", quantity: 1 }], paymentToken: "tok_visa" })
      .expect(401)
      .expect("content-type", /application\/problem\+json/)
      .expect("www-authenticate", 'Bearer realm="orders"');
    expect(response.body).toMatchObject({ status: 401, title: "Unauthorized" });
    expect(await stack.pool.query("SELECT 1 FROM orders")).toHaveProperty("rowCount", 0);
  });

  it.each([
    ["a garbage string", "Bearer not-a-jwt"],
    ["an empty bearer", "Bearer "],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["three dots", "Bearer ..."],
  ])("answers 401 invalid_token for %s", async (_what, authorization) => {
    await expectInvalidToken(stack, authorization);
  });

  it("answers 401 for alg none, even under a key id it knows", async () => {
    const token = unsecuredToken(claimsFor("customer-a"), stack.identity.keys.current.kid);
    await expectInvalidToken(stack, `Bearer ${token}`);
  });

  it("answers 401 for HS256 signed with the provider's public key as the secret", async () => {
    const publicJwk = stack.identity.keys.current.publicJwk;
    for (const secret of [JSON.stringify(publicJwk), publicJwk.n!]) {
      const token = await signWith(new TextEncoder().encode(secret), claimsFor("customer-a"), {
        alg: "HS256",
        kid: publicJwk.kid,
      });
      await expectInvalidToken(stack, `Bearer ${token}`);
    }
  });

  it("answers 401 for a token signed by a foreign key under a key id it knows", async () => {
    const token = await signWith(generateSigningKey().privateKey, claimsFor("customer-a"), {
      alg: "RS256",
      kid: stack.identity.keys.current.kid,
    });
    await expectInvalidToken(stack, `Bearer ${token}`);
  });

  it.each([
    ["expired beyond the clock tolerance", { exp: inSeconds(-30) }],
    ["not valid before a time beyond the clock tolerance", { nbf: inSeconds(60) }],
    ["from another issuer", { iss: "https://attacker.example/" }],
    ["for another audience", { aud: "some-other-service" }],
    ["without an expiry", { exp: undefined }],
    ["without a subject", { sub: undefined }],
    ["with a subject that is no customer id", { sub: "../admin" }],
  ])("answers 401 for a token %s", async (_what, overrides) => {
    await expectInvalidToken(stack, `Bearer ${await signed(claimsFor("customer-a", overrides))}`);
  });

  it("accepts a token that expired within the clock tolerance (5 s)", async () => {
    const token = await signed(claimsFor("customer-a", { exp: inSeconds(-2) }));
    await request(stack.app).get("/orders").set(bearer(token)).expect(200);
  });

  it("needs no token for the probes", async () => {
    await request(stack.app).get("/health/live").expect(200);
    await request(stack.app).get("/health/ready").expect(200);
  });

  it("accepts a token signed with a rotated-in key without a restart", async () => {
    await request(stack.app)
      .get("/orders")
      .set(await stack.as("customer-a"))
      .expect(200);
    const { kid } = (await fetch(`${stack.identity.url}/_control/rotate-key`, {
      method: "POST",
    }).then((answer) => answer.json())) as { kid: string };
    expect(stack.identity.keys.current.kid).toBe(kid);
    const token = await signed(claimsFor("customer-rotated"));
    await request(stack.app).get("/orders").set(bearer(token)).expect(200);
  });

  it("never writes a token into a log line", async () => {
    const token = await signed(claimsFor("customer-logged"));
    const before = stack.logs.lines.length;
    await request(stack.app).get(`/orders/${randomUUID()}`).set(bearer(token)).expect(404);
    await request(stack.app)
      .get(`/orders/${randomUUID()}`)
      .set(bearer(`${token}x`))
      .expect(401);
    const [, payload, signature] = token.split(".");
    const written = stack.logs.lines.slice(before).join("\n");
    expect(written).toContain("bearer token refused");
    expect(written).not.toContain(payload);
    expect(written).not.toContain(signature);
  });
});

describe("authentication while the identity provider is unreachable", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ AUTH_JWKS_COOLDOWN_MS: "0", AUTH_JWKS_TIMEOUT_MS: "300" });
  });
  afterAll(() => stack.close());
  afterEach(() => stack.identity.faults.reset());

  it("answers 503 + Retry-After within the fetch timeout when it hangs and no key is cached", async () => {
    // Faults apply to its token endpoint too: take the token first.
    const caller = await stack.as("customer-b");
    stack.identity.faults.update({ latencyMs: 5000 });
    const started = performance.now();
    const response = await request(stack.app)
      .get("/orders")
      .set(caller)
      .expect(503)
      .expect("content-type", /application\/problem\+json/);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(response.headers["retry-after"]).toBe("5");
    expect(response.body).toMatchObject({
      status: 503,
      type: "https://problems.order-service.dev/dependency-unavailable",
    });
  });

  it("answers 503 when its connections are reset", async () => {
    const caller = await stack.as("customer-b");
    stack.identity.faults.update({ down: true });
    await request(stack.app).get("/orders").set(caller).expect(503);
  });

  it("answers 503 when it answers with something other than a key set", async () => {
    const caller = await stack.as("customer-b");
    stack.identity.faults.update({ errorRate: 1, errorStatus: 500 });
    await request(stack.app).get("/orders").set(caller).expect(503);
  });

  it("goes on verifying with keys it already holds, and refuses forged tokens meanwhile", async () => {
    await request(stack.app)
      .get("/orders")
      .set(await stack.as("customer-b"))
      .expect(200);
    stack.identity.faults.update({ down: true });
    const fresh = await signWith(stack.identity.keys.current.privateKey, claimsFor("customer-c"), {
      alg: "RS256",
      kid: stack.identity.keys.current.kid,
    });
    await request(stack.app).get("/orders").set(bearer(fresh)).expect(200);
    const forged = await signWith(generateSigningKey().privateKey, claimsFor("customer-c"), {
      alg: "RS256",
      kid: stack.identity.keys.current.kid,
    });
    await request(stack.app).get("/orders").set(bearer(forged)).expect(401);
  });

  it("answers 503 for a key id it does not hold yet (it may be a new key)", async () => {
    await request(stack.app)
      .get("/orders")
      .set(await stack.as("customer-b"))
      .expect(200);
    stack.identity.faults.update({ down: true });
    const unknownKey = generateSigningKey();
    const token = await signWith(unknownKey.privateKey, claimsFor("customer-d"), {
      alg: "RS256",
      kid: unknownKey.kid,
    });
    await request(stack.app).get("/orders").set(bearer(token)).expect(503);
  });
});
