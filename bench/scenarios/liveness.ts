// GET /health/live: the service vs a bare Express app vs bare node:http -> framework and
// middleware tax per request.
import { stopChild } from "../support/child-processes";
import { startBaseline } from "../support/baseline";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import { RssSampler, type RssReading } from "../support/rss";
import type { RunningServer } from "../support/service";

export const LIVENESS_LOAD: LoadSettings = { connections: 32, durationS: 3, rounds: 4, warmupS: 1 };

export interface LivenessFigures {
  readonly nodeHttp: LoadSummary;
  readonly express: LoadSummary;
  readonly service: LoadSummary;
  /** Peak RSS of the bare Express app under the same load, for scale. */
  readonly expressRss: RssReading;
}

export async function benchLiveness(
  service: RunningServer,
  rss: RssSampler,
): Promise<LivenessFigures> {
  const [nodeHttp, express] = await Promise.all([
    startBaseline("node:http baseline", "http-live.ts"),
    startBaseline("express baseline", "express-live.ts"),
  ]);
  const expressRss = new RssSampler(express.child.pid);
  try {
    const [nodeHttpFigures, expressFigures, serviceFigures] = await measureInterleaved(
      [
        {
          name: "GET /health/live  node:http",
          url: `${nodeHttp.url}/health/live`,
          pid: nodeHttp.child.pid,
        },
        {
          name: "GET /health/live  bare Express",
          url: `${express.url}/health/live`,
          pid: express.child.pid,
          around: expressRss.around,
        },
        {
          name: "GET /health/live  service",
          url: `${service.url}/health/live`,
          pid: service.child.pid,
          around: rss.around,
        },
      ],
      LIVENESS_LOAD,
    );
    return {
      nodeHttp: nodeHttpFigures!,
      express: expressFigures!,
      service: serviceFigures!,
      expressRss: expressRss.peak,
    };
  } finally {
    await Promise.all([stopChild(nodeHttp.child), stopChild(express.child)]);
  }
}
