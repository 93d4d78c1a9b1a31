// POST /orders under an Idempotency-Key (src/http/idempotent-order-placement.ts): what each
// kind of claim is answered, what is recorded for a retry, and when the key is given back.
// The store and the order service are stand-ins that record what they are asked; the real
// store against Postgres is test/integration/idempotency-store.test.ts's subject.
import express from "express";
import request from "supertest";
import { ProductNotFoundError, ServiceUnavailableError } from "../../src/errors";
import {
  IdempotentOrderPlacement,
  REPLAY_HEADER,
  requestFingerprint,
} from "../../src/http/idempotent-order-placement";
import { problemResponder } from "../../src/http/problem-responder";
import {
  ClaimLostError,
  type Claim,
  type IdempotencyClaim,
  type IdempotencyStore,
  type StoredResponse,
} from "../../src/idempotency/idempotency-store";
import { createLogger } from "../../src/infra/logger";
import type { Order, OrderRequest } from "../../src/orders/order";
import type { OrderService } from "../../src/orders/order-service";
import { LogCapture } from "../support/log-capture";

const body: OrderRequest = {
  customerId: "c-1",
  items: [{ productId: "sku-mug", quantity: 2 }],
  paymentToken: "tok_visa",
};
const claim: IdempotencyClaim = { customerId: "c-1", key: "key-1", token: "claim-token" };
const orderWith = (status: Order["status"]): Order => ({
  id: "0b7e6f3a-5d1c-4f2e-9a8b-1c2d3e4f5a6b",
  customerId: "c-1",
  status,
  totalCents: 2900,
  currency: "USD",
  items: [{ productId: "sku-mug", quantity: 2, unitPriceCents: 1450 }],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});

interface Script {
  claim: Claim;
  placed?: Order | Error;
  resumed?: Order | undefined;
  completeFails?: boolean;
  releaseFails?: boolean;
  onReplay?: boolean;
}

function appFor(script: Script) {
  const calls: unknown[][] = [];
  const store = {
    claim: (...args: unknown[]) => (calls.push(["claim", ...args]), Promise.resolve(script.claim)),
    complete: (...args: unknown[]) => {
      calls.push(["complete", ...args]);
      return script.completeFails
        ? Promise.reject(new Error("connection terminated"))
        : Promise.resolve(true);
    },
    release: (...args: unknown[]) => {
      calls.push(["release", ...args]);
      return script.releaseFails
        ? Promise.reject(new Error("connection terminated"))
        : Promise.resolve();
    },
  };
  const orders = {
    placeOrder: (...args: unknown[]) => {
      calls.push(["placeOrder", ...args]);
      const placed = script.placed ?? orderWith("paid");
      return placed instanceof Error ? Promise.reject(placed) : Promise.resolve(placed);
    },
    resumeOrder: (...args: unknown[]) => {
      calls.push(["resumeOrder", ...args]);
      return Promise.resolve(script.resumed);
    },
  };
  let replays = 0;
  const logs = new LogCapture();
  const placement = new IdempotentOrderPlacement({
    store: store as unknown as IdempotencyStore,
    orders: orders as unknown as OrderService,
    logger: createLogger({ level: "info", stdout: false, destinations: [logs] }),
    ...(script.onReplay === false ? {} : { onReplay: () => (replays += 1) }),
  });
  const app = express();
  app.use(express.json());
  app.post("/orders", async (req, res) => {
    (req as { id?: string }).id = "req-9";
    await placement.handle(req, res, req.get("Idempotency-Key")!, req.body as OrderRequest);
  });
  app.use(problemResponder());
  const post = () => request(app).post("/orders").set("Idempotency-Key", "key-1").send(body);
  return { post, calls, logs, replays: () => replays };
}

const claimed: Claim = { kind: "claimed", claim };
const named = (calls: unknown[][]) => calls.map(([name]) => name);

describe("idempotent order placement", () => {
  describe("the request fingerprint", () => {
    it("is a SHA-256, in hex, of the request", () => {
      expect(requestFingerprint(body)).toMatch(/^[0-9a-f]{64}$/);
    });

    it("is the same for the same request and differs for another", () => {
      expect(requestFingerprint({ ...body, items: [...body.items] })).toBe(
        requestFingerprint(body),
      );
      expect(
        requestFingerprint({ ...body, items: [{ productId: "sku-mug", quantity: 3 }] }),
      ).not.toBe(requestFingerprint(body));
      expect(requestFingerprint({ ...body, paymentToken: "tok_other" })).not.toBe(
        requestFingerprint(body),
      );
    });
  });

  it("names a lost claim's key, and why, in the error that stops the request", () => {
    expect(new ClaimLostError("key-1")).toMatchObject({
      name: "ClaimLostError",
      message: "The Idempotency-Key was taken over by a retry of this request",
      key: "key-1",
    });
  });

  it("claims the caller's key with the request's fingerprint", async () => {
    const { post, calls } = appFor({ claim: claimed });
    await post();
    expect(calls[0]).toEqual(["claim", "c-1", "key-1", requestFingerprint(body)]);
  });

  it("answers 422 for a key already used with another request, doing nothing else", async () => {
    const { post, calls } = appFor({ claim: { kind: "mismatch" } });
    const response = await post().expect(422);
    expect(response.body).toEqual({
      type: "https://problems.order-service.dev/idempotency-key-reused",
      title: "Unprocessable Entity",
      status: 422,
      detail: "This Idempotency-Key was already used with a different request body",
      requestId: "req-9",
    });
    expect(named(calls)).toEqual(["claim"]);
  });

  it("answers 409 while the first request with the key is still running", async () => {
    const { post, calls } = appFor({ claim: { kind: "in-flight" } });
    const response = await post().expect(409);
    expect(response.body).toEqual({
      type: "https://problems.order-service.dev/idempotency-key-in-use",
      title: "Conflict",
      status: 409,
      detail: "A request with this Idempotency-Key is still being processed; retry later",
      requestId: "req-9",
    });
    expect(named(calls)).toEqual(["claim"]);
  });

  describe("a replay", () => {
    const stored = (response: StoredResponse): Claim => ({ kind: "replay", response });

    it("answers exactly what was answered the first time, marked as replayed", async () => {
      const order = orderWith("pending");
      const { post, calls, replays } = appFor({ claim: stored({ status: 202, body: order }) });
      const response = await post().expect(202);
      expect(response.body).toEqual(order);
      expect(response.headers.location).toBe(`/orders/${order.id}`);
      expect(response.headers[REPLAY_HEADER.toLowerCase()]).toBe("true");
      expect(REPLAY_HEADER).toBe("Idempotent-Replayed");
      expect(replays()).toBe(1);
      expect(named(calls)).toEqual(["claim"]);
    });

    it("replays a stored problem as problem+json", async () => {
      const problem = { type: "about:blank", title: "Payment Required", status: 402, detail: "x" };
      const { post } = appFor({ claim: stored({ status: 402, body: problem }) });
      const response = await post().expect(402);
      expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(response.body).toEqual(problem);
    });

    it("replays with nobody counting replays", async () => {
      const { post } = appFor({
        claim: stored({ status: 201, body: orderWith("paid") }),
        onReplay: false,
      });
      await post().expect(201);
    });
  });

  describe("a claimed key", () => {
    it("places the order under the claim and records its answer", async () => {
      const order = orderWith("paid");
      const { post, calls, replays } = appFor({ claim: claimed, placed: order });
      const response = await post().expect(201);
      expect(response.body).toEqual(order);
      expect(response.headers.location).toBe(`/orders/${order.id}`);
      expect(response.headers).not.toHaveProperty(REPLAY_HEADER.toLowerCase());
      expect(calls.slice(1)).toEqual([
        ["placeOrder", body, claim],
        ["complete", claim, { status: 201, body: order }],
      ]);
      expect(replays()).toBe(0);
    });

    it("resumes the order an earlier attempt stored instead of placing another", async () => {
      const order = orderWith("paid");
      const { post, calls } = appFor({
        claim: { kind: "claimed", claim, orderId: order.id },
        resumed: order,
      });
      await post().expect(201);
      expect(calls.slice(1)).toEqual([
        ["resumeOrder", order.id, "tok_visa"],
        ["complete", claim, { status: 201, body: order }],
      ]);
    });

    it("places the order afresh when the one it links to is gone", async () => {
      const order = orderWith("pending");
      const { post, calls } = appFor({
        claim: { kind: "claimed", claim, orderId: "gone" },
        resumed: undefined,
        placed: order,
      });
      await post().expect(202);
      expect(named(calls)).toEqual(["claim", "resumeOrder", "placeOrder", "complete"]);
    });

    it("records a declined payment's 402 as final", async () => {
      const order = orderWith("payment_failed");
      const { post, calls } = appFor({ claim: claimed, placed: order });
      const response = await post().expect(402);
      expect(response.body).toMatchObject({ status: 402, orderId: order.id, requestId: "req-9" });
      expect(calls.at(-1)).toEqual(["complete", claim, { status: 402, body: response.body }]);
    });

    it("records a 4xx problem as the final answer, with its request id and headers", async () => {
      const { post, calls } = appFor({
        claim: claimed,
        placed: new ProductNotFoundError(["sku-gone"]),
      });
      const response = await post().expect(422);
      const problem = {
        type: "https://problems.order-service.dev/unknown-product",
        title: "Unprocessable Entity",
        status: 422,
        detail: "Unknown product(s): sku-gone",
        productIds: ["sku-gone"],
        requestId: "req-9",
      };
      expect(response.body).toEqual(problem);
      expect(calls.at(-1)).toEqual(["complete", claim, { status: 422, body: problem }]);
    });

    it("gives the key back on a 5xx and records nothing, so a retry starts afresh", async () => {
      const { post, calls } = appFor({
        claim: claimed,
        placed: new ServiceUnavailableError("product-service", "down", 7),
      });
      const response = await post().expect(503);
      expect(response.headers["retry-after"]).toBe("7");
      expect(calls.slice(1)).toEqual([
        ["placeOrder", body, claim],
        ["release", claim],
      ]);
    });

    it("gives the key back on an unexpected failure too (a 500)", async () => {
      const { post, calls } = appFor({ claim: claimed, placed: new TypeError("x is undefined") });
      await post().expect(500);
      expect(named(calls)).toEqual(["claim", "placeOrder", "release"]);
    });

    it("answers the 5xx even when giving the key back fails (the claim then expires)", async () => {
      const { post } = appFor({
        claim: claimed,
        placed: new ServiceUnavailableError("product-service", "down", 7),
        releaseFails: true,
      });
      await post().expect(503);
    });

    it("gives the key back and answers 409 when a retry took the claim over", async () => {
      const { post, calls } = appFor({ claim: claimed, placed: new ClaimLostError("key-1") });
      const response = await post().expect(409);
      expect(response.body).toMatchObject({
        type: "https://problems.order-service.dev/idempotency-key-in-use",
        detail: "A retry of this request with the same Idempotency-Key has taken over",
      });
      expect(named(calls)).toEqual(["claim", "placeOrder", "release"]);
    });

    it("still answers when its answer cannot be recorded, and says so", async () => {
      const order = orderWith("paid");
      const { post, logs } = appFor({ claim: claimed, placed: order, completeFails: true });
      const response = await post().expect(201);
      expect(response.body).toEqual(order);
      expect(logs.entries).toEqual([
        expect.objectContaining({
          level: "warn",
          msg: "Idempotency-Key answer not recorded; a retry will resume the order",
          status: 201,
          err: expect.objectContaining({ message: "connection terminated" }),
        }),
      ]);
    });
  });
});
