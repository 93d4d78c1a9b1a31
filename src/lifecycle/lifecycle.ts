// The process's lifecycle as explicit states (after gajus/lightship), passed to whoever needs
// it, instead of booleans scattered across modules.
export type LifecycleState = "starting" | "serving" | "shutting-down";

export class Lifecycle {
  #state: LifecycleState = "starting";

  get state(): LifecycleState {
    return this.#state;
  }

  /** Startup work (migrations verified, pools warm) is done. */
  markServing(): void {
    if (this.#state === "starting") this.#state = "serving";
  }

  /** From here on readiness answers 503 and every response says Connection: close. */
  beginShutdown(): void {
    this.#state = "shutting-down";
  }

  get isShuttingDown(): boolean {
    return this.#state === "shutting-down";
  }

  get hasStarted(): boolean {
    return this.#state !== "starting";
  }
}
