// How every minimal baseline starts: its app with the service's settings that change bytes
// on the wire (no ETag, no X-Powered-By), the probe the harness waits on, on PORT; a failed
// start ends the process so the harness reports it instead of waiting.
import express, { type Express } from "express";

export function baselineApp(): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  return app;
}

export function serveBaseline(start: () => Promise<Express>): void {
  start().then(
    (app) => {
      app.get("/health/live", (_req, res) => {
        res.json({ status: "ok" });
      });
      app.listen(Number(process.env.PORT));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
