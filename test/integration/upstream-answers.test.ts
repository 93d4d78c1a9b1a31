// The upstream clients against real HTTP servers that answer what a misbehaving or merely
// different upstream might: redirects, 200s of another shape, the collection at `/products/`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { parseConfig } from "../../src/config";
import { createPaymentClient } from "../../src/clients/payment-client";
import { createProductClient } from "../../src/clients/product-client";
import { UnusableUpstreamAnswerError } from "../../src/resilience/upstream-errors";
import { createLogger } from "../../src/infra/logger";
import { REDIS_URL, uniqueRedisPrefix } from "../support/backing-services";

interface RecordingServer {
  readonly url: string;
  readonly requests: {
    method: string;
    url: string;
    body: string;
    headers: IncomingMessage["headers"];
  }[];
  close(): Promise<void>;
}

async function serve(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<RecordingServer> {
  const requests: RecordingServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      requests.push({ method: req.method!, url: req.url!, body, headers: req.headers });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

const logger = createLogger({ level: "silent", stdout: false });

function configFor(productUrl: string, paymentUrl: string) {
  return parseConfig({
    NODE_ENV: "test",
    DATABASE_URL: "postgres://postgres@127.0.0.1:5432/unused",
    REDIS_URL,
    PRODUCT_API_URL: productUrl,
    PAYMENT_API_URL: paymentUrl,
    PAYMENT_API_KEY: "upstream-answers-key",
    // Required by the service, never used by the upstream clients under test here.
    AUTH_JWKS_URL: "http://127.0.0.1:9/.well-known/jwks.json",
    AUTH_ISSUER: "urn:order-service:upstream-answers",
    AUTH_AUDIENCE: "order-service-tests",
    BREAKER_FAILURE_THRESHOLD: "2",
    RETRY_MAX_ATTEMPTS: "3",
    RETRY_BASE_DELAY_MS: "1",
    RETRY_MAX_DELAY_MS: "5",
  });
}

const charge = {
  orderId: "9b2e4c1a-0000-4000-8000-000000000001",
  amountCents: 100,
  currency: "USD",
  token: "tok_secret",
};

describe("the payment client against a redirecting payment API", () => {
  let elsewhere: RecordingServer;
  beforeAll(async () => {
    elsewhere = await serve((_req, res) =>
      json(res, 201, { id: "ch_stolen", status: "succeeded" }),
    );
  });
  afterAll(() => elsewhere.close());

  it.each([301, 302, 303, 307, 308])(
    "never re-sends the charge (token included) to where a %i points, and does not count it against the breaker",
    async (status) => {
      const target = await serve((_req, res) =>
        res.writeHead(status, { location: `${elsewhere.url}/charges` }).end(),
      );
      const payment = createPaymentClient(configFor("http://127.0.0.1:9", target.url), logger);
      try {
        for (let i = 0; i < 3; i += 1) {
          await expect(payment.gateway.charge(charge)).rejects.toBeInstanceOf(
            UnusableUpstreamAnswerError,
          );
        }
        expect(target.requests).toHaveLength(3);
        expect(elsewhere.requests).toHaveLength(0);
        expect(payment.breaker.state).toBe("closed");
      } finally {
        payment.breaker.shutdown();
        await target.close();
      }
    },
  );

  it("does not count a 201 of the wrong shape against the breaker", async () => {
    const odd = await serve((_req, res) => json(res, 201, { charge: "maybe" }));
    const payment = createPaymentClient(configFor("http://127.0.0.1:9", odd.url), logger);
    try {
      for (let i = 0; i < 3; i += 1) {
        await expect(payment.gateway.charge(charge)).rejects.toMatchObject({
          name: "UnusableUpstreamAnswerError",
          problem: "unexpected-body",
        });
      }
      expect(payment.breaker.state).toBe("closed");
    } finally {
      payment.breaker.shutdown();
      await odd.close();
    }
  });
});

describe("the product client against a catalog with other routes", () => {
  let catalog: RecordingServer;
  let redis: Redis;
  beforeAll(async () => {
    // A real catalog: `/products/` is the collection and `/` the API root, both 200.
    catalog = await serve((req, res) => {
      if (req.url === "/products/" || req.url === "/products") json(res, 200, { products: [] });
      else if (req.url === "/") json(res, 200, { name: "catalog API", links: {} });
      else if (req.url === "/products/sku-html")
        res.writeHead(200, { "content-type": "text/html" }).end("<html>");
      else if (req.url === "/products/sku-other")
        json(res, 200, { id: "sku-mug", name: "Mug", priceCents: 1, currency: "USD" });
      else json(res, 404, { error: "not found" });
    });
    redis = new Redis(REDIS_URL, { keyPrefix: uniqueRedisPrefix(), lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    await catalog.close();
    await redis.quit();
  });

  function productClient() {
    return createProductClient(configFor(catalog.url, "http://127.0.0.1:9"), redis, logger);
  }

  it.each([".", ".."])(
    "never asks for %j (it would resolve to the collection or the root)",
    async (id) => {
      const client = productClient();
      try {
        await expect(client.catalog.getProduct(id)).resolves.toBeUndefined();
        expect(
          catalog.requests.filter((r) => r.url === "/products/" || r.url === "/"),
        ).toHaveLength(0);
      } finally {
        client.breaker.shutdown();
      }
    },
  );

  it("keeps an id with slashes, percent signs and dots inside its one path segment", async () => {
    const client = productClient();
    try {
      await client.catalog.getProduct("../../admin?x=%2e#frag");
      expect(catalog.requests.at(-1)?.url).toBe("/products/..%2F..%2Fadmin%3Fx%3D%252e%23frag");
    } finally {
      client.breaker.shutdown();
    }
  });

  it.each([
    ["an HTML page", "sku-html"],
    ["another product", "sku-other"],
  ])("neither retries nor counts a 200 with %s for the id asked", async (_what, id) => {
    const client = productClient();
    const before = catalog.requests.length;
    try {
      for (let i = 0; i < 3; i += 1) {
        await expect(client.catalog.getProduct(id)).rejects.toBeInstanceOf(
          UnusableUpstreamAnswerError,
        );
      }
      expect(catalog.requests.length - before).toBe(3);
      expect(client.breaker.state).toBe("closed");
    } finally {
      client.breaker.shutdown();
    }
  });
});
