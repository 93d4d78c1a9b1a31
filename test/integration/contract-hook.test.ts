// The contract check is on for every integration test (jest.config.js: setupFilesAfterEnv),
// and it fails the request that broke the contract: these would pass if the hook were off.
import express, { type Express } from "express";
import request from "supertest";
import { putUnderContract } from "../support/contract-registry";

const REQUEST_ID = "contract-hook-test";

/** A stand-in for the service that answers whatever the test tells it to. */
function appAnswering(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Express {
  const app = express();
  app.use((_req, res) => {
    res
      .status(status)
      .set({ "X-Request-Id": REQUEST_ID, ...headers })
      .json(body);
  });
  return app;
}

describe("the contract check on supertest answers", () => {
  it("fails a request answered with a status the document does not list for it", async () => {
    const app = appAnswering(418, { status: "ok" }, { "Cache-Control": "no-store" });
    putUnderContract(app);
    await expect(request(app).get("/health/live").expect(418)).rejects.toThrow(
      "GET /health/live answered 418, a status the document does not list for it (it lists 200, 500)",
    );
  });

  it("fails a request whose body does not match the documented schema", async () => {
    const app = appAnswering(200, { status: "fine" }, { "Cache-Control": "no-store" });
    putUnderContract(app);
    await expect(request(app).get("/health/live")).rejects.toThrow(
      /GET \/health\/live answered 200, not as documented:\n.*body\/status must be equal to constant/,
    );
  });

  it("fails a request whose answer lacks a required header", async () => {
    const app = appAnswering(200, { status: "ok" });
    putUnderContract(app);
    await expect(request(app).get("/health/live")).rejects.toThrow(
      "the required header Cache-Control is missing",
    );
  });

  it("holds a method and path the document does not list to x-unmatched-requests", async () => {
    const app = appAnswering(200, { anything: true });
    putUnderContract(app);
    await expect(request(app).put("/nowhere")).rejects.toThrow(
      "PUT /nowhere (no such operation: held to x-unmatched-requests) answered 200",
    );
  });

  it("lets a documented answer through to the test's own expectations", async () => {
    const app = appAnswering(200, { status: "ok" }, { "Cache-Control": "no-store" });
    putUnderContract(app);
    await request(app).get("/health/live").expect(200, { status: "ok" });
  });

  it("leaves apps that are not under contract (the fake upstreams) alone", async () => {
    await request(appAnswering(418, { status: "fine" }))
      .get("/health/live")
      .expect(418);
  });
});
