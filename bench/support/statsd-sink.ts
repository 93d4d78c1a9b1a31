// With BENCH_STATSD=1 the service sends its metrics here (as it would to the statsd-exporter
// sidecar in production); the sink only counts datagrams, so metrics cost the service what
// they cost it in production without a real exporter in the measurement.
import { createSocket, type Socket } from "node:dgram";

export interface StatsdSink {
  readonly port: number;
  readonly datagrams: () => number;
  close(): Promise<void>;
}

export function startStatsdSink(): Promise<StatsdSink> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket("udp4");
    let datagrams = 0;
    socket.on("message", () => datagrams++);
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      resolve({
        port: socket.address().port,
        datagrams: () => datagrams,
        close: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}
