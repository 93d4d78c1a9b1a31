import express, { type RequestHandler, type Router } from "express";

export interface JournalEntry {
  readonly method: string;
  readonly path: string;
  /** The W3C trace context the caller sent, if any: how tests see a trace cross the wire. */
  readonly traceparent?: string;
  readonly tracestate?: string;
}

const KEPT = 200;

/**
 * The trace context of the last requests a fake received, at GET /_control/requests: the only
 * way to see from outside that the service carried its caller's trace on.
 */
export class TraceJournal {
  #entries: JournalEntry[] = [];

  get entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  middleware(): RequestHandler {
    return (req, _res, next) => {
      this.#entries.push({
        method: req.method,
        path: req.path,
        traceparent: req.get("traceparent"),
        tracestate: req.get("tracestate"),
      });
      if (this.#entries.length > KEPT) this.#entries = this.#entries.slice(-KEPT);
      next();
    };
  }

  controlRoutes(): Router {
    const router = express.Router();
    router.get("/_control/requests", (_req, res) => {
      res.json({ requests: this.#entries });
    });
    return router;
  }
}
