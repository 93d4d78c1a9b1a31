import { createSocket, type Socket } from "node:dgram";

export interface StatsdSample {
  readonly name: string;
  readonly value: number;
  readonly type: string;
  readonly tags: Record<string, string>;
}

/** A UDP listener standing in for the statsd-exporter sidecar: it keeps every sample. */
export class StatsdSink {
  readonly samples: StatsdSample[] = [];
  #socket: Socket | undefined;

  async start(): Promise<number> {
    const socket = createSocket("udp4");
    this.#socket = socket;
    socket.on("message", (datagram) => {
      for (const line of datagram.toString().split("\n").filter(Boolean)) {
        this.samples.push(parseLine(line));
      }
    });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return socket.address().port;
  }

  named(name: string): StatsdSample[] {
    return this.samples.filter((sample) => sample.name === name);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#socket ? this.#socket.close(resolve) : resolve()));
  }
}

/** `name:value|type|#tag:value,tag:value` (DogStatsD). */
function parseLine(line: string): StatsdSample {
  const [nameAndValue = "", type = "", ...rest] = line.split("|");
  const separator = nameAndValue.lastIndexOf(":");
  const tagPart = rest.find((part) => part.startsWith("#"))?.slice(1) ?? "";
  const tags = Object.fromEntries(
    tagPart
      .split(",")
      .filter(Boolean)
      .map((tag) => {
        const at = tag.indexOf(":");
        return [tag.slice(0, at), tag.slice(at + 1)];
      }),
  );
  return {
    name: nameAndValue.slice(0, separator),
    value: Number(nameAndValue.slice(separator + 1)),
    type,
    tags,
  };
}
