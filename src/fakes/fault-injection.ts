// Fault-injection knobs shared by the fake upstreams, settable by env at start and at run time
// through PUT /_control, so a user can watch retries and the circuit breaker at work.
// The control endpoint itself is never subject to faults (podinfo's fault_injection.go idea).
import { setTimeout as sleep } from "node:timers/promises";
import express, { type RequestHandler, type Router } from "express";
import { z } from "zod";

export const faultSettingsSchema = z.strictObject({
  /** Added to every answer. */
  latencyMs: z.number().int().min(0).max(120_000).default(0),
  /** Share of calls (0..1) answered with errorStatus. */
  errorRate: z.number().min(0).max(1).default(0),
  errorStatus: z.number().int().min(400).max(599).default(503),
  /** The next N calls fail with errorStatus, then calls behave again. */
  failNext: z.number().int().min(0).max(1_000_000).default(0),
  /** Hard down: connections are reset without an answer. */
  down: z.boolean().default(false),
  /** Payments only: share of charges (0..1) declined with 402. */
  declineRate: z.number().min(0).max(1).default(0),
});

export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export class FaultInjector {
  #settings: FaultSettings;
  #calls = 0;

  constructor(
    initial: Partial<FaultSettings> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.#settings = faultSettingsSchema.parse(initial);
  }

  get settings(): FaultSettings {
    return this.#settings;
  }

  /** Calls that reached the fake (faulted or not), for tests and curious users. */
  get calls(): number {
    return this.#calls;
  }

  update(patch: Partial<FaultSettings>): FaultSettings {
    this.#settings = faultSettingsSchema.parse({ ...this.#settings, ...patch });
    return this.#settings;
  }

  reset(): void {
    this.#settings = faultSettingsSchema.parse({});
    this.#calls = 0;
  }

  shouldDecline(): boolean {
    return this.random() < this.#settings.declineRate;
  }

  middleware(): RequestHandler {
    return async (req, res, next) => {
      this.#calls += 1;
      const settings = this.#settings;
      if (settings.down) {
        req.socket.destroy();
        return;
      }
      if (settings.latencyMs > 0) {
        // Ends with the exchange: a client that gave up (its timeout) leaves no timer behind.
        const gone = new AbortController();
        res.once("close", () => gone.abort());
        try {
          await sleep(settings.latencyMs, undefined, { signal: gone.signal });
        } catch {
          return;
        }
      }
      const failNow = settings.failNext > 0 || this.random() < settings.errorRate;
      if (settings.failNext > 0) this.update({ failNext: settings.failNext - 1 });
      if (failNow) {
        res.status(settings.errorStatus).json({ error: "injected fault" });
        return;
      }
      next();
    };
  }

  controlRoutes(): Router {
    const router = express.Router();
    router.get("/_control", (_req, res) => {
      res.json({ faults: this.#settings, calls: this.#calls });
    });
    router.put("/_control", express.json(), (req, res) => {
      const patch = faultSettingsSchema.partial().safeParse(req.body);
      if (!patch.success) {
        res.status(400).json({ error: z.prettifyError(patch.error) });
        return;
      }
      res.json({ faults: this.update(patch.data), calls: this.#calls });
    });
    router.delete("/_control", (_req, res) => {
      this.reset();
      res.json({ faults: this.#settings, calls: this.#calls });
    });
    return router;
  }
}
