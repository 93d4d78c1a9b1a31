// Unless BENCH_STATSD=0, the service sends its metrics here (as it would to the statsd-exporter
// sidecar in production); the sink only counts datagrams, so metrics cost the service what
// they cost it in production without a real exporter in the measurement.
// The soak needs the service's runtime gauges themselves: startGaugeSink also keeps those.
import { createSocket, type Socket } from "node:dgram";

export interface StatsdSink {
  readonly port: number;
  readonly datagrams: () => number;
  close(): Promise<void>;
}

function bindSink(onMessage: (message: Buffer) => void): Promise<StatsdSink> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket("udp4");
    let datagrams = 0;
    socket.on("message", (message) => {
      datagrams++;
      onMessage(message);
    });
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

export function startStatsdSink(): Promise<StatsdSink> {
  return bindSink(() => undefined);
}

/** One gauge as it arrived: `name:value|g`, with DogStatsD `|#tag,key:value` if any. */
export interface GaugeDatagram {
  readonly name: string;
  readonly value: number;
  readonly tags: readonly string[];
}

/**
 * The gauges in one datagram (hot-shots batches metrics one per line). Everything else
 * (counters, timings) is skipped, and so are delta gauges (`+5`, `-5`): they change the last
 * value rather than set it, so they are no reading on their own.
 */
export function parseGauges(datagram: string): GaugeDatagram[] {
  const gauges: GaugeDatagram[] = [];
  for (const line of datagram.split("\n")) {
    const [metric = "", type, ...fields] = line.split("|");
    if (type !== "g") continue;
    const colon = metric.lastIndexOf(":");
    const text = metric.slice(colon + 1);
    const value = Number(text);
    if (colon <= 0 || /^[+-]/.test(text) || text === "" || !Number.isFinite(value)) continue;
    const tagField = fields.find((field) => field.startsWith("#"));
    gauges.push({
      name: metric.slice(0, colon),
      value,
      tags: tagField ? tagField.slice(1).split(",") : [],
    });
  }
  return gauges;
}

export interface GaugeReading {
  readonly value: number;
  readonly tags: readonly string[];
  /** performance.now() of this process when the datagram arrived. */
  readonly receivedAtMs: number;
}

export interface GaugeSink extends StatsdSink {
  /** Every reading of gauge `name` so far, oldest first. */
  readings(name: string): readonly GaugeReading[];
  /** The next reading of `name` to arrive from now on; undefined if none within `timeoutMs`. */
  next(name: string, timeoutMs: number): Promise<GaugeReading | undefined>;
}

export async function startGaugeSink(): Promise<GaugeSink> {
  const byName = new Map<string, GaugeReading[]>();
  const waiters = new Set<{ name: string; take: (reading: GaugeReading) => void }>();
  const sink = await bindSink((message) => {
    const receivedAtMs = performance.now();
    for (const { name, value, tags } of parseGauges(message.toString("utf8"))) {
      let readings = byName.get(name);
      if (!readings) byName.set(name, (readings = []));
      const reading = { value, tags, receivedAtMs };
      readings.push(reading);
      for (const waiter of waiters) if (waiter.name === name) waiter.take(reading);
    }
  });
  const next = (name: string, timeoutMs: number) =>
    new Promise<GaugeReading | undefined>((resolve) => {
      const waiter = {
        name,
        take: (reading: GaugeReading) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(reading);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      waiters.add(waiter);
    });
  return { ...sink, readings: (name) => byName.get(name) ?? [], next };
}
