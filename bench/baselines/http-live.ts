// Baseline: node:http alone, answering what the service's GET /health/live answers.
import { createServer } from "node:http";

const body = JSON.stringify({ status: "ok" });

createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health/live") {
    res.writeHead(200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
      "Cache-Control": "no-store",
    });
    res.end(body);
    return;
  }
  res.writeHead(404).end();
}).listen(Number(process.env.PORT));
