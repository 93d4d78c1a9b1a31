// Baseline: a bare Express 5 app answering what the service's GET /health/live answers.
// Same app settings as the service (no ETag, no X-Powered-By), none of its middleware: the
// service / this ratio is the cost of request ids, helmet, draining and routing.
import express from "express";

const app = express();
app.disable("x-powered-by");
app.set("etag", false);

app.get("/health/live", (_req, res) => {
  res.set("Cache-Control", "no-store").json({ status: "ok" });
});

app.listen(Number(process.env.PORT));
