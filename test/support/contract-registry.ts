// Which apps the contract tests hold to the OpenAPI document: the service's own (test-stack.ts
// registers it), never the fake upstreams or the little apps a test builds for itself.
import type { RequestListener } from "node:http";

const underContract = new WeakSet<object>();

export function putUnderContract(app: RequestListener): void {
  underContract.add(app);
}

export function isUnderContract(app: unknown): boolean {
  return typeof app === "function" && underContract.has(app);
}
