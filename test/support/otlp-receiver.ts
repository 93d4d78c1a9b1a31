// A small OTLP/HTTP trace receiver (what a collector or Jaeger listens with on :4318), started
// by a test: it keeps every span it is sent, decoded from OTLP/JSON, and the raw bodies of
// OTLP/protobuf exports (enough to find a trace id's 16 bytes in them).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: KeyValue[];
  events?: { name: string; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}
interface TraceExport {
  resourceSpans: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans: { scope?: { name?: string }; spans: OtlpSpan[] }[];
  }[];
}

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly scope: string;
  readonly serviceName: string;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly events: readonly {
    name: string;
    attributes: Record<string, string | number | boolean>;
  }[];
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
}

const plain = (value: AnyValue) =>
  value.stringValue ??
  value.boolValue ??
  value.doubleValue ??
  (value.intValue === undefined ? "" : Number(value.intValue));

const attributesOf = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly protobufBodies: Buffer[] = [];
  readonly contentTypes: string[] = [];
  #server: Server | undefined;

  get url(): string {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("the OTLP receiver is not listening");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const type = req.headers["content-type"] ?? "";
        this.contentTypes.push(type);
        if (req.url !== "/v1/traces" || req.method !== "POST") {
          res.writeHead(404).end();
          return;
        }
        if (type.startsWith("application/json")) this.#keep(JSON.parse(body.toString("utf8")));
        else this.protobufBodies.push(body);
        res.writeHead(200, { "content-type": type || "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  /** Resolves with the spans once `done(spans)` holds; rejects after `timeoutMs`. */
  async waitFor(
    done: (spans: readonly ReceivedSpan[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<readonly ReceivedSpan[]> {
    const deadline = performance.now() + timeoutMs;
    while (!done(this.spans)) {
      if (performance.now() > deadline) {
        const names = this.spans.map((span) => span.name).join(", ");
        throw new Error(`the expected spans did not arrive in ${timeoutMs} ms; got: ${names}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.spans;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #keep(payload: TraceExport): void {
    for (const resourceSpans of payload.resourceSpans) {
      const serviceName = String(attributesOf(resourceSpans.resource?.attributes)["service.name"]);
      for (const scopeSpans of resourceSpans.scopeSpans) {
        for (const span of scopeSpans.spans) {
          this.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            kind: span.kind,
            scope: scopeSpans.scope?.name ?? "",
            serviceName,
            attributes: attributesOf(span.attributes),
            events: (span.events ?? []).map((event) => ({
              name: event.name,
              attributes: attributesOf(event.attributes),
            })),
            statusCode: span.status?.code ?? 0,
          });
        }
      }
    }
  }
}
