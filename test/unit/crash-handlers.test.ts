import { EventEmitter } from "node:events";
import { createLogger } from "../../src/infra/logger";
import { endProcessOnCrash } from "../../src/lifecycle/crash-handlers";
import { LogCapture } from "../support/log-capture";

describe("crash handlers", () => {
  function setUp() {
    const events = new EventEmitter();
    const logs = new LogCapture();
    const exits: number[] = [];
    endProcessOnCrash(
      createLogger({ level: "info", destinations: [logs], stdout: false }),
      events as unknown as NodeJS.Process,
      (code) => exits.push(code),
    );
    return { events, logs, exits };
  }

  it("logs an uncaught exception as fatal, under err, and ends the process with 1", () => {
    const { events, logs, exits } = setUp();
    events.emit("uncaughtException", new Error("boom"));
    expect(logs.entries).toEqual([
      expect.objectContaining({
        level: "fatal",
        msg: "uncaught exception",
        err: expect.objectContaining({ message: "boom" }),
      }),
    ]);
    expect(exits).toEqual([1]);
  });

  it("does the same for an unhandled promise rejection", () => {
    const { events, logs, exits } = setUp();
    events.emit("unhandledRejection", new Error("lost promise"));
    expect(logs.entries[0]).toMatchObject({ level: "fatal", msg: "unhandled promise rejection" });
    expect(exits).toEqual([1]);
  });
});
