// Where the traced service exports during the bench: an OTLP/HTTP endpoint that answers at once
// and only counts what it was sent, so the figures are the service's cost, not a collector's.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface OtlpSink {
  readonly url: string;
  exports(): number;
  bytes(): number;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let exports = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => (bytes += chunk.length));
    req.on("end", () => {
      exports += 1;
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => exports,
    bytes: () => bytes,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
