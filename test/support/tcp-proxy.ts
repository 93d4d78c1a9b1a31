// A TCP proxy a test puts between the service and a backing service (Postgres), then cuts and
// restores, to simulate "the database is unreachable" without touching the real server that
// other tests share.
import net from "node:net";

/**
 * How a cut proxy behaves:
 * - "refuse": open connections are reset and new ones are reset as soon as they arrive
 *   (a crashed or restarting server: clients fail at once);
 * - "blackhole": open connections are reset and new ones are accepted but never answered
 *   (a network partition: clients fail only when their own connect timeout fires).
 */
export type CutMode = "refuse" | "blackhole";

export class TcpProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut: CutMode | undefined;
  #port = 0;

  private constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** Listens on an ephemeral port of 127.0.0.1 and forwards to target. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once("error", reject);
      proxy.#server.listen(0, "127.0.0.1", () => {
        proxy.#server.off("error", reject);
        resolve();
      });
    });
    proxy.#port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Makes the target unreachable: every open connection is reset; new ones per `mode`. */
  cut(mode: CutMode = "refuse"): void {
    this.#cut = mode;
    this.#destroyAll();
  }

  /** Forwards again; connections held by a blackhole are reset (their clients gave up). */
  restore(): void {
    this.#cut = undefined;
    this.#destroyAll();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#destroyAll();
    await closed;
  }

  #accept(client: net.Socket): void {
    client.on("error", () => undefined);
    if (this.#cut === "refuse") {
      client.resetAndDestroy();
      return;
    }
    this.#track(client);
    if (this.#cut === "blackhole") return;

    const upstream = net.connect(this.targetPort, this.targetHost);
    upstream.on("error", () => undefined);
    this.#track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either half ending ends the pair, as one connection would.
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once("close", closeBoth);
    upstream.once("close", closeBoth);
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  #destroyAll(): void {
    // A reset (not a polite FIN) is what a client sees when the server or the path dies.
    for (const socket of this.#sockets) {
      if (socket.destroyed) continue;
      if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
    this.#sockets.clear();
  }
}
