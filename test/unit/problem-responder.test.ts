// The app's one error handler, as a client and pino-http see it: the problem+json that
// src/http/problem.ts chose, the request id, headers set earlier kept, and `res.err` set for
// exactly the answers that must be logged at error level with their stack.
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import request from "supertest";
import { ServiceUnavailableError } from "../../src/errors";
import { HttpProblem } from "../../src/http/problem";
import { problemResponder } from "../../src/http/problem-responder";

/** An app whose one route fails with `failure`, recording what pino-http would log as `err`. */
function appFailingWith(failure: RequestHandler) {
  const logged: { err?: unknown }[] = [];
  const app = express();
  app.use((req, res, next) => {
    (req as { id?: string }).id = "req-7";
    res.set("RateLimit-Policy", '"per-caller";q=600;w=60');
    res.on("finish", () => logged.push({ err: (res as { err?: unknown }).err }));
    next();
  });
  app.get("/fails", failure);
  app.use(problemResponder());
  return { app, logged };
}

const throwing =
  (error: unknown): RequestHandler =>
  () => {
    throw error;
  };

describe("the problem responder", () => {
  it("answers problem+json with the request id, keeping the headers set before the failure", async () => {
    const { app } = appFailingWith(
      throwing(new HttpProblem(404, "No order with id x", undefined, {}, { "X-Extra": "1" })),
    );
    const response = await request(app).get("/fails").expect(404);
    expect(response.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(response.headers["ratelimit-policy"]).toBe('"per-caller";q=600;w=60');
    expect(response.headers["x-extra"]).toBe("1");
    expect(response.body).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      detail: "No order with id x",
      requestId: "req-7",
    });
  });

  it("hands an unexpected error to the request log, stack and all", async () => {
    const bug = new TypeError("Cannot read properties of undefined");
    const { app, logged } = appFailingWith(throwing(bug));
    const response = await request(app).get("/fails").expect(500);
    expect(response.body.detail).toBe("An unexpected error occurred; it has been logged");
    expect(response.text).not.toContain("Cannot read properties");
    expect(logged).toEqual([{ err: bug }]);
  });

  it.each<[string, unknown, number]>([
    ["an expected 503", new ServiceUnavailableError("payment-service", "down", 5), 503],
    ["an explicit 500", new HttpProblem(500, "broken on purpose"), 500],
  ])("logs %s at error level too", async (_what, error, status) => {
    const { app, logged } = appFailingWith(throwing(error));
    await request(app).get("/fails").expect(status);
    expect(logged).toEqual([{ err: error }]);
  });

  it.each<[string, unknown, number]>([
    ["a 404", new HttpProblem(404, "no such order"), 404],
    ["a 499", new HttpProblem(499, "client closed request"), 499],
    ["a 429", new HttpProblem(429, "slow down"), 429],
  ])(
    "does not log the caller's own fault (%s) as an error of ours",
    async (_what, error, status) => {
      const { app, logged } = appFailingWith(throwing(error));
      await request(app).get("/fails").expect(status);
      expect(logged).toEqual([{ err: undefined }]);
    },
  );

  it("answers a thrown non-error (a string) with a 500 problem", async () => {
    const { app } = appFailingWith(throwing("boom"));
    const response = await request(app).get("/fails").expect(500);
    expect(response.body).toMatchObject({ status: 500, requestId: "req-7" });
  });

  it("answers a promise rejected with null with a 500 problem", async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    const { app } = appFailingWith(() => Promise.reject(null));
    const response = await request(app).get("/fails").expect(500);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 500, requestId: "req-7" });
  });

  it("leaves an error after the headers went out to Express, which can only end the answer", async () => {
    const boom = new Error("failed half-way through the body");
    const seen: unknown[] = [];
    const app = express();
    app.get("/streams", (_req, res, next) => {
      res.status(200).write("partial");
      next(boom);
    });
    app.use(problemResponder());
    const last: ErrorRequestHandler = (error, _req, res, _next) => {
      seen.push(error);
      res.end();
    };
    app.use(last);

    const response = await request(app).get("/streams").expect(200);

    expect(response.text).toBe("partial");
    expect(seen).toEqual([boom]);
  });
});
