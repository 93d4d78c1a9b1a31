// The Express application, without a listener: main.ts serves it, supertest drives it.
import express, { type Express, type RequestHandler } from "express";
import helmet from "helmet";
import type { TokenVerifier } from "./auth/token-verifier";
import type { Logger } from "./infra/logger";
import { noMetrics, type Metrics } from "./infra/metrics";
import type { RequestContext } from "./infra/request-context";
import { identifyCaller, requireCaller } from "./http/authenticate";
import { closeConnectionsWhileDraining } from "./http/close-connections-while-draining";
import { continueIncomingTrace } from "./http/continue-incoming-trace";
import { healthRoutes, type HealthRoutesOptions } from "./http/health-routes";
import { openApiRoutes } from "./http/openapi/openapi-routes";
import { orderRoutes, type OrderRoutesOptions } from "./http/order-routes";
import { HttpProblem } from "./http/problem";
import { problemResponder } from "./http/problem-responder";
import { assignRequestId } from "./http/request-id";
import { recordRequestMetrics } from "./http/request-metrics";
import { logRequests } from "./http/request-logging";
import type { Lifecycle } from "./lifecycle/lifecycle";

export interface AppDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly requestContext: RequestContext;
  readonly lifecycle: Lifecycle;
  readonly health: Omit<HealthRoutesOptions, "lifecycle" | "logger">;
  readonly orders: OrderRoutesOptions;
  readonly callers: {
    readonly verifier: TokenVerifier;
    /** Runs after the caller is identified and before an unidentified one is refused. */
    readonly rateLimit?: RequestHandler;
  };
  /** Proxies whose X-Forwarded-For is believed (req.ip); empty = the socket's address. */
  readonly trustedProxies: readonly string[];
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  // A list, never `true`: anyone can send X-Forwarded-For, so it is believed only when the
  // hop that sent it is a proxy we run (and a per-address rate limit cannot be dodged).
  app.set("trust proxy", deps.trustedProxies.length > 0 ? [...deps.trustedProxies] : false);
  closeConnectionsWhileDraining(app, deps.lifecycle);

  app.use(healthRoutes({ ...deps.health, lifecycle: deps.lifecycle, logger: deps.logger }));
  // After the probes: they are never logged or traced, so neither a request id nor a caller's
  // trace is any use to them, and the kubelet's polling should cost as little as it can.
  app.use(assignRequestId(deps.requestContext));
  app.use(continueIncomingTrace());
  app.use(helmet());
  app.use(logRequests(deps.logger));
  // Without a StatsD host, metrics cost nothing per request: the middleware is not even mounted.
  if (deps.metrics !== noMetrics) app.use(recordRequestMetrics(deps.metrics));
  app.use(openApiRoutes());
  const { verifier, rateLimit } = deps.callers;
  app.use(
    "/orders",
    identifyCaller(verifier, deps.logger),
    ...(rateLimit ? [rateLimit] : []),
    requireCaller(),
  );
  app.use(express.json({ limit: "100kb" }));
  app.use(orderRoutes(deps.orders));

  app.use((req) => {
    throw new HttpProblem(404, `No route for ${req.method} ${req.path}`);
  });
  app.use(problemResponder());
  return app;
}
