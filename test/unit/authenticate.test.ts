// Authentication at the HTTP edge (src/http/authenticate.ts) as a client sees it, with a
// verifier that answers what each test scripts: the real one is test/unit/auth's subject.
import express from "express";
import request from "supertest";
import { KeySetUnavailableError } from "../../src/auth/key-set-resolver";
import { InvalidTokenError, type Caller, type TokenVerifier } from "../../src/auth/token-verifier";
import { callerOf, identifyCaller, requireCaller } from "../../src/http/authenticate";
import { problemResponder } from "../../src/http/problem-responder";
import { createLogger } from "../../src/infra/logger";
import { LogCapture } from "../support/log-capture";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjLTEifQ.c2lnbmF0dXJl";

/** A verifier that accepts `TOKEN` for customer c-1, or fails the way the test says. */
function stubVerifier(failure?: Error) {
  const verified: string[] = [];
  const verifier = {
    verify: (token: string): Promise<Caller> => {
      verified.push(token);
      if (failure !== undefined) return Promise.reject(failure);
      if (token !== TOKEN) return Promise.reject(new InvalidTokenError("bad signature"));
      return Promise.resolve({ customerId: "c-1" });
    },
  };
  return { verifier: verifier as unknown as TokenVerifier, verified };
}

function appWith(failure?: Error) {
  const { verifier, verified } = stubVerifier(failure);
  const logs = new LogCapture();
  const logger = createLogger({ level: "debug", stdout: false, destinations: [logs] });
  const app = express();
  app.use(identifyCaller(verifier, logger));
  // What the rate limiter sees between the two steps.
  app.get("/identity", (_req, res) => {
    const authentication = res.locals.authentication;
    res.json(
      authentication && "caller" in authentication
        ? { caller: authentication.caller }
        : {
            refusal: authentication?.refusal.name,
            // Logged with the 503 (pino-http's `err`): which dependency failed.
            dependency: (authentication?.refusal as { dependency?: string }).dependency,
          },
    );
  });
  app.get("/orders", requireCaller(), (_req, res) => res.json(callerOf(res)));
  app.use(problemResponder());
  return { app, verified, logs };
}

const missingTokenAnswer = {
  type: "https://problems.order-service.dev/missing-token",
  title: "Unauthorized",
  status: 401,
  detail: "This request needs a bearer token (Authorization: Bearer <token>)",
};
const invalidTokenAnswer = {
  type: "https://problems.order-service.dev/invalid-token",
  title: "Unauthorized",
  status: 401,
  detail: "The bearer token is not valid",
};

describe("authentication", () => {
  it("lets a caller with a valid bearer token through, as the customer the token names", async () => {
    const { app, verified } = appWith();
    const response = await request(app)
      .get("/orders")
      .set("Authorization", `Bearer ${TOKEN}`)
      .expect(200);
    expect(response.body).toEqual({ customerId: "c-1" });
    expect(verified).toEqual([TOKEN]);
  });

  it("refuses a request without a token: 401 with a bare Bearer challenge", async () => {
    const { app, verified } = appWith();
    const response = await request(app).get("/orders").expect(401);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.headers["www-authenticate"]).toBe('Bearer realm="orders"');
    expect(response.body).toEqual(missingTokenAnswer);
    expect(verified).toEqual([]);
  });

  it("refuses a token the verifier refuses: 401 invalid_token, the reason only in the debug log", async () => {
    const { app, logs } = appWith();
    const response = await request(app)
      .get("/orders")
      .set("Authorization", "Bearer not-the-token")
      .expect(401);
    expect(response.headers["www-authenticate"]).toBe(
      'Bearer realm="orders", error="invalid_token"',
    );
    expect(response.body).toEqual(invalidTokenAnswer);
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "debug",
        msg: "bearer token refused",
        reason: "bad signature",
      }),
    ]);
    expect(logs.text).not.toContain("not-the-token");
  });

  it.each([
    ["another scheme", `Basic ${TOKEN}`],
    ["the scheme alone", "Bearer"],
    ["the scheme without a space", `Bearer${TOKEN}`],
    ["two tokens", `Bearer ${TOKEN} ${TOKEN}`],
    ["text before the scheme", `x Bearer ${TOKEN}`],
    ["a character no token68 has", `Bearer ${TOKEN}!`],
    ["padding inside the token", `Bearer ab=cd`],
  ])("refuses %s without asking the verifier", async (_what, header) => {
    const { app, verified, logs } = appWith();
    const response = await request(app).get("/orders").set("Authorization", header).expect(401);
    expect(response.body).toEqual(invalidTokenAnswer);
    expect(verified).toEqual([]);
    expect(logs.entries).toEqual([
      expect.objectContaining({ msg: "bearer token refused", reason: "not a bearer token" }),
    ]);
  });

  it.each([
    ["a lower-case scheme", `bearer ${TOKEN}`, TOKEN],
    ["several spaces around the token", `Bearer   ${TOKEN}  `, TOKEN],
    ["base64 padding at the end", "Bearer abc+/~._-==", "abc+/~._-=="],
  ])("reads the token from %s", async (_what, header, token) => {
    const { app, verified } = appWith();
    await request(app).get("/orders").set("Authorization", header);
    expect(verified).toEqual([token]);
  });

  it("answers 503 with Retry-After when the identity provider's keys are unavailable", async () => {
    const { app, logs } = appWith(new KeySetUnavailableError());
    const response = await request(app)
      .get("/orders")
      .set("Authorization", `Bearer ${TOKEN}`)
      .expect(503);
    expect(response.headers["retry-after"]).toBe("5");
    expect(response.headers).not.toHaveProperty("www-authenticate");
    expect(response.body).toEqual({
      type: "https://problems.order-service.dev/dependency-unavailable",
      title: "Service Unavailable",
      status: 503,
      detail: "Callers cannot be authenticated right now",
    });
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "debug",
        msg: "caller not authenticated: the identity provider's keys are unavailable",
      }),
    ]);
  });

  it("answers 500 for a verifier that fails in a way it should not", async () => {
    const { app } = appWith(new TypeError("x is not a function"));
    const response = await request(app)
      .get("/orders")
      .set("Authorization", `Bearer ${TOKEN}`)
      .expect(500);
    expect(response.body.detail).toBe("An unexpected error occurred; it has been logged");
  });

  describe("identifying the caller, before the rate limiter", () => {
    it("names the caller", async () => {
      const { app } = appWith();
      const response = await request(app)
        .get("/identity")
        .set("Authorization", `Bearer ${TOKEN}`)
        .expect(200);
      expect(response.body).toEqual({ caller: { customerId: "c-1" } });
    });

    it.each([
      ["no token", undefined, "HttpProblem"],
      ["a refused token", "Bearer nope", "HttpProblem"],
    ])(
      "lets a request with %s go on, holding the refusal for later",
      async (_what, header, name) => {
        const { app } = appWith();
        const call = request(app).get("/identity");
        const response = await (header ? call.set("Authorization", header) : call).expect(200);
        expect(response.body).toEqual({ refusal: name });
      },
    );

    it("lets a request go on while the keys are unavailable, holding a 503 for later", async () => {
      const { app } = appWith(new KeySetUnavailableError());
      const response = await request(app)
        .get("/identity")
        .set("Authorization", `Bearer ${TOKEN}`)
        .expect(200);
      expect(response.body).toEqual({
        refusal: "ServiceUnavailableError",
        dependency: "identity-provider",
      });
    });
  });

  it("refuses, behind requireCaller alone, a request nobody identified", async () => {
    const app = express();
    app.get("/orders", requireCaller(), (_req, res) => res.json(callerOf(res)));
    app.use(problemResponder());
    const response = await request(app).get("/orders").expect(401);
    expect(response.body).toEqual(missingTokenAnswer);
  });

  it("will not name a caller on a route requireCaller does not guard", () => {
    const misuse = "callerOf() used on a route that requireCaller() does not guard";
    const response = (locals: object) => ({ locals }) as unknown as express.Response;
    expect(() => callerOf(response({}))).toThrow(new Error(misuse));
    expect(() =>
      callerOf(response({ authentication: { refusal: new Error("no token") } })),
    ).toThrow(new Error(misuse));
  });
});
