// The autoscaler against the capacity model (docs/capacity.md): the HPA's CPU target is a share
// of the app container's CPU *request*, so the request decides at what load pods are added.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { describeRendered, findObject, render, repoRoot } from "./support/render";
import { containerOf, podOf } from "./support/workloads";

const capacity = readFileSync(path.join(repoRoot, "docs/capacity.md"), "utf8");
/** The share of its one core a pod is sized to run at ("Replicas: ceil(peak CPU / 0.6) + 1"). */
const targetCoreShare = Number(/ceil\(peak CPU \/ ([\d.]+)\)/.exec(capacity)?.[1]);
/** Service CPU per order, in ms, from the table ("`POST /orders` | ~1 ms"). */
const orderCpuMs = Number(/`POST \/orders`\s*\|\s*~?([\d.]+) ms/.exec(capacity)?.[1]);

const cores = (quantity: string | number | undefined) =>
  typeof quantity === "string" && quantity.endsWith("m")
    ? Number(quantity.slice(0, -1)) / 1000
    : Number(quantity);

describeRendered("HPA sizing (docs/capacity.md)", () => {
  const objects = render("kind");
  const app = containerOf(podOf(objects, "Deployment", "order-service"), "order-service");
  const hpa = findObject<IHorizontalPodAutoscaler>(
    objects,
    "HorizontalPodAutoscaler",
    "order-service",
  );
  const [metric] = hpa.spec?.metrics ?? [];
  const utilisation = (metric?.containerResource?.target.averageUtilization ?? 0) / 100;
  const scaleOutCores = cores(app.resources?.requests?.cpu) * utilisation;

  it("reads the model's figures", () => {
    expect([targetCoreShare, orderCpuMs]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(targetCoreShare).toBeGreaterThan(0);
    expect(orderCpuMs).toBeGreaterThan(0);
  });

  it("limits a pod to the one core a Node process can use, and asks for no more", () => {
    expect(metric?.containerResource?.container).toBe("order-service");
    expect(cores(app.resources?.limits?.cpu)).toBe(1);
    expect(cores(app.resources?.requests?.cpu)).toBeLessThanOrEqual(1);
  });

  it("adds pods when one runs at the share of its core the model sizes replicas for", () => {
    expect(scaleOutCores).toBeCloseTo(targetCoreShare, 2);
    // In orders: hundreds per second per pod before a scale-out, not a handful (about 260 on
    // the slowest machine day measured, see the page).
    expect(scaleOutCores / (orderCpuMs / 1000)).toBeGreaterThanOrEqual(200);
  });
});
