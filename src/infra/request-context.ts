import { AsyncLocalStorage } from "node:async_hooks";

/** What every log line written while serving a request should carry. */
export interface RequestScope {
  readonly requestId: string;
}

/**
 * Carries the request id through async calls (clients, repository, cache) without passing it
 * down every signature; the logger's mixin reads it, so each line of a request names the request.
 */
export class RequestContext {
  readonly #storage = new AsyncLocalStorage<RequestScope>();

  run<T>(scope: RequestScope, work: () => T): T {
    return this.#storage.run(scope, work);
  }

  current(): RequestScope | undefined {
    return this.#storage.getStore();
  }
}
