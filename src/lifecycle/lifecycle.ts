// The process's lifecycle as explicit states (after gajus/lightship), passed to whoever needs
// it, instead of booleans scattered across modules.
export type LifecycleState = "starting" | "serving" | "shutting-down";

export class Lifecycle {
  #state: LifecycleState = "starting";
  #started = false;

  get state(): LifecycleState {
    return this.#state;
  }

  /** Startup work (migrations verified, pools warm) is done. */
  markServing(): void {
    if (this.#state !== "starting") return;
    this.#state = "serving";
    this.#started = true;
  }

  /** From here on readiness answers 503 and every response says Connection: close. */
  beginShutdown(): void {
    this.#state = "shutting-down";
  }

  get isShuttingDown(): boolean {
    return this.#state === "shutting-down";
  }

  /** Startup completed at some point (a process stopped while starting never did). */
  get hasStarted(): boolean {
    return this.#started;
  }
}
