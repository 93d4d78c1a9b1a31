// The development identity provider (src/fakes/identity-provider*.ts) over real HTTP: what it
// publishes, what it signs, what it refuses, how it rotates, and that its entry point will not
// run in production (it signs a token for anyone who asks).
import { spawn } from "node:child_process";
import type { Server } from "node:http";
import path from "node:path";
import { createInterface } from "node:readline";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
} from "jose";
import { FaultInjector } from "../../src/fakes/fault-injection";
import { createIdentityProviderApp, JWKS_PATH } from "../../src/fakes/identity-provider-app";
import { SigningKeyRing } from "../../src/fakes/signing-key-ring";
import { createHttpServer, listen } from "../../src/http/server";
import { cleanEnvironment } from "../support/clean-environment";

const ISSUER = "urn:order-service:idp-under-test";
const AUDIENCE = "order-service-under-test";
const TOKEN_TTL_S = 600;

/** The members that make a JWK private (RFC 7518 section 6: RSA, EC and symmetric keys). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

let server: Server;
let base: string;
const keys = new SigningKeyRing();
const faults = new FaultInjector();

beforeAll(async () => {
  const app = createIdentityProviderApp({
    issuer: ISSUER,
    audience: AUDIENCE,
    tokenTtlS: TOKEN_TTL_S,
    keys,
    faults,
  });
  server = createHttpServer(app);
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);

afterEach(() => faults.reset());

async function fetchJwks(): Promise<JSONWebKeySet> {
  const response = await fetch(base + JWKS_PATH);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as JSONWebKeySet;
}

function requestToken(body: string, contentType = "application/json") {
  return fetch(`${base}/token`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
}

async function tokenFor(customerId: string): Promise<string> {
  const response = await requestToken(JSON.stringify({ customerId }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const verify = (token: string, jwks: JSONWebKeySet) =>
  jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ["RS256"],
  });

describe("GET /.well-known/jwks.json", () => {
  it("publishes the public half of its signing key only", async () => {
    const jwks = await fetchJwks();
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toMatchObject({
      kty: "RSA",
      kid: keys.current.kid,
      alg: "RS256",
      use: "sig",
      e: expect.any(String),
      n: expect.any(String),
    });
    for (const member of PRIVATE_MEMBERS) {
      expect([member, Object.hasOwn(key!, member)]).toEqual([member, false]);
    }
  });
});

describe("POST /token", () => {
  it("signs an RS256 token for the customer that verifies against its JWKS", async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await requestToken(JSON.stringify({ customerId: "c-42" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store"); // RFC 6749 section 5.1
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: TOKEN_TTL_S,
    });

    const token = answer.access_token as string;
    expect(decodeProtectedHeader(token)).toEqual({
      alg: "RS256",
      kid: keys.current.kid,
      typ: "JWT",
    });
    const { payload } = await verify(token, await fetchJwks());
    expect(payload).toMatchObject({ sub: "c-42", iss: ISSUER, aud: AUDIENCE });
    expect(payload.exp! - payload.iat!).toBe(TOKEN_TTL_S);
    expect(payload.iat!).toBeGreaterThanOrEqual(before);
    expect(payload.iat!).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("signs for its own issuer and audience only: another audience does not verify", async () => {
    const token = await tokenFor("c-43");
    await expect(
      jwtVerify(token, createLocalJWKSet(await fetchJwks()), { audience: "someone-else" }),
    ).rejects.toThrow(errors.JWTClaimValidationFailed);
  });

  it.each([
    ["an empty customerId", JSON.stringify({ customerId: "" })],
    ["a customerId of '..'", JSON.stringify({ customerId: ".." })],
    ["a customerId with a slash", JSON.stringify({ customerId: "c/42" })],
    ["a customerId with a NUL", JSON.stringify({ customerId: "c-42\u0000" })],
    ["a customerId of 129 characters", JSON.stringify({ customerId: "c".repeat(129) })],
    ["a numeric customerId", JSON.stringify({ customerId: 42 })],
    ["no customerId", JSON.stringify({})],
    ["an unknown member", JSON.stringify({ customerId: "c-42", admin: true })],
    ["a JSON array", JSON.stringify([{ customerId: "c-42" }])],
    ["a body that is not JSON", "customerId=c-42"],
    ["truncated JSON", '{"customerId":"c-42"'],
  ])("answers %s with 400 and an OAuth error, and no token", async (_case, body) => {
    const response = await requestToken(body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as Record<string, unknown>;
    expect(answer).toEqual({ error: "invalid_request", error_description: expect.any(String) });
  });

  it("answers a form-encoded body (not JSON) with 400 invalid_request", async () => {
    const response = await requestToken("customerId=c-42", "application/x-www-form-urlencoded");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });
});

describe("POST /_control/rotate-key", () => {
  it("signs with a new key from then on and keeps the previous one published", async () => {
    const oldKid = keys.current.kid;
    const oldToken = await tokenFor("c-44");

    const rotated = await fetch(`${base}/_control/rotate-key`, { method: "POST" });
    expect(rotated.status).toBe(200);
    const { kid: newKid } = (await rotated.json()) as { kid: string };
    expect(newKid).not.toBe(oldKid);

    const jwks = await fetchJwks();
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    const newToken = await tokenFor("c-44");
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    // A token signed before the rotation stays valid until it expires.
    expect((await verify(oldToken, jwks)).payload.sub).toBe("c-44");
    expect((await verify(newToken, jwks)).payload.sub).toBe("c-44");

    // Only the previous key is kept: after a second rotation the first one is gone.
    await fetch(`${base}/_control/rotate-key`, { method: "POST" });
    const later = await fetchJwks();
    expect(later.keys.map((key) => key.kid)).toEqual([keys.current.kid, newKid]);
    await expect(verify(oldToken, later)).rejects.toThrow(errors.JWKSNoMatchingKey);
  });

  it("rotates even while the provider is told to be down (a /_control route)", async () => {
    await fetch(`${base}/_control`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect((await fetch(base + JWKS_PATH)).status).toBe(503);
    const rotated = await fetch(`${base}/_control/rotate-key`, { method: "POST" });
    expect(rotated.status).toBe(200);
  });
});

describe("the entry point (src/fakes/identity-provider.ts)", () => {
  const root = path.resolve(__dirname, "../..");

  /** `tsx src/fakes/identity-provider.ts` with only the given variables (and PATH, HOME, ...). */
  function start(env: Record<string, string>) {
    const child = spawn(
      path.join(root, "node_modules/.bin/tsx"),
      ["src/fakes/identity-provider.ts"],
      { cwd: root, env: cleanEnvironment({ PORT: "0", LOG_LEVEL: "info", ...env }) },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const stdout = createInterface({ input: child.stdout });
    const lines: string[] = [];
    stdout.on("line", (line) => lines.push(line));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    return { child, lines, stdout, exited, stderr: () => stderr };
  }

  it.each([
    ["NODE_ENV=production", { NODE_ENV: "production" }],
    // The fakes default to production, as the image does: no NODE_ENV is no licence.
    ["NODE_ENV unset", {}],
  ])("refuses to start with %s: exit 1 and why, on stderr", async (_case, env) => {
    const run = start(env);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toBe(
      "fake-identity-provider: refusing to start with NODE_ENV=production: " +
        "it signs a token for anyone who asks\n",
    );
    expect(run.lines).toEqual([]); // never listened
  });

  it("starts with NODE_ENV=development and serves its JWKS", async () => {
    const run = start({ NODE_ENV: "development" });
    try {
      const listening = await new Promise<{ port: number }>((resolve, reject) => {
        run.stdout.on("line", (line) => {
          const event = JSON.parse(line) as { msg?: string; port?: number };
          if (event.msg === "fake-identity-provider listening") resolve({ port: event.port! });
        });
        void run.exited.then((code) =>
          reject(new Error(`exited ${code} before listening: ${run.stderr()}`)),
        );
      });
      const response = await fetch(`http://127.0.0.1:${listening.port}${JWKS_PATH}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as JSONWebKeySet).keys).toHaveLength(1);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  });
});
