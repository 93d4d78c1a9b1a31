import { createServer, type Server } from "node:http";
import type { Express } from "express";

// 65 s: above the 60 s idle timeout of common load balancers (AWS ALB, GCP), so the balancer
// closes idle keep-alive connections first and never sends on one we just closed.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
// Must exceed keepAliveTimeout, or Node may cut a connection the balancer still reuses.
const HEADERS_TIMEOUT_MS = 66_000;
const REQUEST_TIMEOUT_MS = 60_000;

export function createHttpServer(app: Express): Server {
  const server = createServer(app);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  return server;
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
