// Start-time settings of the fake upstreams (they are separate processes with their own env).
import { z } from "zod";
import { ConfigError, type Environment } from "../config";
import { FAKE_PAYMENT_GATEWAY_DEV_KEY } from "./development-keys";
import type { FaultSettings } from "./fault-injection";

const number = (fallback: number) => z.coerce.number().default(fallback);
const fakeEnvironment = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535),
  LOG_LEVEL: z.string().default("info"),
  FAKE_PAYMENT_API_KEY: z.string().min(8).default(FAKE_PAYMENT_GATEWAY_DEV_KEY),
  FAKE_LATENCY_MS: number(0),
  FAKE_ERROR_RATE: number(0),
  FAKE_ERROR_STATUS: number(503),
  FAKE_FAIL_NEXT: number(0),
  FAKE_DOWN: z.enum(["true", "false"]).default("false"),
  FAKE_DECLINE_RATE: number(0),
  NODE_ENV: z.string().default("production"),
  // The service's .env.example defaults, so `npm run dev` needs no setting at all.
  FAKE_IDP_ISSUER: z.string().min(1).default("urn:order-service:dev-idp"),
  FAKE_IDP_AUDIENCE: z.string().min(1).default("order-service"),
  FAKE_IDP_TOKEN_TTL_S: z.coerce.number().int().min(1).max(86_400).default(3600),
});

export interface FakeConfig {
  readonly port: number;
  readonly logLevel: string;
  readonly paymentApiKey: string;
  readonly faults: Partial<FaultSettings>;
  readonly nodeEnv: string;
  readonly identityProvider: {
    readonly issuer: string;
    readonly audience: string;
    readonly tokenTtlS: number;
  };
}

export function parseFakeConfig(env: Environment, defaultPort: number): FakeConfig {
  const withPort = { ...env, PORT: env.PORT || String(defaultPort) };
  const result = fakeEnvironment.safeParse(
    Object.fromEntries(Object.entries(withPort).filter(([, value]) => value !== "")),
  );
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    );
  }
  const env_ = result.data;
  return {
    port: env_.PORT,
    logLevel: env_.LOG_LEVEL,
    paymentApiKey: env_.FAKE_PAYMENT_API_KEY,
    nodeEnv: env_.NODE_ENV,
    identityProvider: {
      issuer: env_.FAKE_IDP_ISSUER,
      audience: env_.FAKE_IDP_AUDIENCE,
      tokenTtlS: env_.FAKE_IDP_TOKEN_TTL_S,
    },
    faults: {
      latencyMs: env_.FAKE_LATENCY_MS,
      errorRate: env_.FAKE_ERROR_RATE,
      errorStatus: env_.FAKE_ERROR_STATUS,
      failNext: env_.FAKE_FAIL_NEXT,
      down: env_.FAKE_DOWN === "true",
      declineRate: env_.FAKE_DECLINE_RATE,
    },
  };
}
