// Hooks supertest so that every answer of an app under contract is checked against the OpenAPI
// document before the test's own expectations: the first failing check fails the request, as
// a failed `.expect()` would, with the contract's message. Supertest wraps a bare app in an
// http.Server, so an app is recognised as that server's request listener.
import type { Server } from "node:http";
import supertest from "supertest";
import type { ContractChecker, Exchange } from "./contract-check";

type AssertCallback = (error: Error | null, res: unknown) => void;
interface SuperTestInternals {
  readonly app: unknown;
  assert(resError: unknown, res: SuperagentResponse | undefined, fn?: AssertCallback): void;
}
interface SuperagentResponse {
  readonly status: number;
  readonly headers: Exchange["headers"];
  readonly text?: string;
  readonly req: { readonly method: string; readonly path: string };
}

const HOOKED = Symbol.for("order-service.contract-hook");

function exchangeOf(res: SuperagentResponse): Exchange {
  return {
    method: res.req.method,
    path: res.req.path,
    status: res.status,
    headers: res.headers,
    body: res.text ?? "",
  };
}

function appsOf(target: unknown): unknown[] {
  const listeners = (target as Partial<Server> | null)?.listeners;
  return typeof listeners === "function" ? (target as Server).listeners("request") : [target];
}

export function checkSupertestAnswers(
  checker: ContractChecker,
  isUnderContract: (app: unknown) => boolean,
): void {
  const prototype = supertest.Test.prototype as unknown as SuperTestInternals & {
    [HOOKED]?: true;
  };
  if (prototype[HOOKED]) return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its `this`
  const assert = prototype.assert;
  prototype.assert = function assertWithContract(this: SuperTestInternals, resError, res, fn) {
    if (res && appsOf(this.app).some(isUnderContract)) {
      const violation = checker.violation(exchangeOf(res));
      if (violation !== undefined) {
        // Supertest always passes a callback; without one, throwing is the only way to fail.
        if (!fn) throw new Error(violation);
        fn.call(this, new Error(violation), res);
        return;
      }
    }
    assert.call(this, resError, res, fn);
  };
  prototype[HOOKED] = true;
}
