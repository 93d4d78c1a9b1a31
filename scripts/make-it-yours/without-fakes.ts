// `--without-fakes` over the repository: every compose file and every kustomize overlay.
import path from "node:path";
import { composeWithoutFakes } from "./compose-without-fakes";
import { UnsafeEditError } from "./edit-errors";
import { kindOf } from "./file-kinds";
import { overlayWithoutFakes } from "./kind-without-fakes";
import type { Plan } from "./plan";

export interface RequiredSettings {
  readonly file: string;
  readonly settings: readonly string[];
  /** What happens until they are filled in. */
  readonly until: string;
}

export interface FakesRemoved {
  readonly required: readonly RequiredSettings[];
  readonly unsure: readonly string[];
}

const isComposeFile = (file: string) =>
  /^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$/.test(file) ||
  (file.startsWith("deploy/compose/") && kindOf(file) === "yaml");

export function removeFakes(plan: Plan): FakesRemoved {
  const required: RequiredSettings[] = [];
  const unsure: string[] = [];
  for (const file of plan.files().filter(isComposeFile)) {
    let result;
    try {
      result = composeWithoutFakes(plan.read(file) ?? "");
    } catch (error) {
      throw new UnsafeEditError(file, error instanceof Error ? error.message : String(error));
    }
    if (result === undefined) continue;
    plan.write(
      file,
      result.text,
      `without the fakes: removed services ${result.removedServices.join(", ")}`,
    );
    if (result.requiredSettings.length > 0) {
      required.push({
        file,
        settings: result.requiredSettings,
        until: "`docker compose up` stops and names each one (set them in your shell or in .env)",
      });
    }
  }
  const overlays = plan
    .files()
    .filter((file) => /^k8s\/overlays\/[^/]+\/kustomization\.yaml$/.test(file))
    .map((file) => path.posix.dirname(file));
  for (const overlay of overlays) {
    let result;
    try {
      result = overlayWithoutFakes(plan, overlay);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnsafeEditError(overlay, reason);
    }
    if (result === undefined) continue;
    unsure.push(...result.unsure.map((object) => `${object}: involves the fakes; left unchanged`));
    if (result.requiredSettings.length > 0) {
      required.push({
        file: `${overlay}/kustomization.yaml`,
        settings: result.requiredSettings,
        until: "left empty: the service exits at start naming each one",
      });
      // The base denies all egress; each overlay allows what its backing services need.
      unsure.push(
        `${overlay}: no NetworkPolicy lets the service reach your real ` +
          "upstreams and identity provider yet (the base denies all egress); add egress for them",
      );
    }
  }
  return { required, unsure };
}
