import { Lifecycle } from "../../src/lifecycle/lifecycle";

describe("lifecycle", () => {
  it("starts, serves, then shuts down", () => {
    const lifecycle = new Lifecycle();
    expect([lifecycle.state, lifecycle.hasStarted]).toEqual(["starting", false]);
    lifecycle.markServing();
    expect([lifecycle.state, lifecycle.hasStarted]).toEqual(["serving", true]);
    lifecycle.beginShutdown();
    expect([lifecycle.state, lifecycle.hasStarted, lifecycle.isShuttingDown]).toEqual([
      "shutting-down",
      true,
      true,
    ]);
  });

  it("never counts as started when shutdown comes before startup finished", () => {
    const lifecycle = new Lifecycle();
    lifecycle.beginShutdown();
    lifecycle.markServing();
    expect([lifecycle.state, lifecycle.hasStarted]).toEqual(["shutting-down", false]);
  });
});
