// Authentication at the HTTP edge (RFC 6750 bearer tokens), in two steps around the rate
// limiter: `identifyCaller` finds out who is calling (so the limiter can count per caller, or
// per address when nobody is), `requireCaller` then refuses whoever is not authenticated.
import type { RequestHandler, Response } from "express";
import { ServiceUnavailableError } from "../errors";
import type { Logger } from "../infra/logger";
import { KeySetUnavailableError } from "../auth/key-set-resolver";
import { InvalidTokenError, type Caller, type TokenVerifier } from "../auth/token-verifier";
import { HttpProblem } from "./problem";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express' own extension point
  namespace Express {
    interface Locals {
      /** Set by identifyCaller: who is calling, or why nobody could be identified. */
      authentication?: { readonly caller: Caller } | { readonly refusal: Error };
    }
  }
}

const REALM = 'realm="orders"';
// The provider's key set is fetched with a timeout of seconds: worth a retry soon after.
const KEY_SET_RETRY_AFTER_S = 5;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** 401 without an error code when no token came at all, as RFC 6750 section 3.1 asks. */
function missingToken(): HttpProblem {
  return new HttpProblem(
    401,
    "This request needs a bearer token (Authorization: Bearer <token>)",
    "missing-token",
    {},
    { "WWW-Authenticate": `Bearer ${REALM}` },
  );
}

/** The same answer whatever is wrong with it: the reason would help only an attacker. */
function invalidToken(): HttpProblem {
  return new HttpProblem(
    401,
    "The bearer token is not valid",
    "invalid-token",
    {},
    {
      "WWW-Authenticate": `Bearer ${REALM}, error="invalid_token"`,
    },
  );
}

export function identifyCaller(verifier: TokenVerifier, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      res.locals.authentication = { refusal: missingToken() };
      next();
      return;
    }
    const token = BEARER.exec(header)?.[1];
    try {
      if (token === undefined) throw new InvalidTokenError("not a bearer token");
      res.locals.authentication = { caller: await verifier.verify(token) };
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        logger.debug({ reason: error.reason }, "bearer token refused");
        res.locals.authentication = { refusal: invalidToken() };
      } else if (error instanceof KeySetUnavailableError) {
        // The resolver warns once per failed fetch; per request this is detail.
        logger.debug("caller not authenticated: the identity provider's keys are unavailable");
        res.locals.authentication = {
          refusal: new ServiceUnavailableError(
            "identity-provider",
            "Callers cannot be authenticated right now",
            KEY_SET_RETRY_AFTER_S,
          ),
        };
      } else {
        throw error;
      }
    }
    next();
  };
}

export function requireCaller(): RequestHandler {
  return (_req, res, next) => {
    const authentication = res.locals.authentication;
    if (authentication && "caller" in authentication) next();
    else throw authentication?.refusal ?? missingToken();
  };
}

/** The authenticated caller of a request that passed requireCaller. */
export function callerOf(res: Response): Caller {
  const authentication = res.locals.authentication;
  if (!authentication || !("caller" in authentication)) {
    throw new Error("callerOf() used on a route that requireCaller() does not guard");
  }
  return authentication.caller;
}
