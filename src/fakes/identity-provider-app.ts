// A development identity provider, so `npm run dev`, compose, kind and the tests use real
// tokens: a JWKS and a token endpoint that signs a token for whichever customer is asked for.
// Anyone who can reach it can be anyone: it refuses to run in production (identity-provider.ts).
import express, { type ErrorRequestHandler, type Express } from "express";
import { SignJWT } from "jose";
import { z } from "zod";
import { identifier } from "../orders/order-schemas";
import type { FaultInjector } from "./fault-injection";
import { SIGNING_ALGORITHM, type SigningKeyRing } from "./signing-key-ring";

export const JWKS_PATH = "/.well-known/jwks.json";

export interface IdentityProviderOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly tokenTtlS: number;
  readonly keys: SigningKeyRing;
  readonly faults: FaultInjector;
}

const tokenRequest = z.strictObject({ customerId: identifier("customerId") });

export function createIdentityProviderApp(options: IdentityProviderOptions): Express {
  const { keys, faults } = options;
  const app = express();
  app.use(faults.controlRoutes());
  // Exempt from faults like the rest of /_control: a test rotates keys while the JWKS is down.
  app.post("/_control/rotate-key", (_req, res) => {
    res.json({ kid: keys.rotate().kid });
  });
  app.use(faults.middleware());

  app.get(JWKS_PATH, (_req, res) => {
    res.json(keys.jwks);
  });

  // OAuth 2.0 shapes (RFC 6749 section 5): an access token answer, or an `error` code.
  app.post("/token", express.json(), async (req, res) => {
    const parsed = tokenRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: "invalid_request",
        error_description: parsed.error.issues.map((issue) => issue.message).join("; "),
      });
      return;
    }
    const key = keys.current;
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: "JWT" })
      .setSubject(parsed.data.customerId)
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime(`${options.tokenTtlS}s`)
      .sign(key.privateKey);
    res
      .set("Cache-Control", "no-store")
      .json({ access_token: accessToken, token_type: "Bearer", expires_in: options.tokenTtlS });
  });
  app.use(((_error, _req, res, _next) => {
    res.status(400).json({ error: "invalid_request", error_description: "body is not JSON" });
  }) satisfies ErrorRequestHandler);
  return app;
}
