// The native sidecars: how they are declared, and Fluent Bit's config wired to the app's
// LOG_FILE, its volumes, its probe and (with the loki component) Loki.
import path from "node:path";
import { environmentSchema } from "../../src/config";
import { containerEnv } from "./support/container-env";
import {
  envReferences,
  globToRegExp,
  parseClassicConfig,
  sectionsNamed,
  type Section,
} from "./support/fluent-bit-config";
import { fluentBitConfig, fluentBitContainer, mountedFiles } from "./support/mounted-files";
import { describeRendered, render, targetNames } from "./support/render";
import { containerOf, podOf, type PodTemplate } from "./support/workloads";

const entry = (sections: Section[], name: string, plugin: string | undefined, key: string) =>
  sectionsNamed(sections, name, plugin)[0]?.entries[key];

const volumeAt = (pod: PodTemplate, containerName: string, mountPath: string) => {
  const mount = containerOf(pod, containerName).volumeMounts?.find(
    (m) => m.mountPath === mountPath,
  );
  return { mount, volume: pod.spec.volumes?.find((v) => v.name === mount?.name) };
};

describeRendered("sidecars", () => {
  describe.each(targetNames)("%s", (target) => {
    const objects = render(target);
    const pod = podOf(objects, "Deployment", "order-service");
    const app = containerOf(pod, "order-service");
    const appEnv = environmentSchema.parse(containerEnv(objects, pod, app).values);
    const fluentBit = fluentBitContainer(pod);
    const sections = fluentBitConfig(objects, pod) ?? [];
    const files = fluentBit ? mountedFiles(objects, pod, fluentBit) : {};

    it("are native sidecars (restartable init containers) with pinned major versions", () => {
      const sidecars = (pod.spec.initContainers ?? []).map((c) => [c.image, c.restartPolicy]);
      expect(sidecars).toEqual(
        expect.arrayContaining([
          [expect.stringMatching(/^prom\/statsd-exporter:v0\.\d+\.\d+$/), "Always"],
          [expect.stringMatching(/^fluent\/fluent-bit:3\.\d+\.\d+$/), "Always"],
        ]),
      );
      expect(pod.spec.containers.map((c) => c.name)).toEqual(["order-service"]);
    });

    it("the app writes only to /tmp and LOG_FILE's directory, both size-limited emptyDirs", () => {
      const mounts = (app.volumeMounts ?? []).map((m) => m.mountPath).sort();
      expect(mounts).toEqual(["/tmp", path.dirname(appEnv.LOG_FILE ?? "")].sort());
      for (const mountPath of mounts) {
        expect(volumeAt(pod, "order-service", mountPath).volume?.emptyDir?.sizeLimit).toBeDefined();
      }
      expect(app.securityContext?.readOnlyRootFilesystem).toBe(true);
    });

    it("Fluent Bit tails LOG_FILE and pino-roll's numbered files, on the shared volume", () => {
      const logFile = path.parse(appEnv.LOG_FILE ?? "");
      const tailPath = entry(sections, "INPUT", "tail", "path") ?? "";
      for (const name of [
        logFile.base,
        `${logFile.name}.1${logFile.ext}`,
        `${logFile.name}.2${logFile.ext}`,
      ]) {
        expect(path.join(logFile.dir, name)).toMatch(globToRegExp(tailPath));
      }
      const appSide = volumeAt(pod, "order-service", logFile.dir);
      const sidecarSide = volumeAt(pod, "fluent-bit", logFile.dir);
      expect(sidecarSide.mount?.name).toBe(appSide.mount?.name);
      expect(sidecarSide.mount?.readOnly).toBe(true);
    });

    it("keeps tail offsets on its own emptyDir", () => {
      const db = entry(sections, "INPUT", "tail", "db") ?? "";
      const state = volumeAt(pod, "fluent-bit", path.dirname(db));
      expect(state.volume?.emptyDir).toBeDefined();
      expect(state.mount?.readOnly).toBeFalsy();
      expect(state.mount?.name).not.toBe(volumeAt(pod, "fluent-bit", "/var/log/app").mount?.name);
    });

    it("parses pino's JSON lines and takes the record time from its epoch-ms `time`", () => {
      const parserName = entry(sections, "INPUT", "tail", "parser");
      const parsersFile = entry(sections, "SERVICE", undefined, "parsers_file") ?? "";
      expect(Object.keys(files)).toContain(parsersFile);
      const defined = parseClassicConfig(files[parsersFile] ?? "", parsersFile).sections;
      expect(defined.find((s) => s.entries.name === parserName)?.entries.format).toBe("json");

      const lua = sectionsNamed(sections, "FILTER", "lua")[0]?.entries ?? {};
      expect(files[lua.script ?? ""]).toMatch(
        new RegExp(`^function ${lua.call}\\(tag, timestamp, record\\)`, "m"),
      );
      expect(files[lua.script ?? ""]).toContain('record["time"]');
    });

    it("have no readiness probe: a sidecar that is not ready takes the whole pod out of its Service", () => {
      const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
      expect(sidecars.length).toBeGreaterThan(0);
      for (const sidecar of sidecars) {
        expect([sidecar.name, sidecar.readinessProbe]).toEqual([sidecar.name, undefined]);
        expect([sidecar.name, sidecar.livenessProbe?.httpGet?.path]).toEqual([
          sidecar.name,
          expect.any(String),
        ]);
      }
    });

    it("Fluent Bit's liveness follows its process (/api/v1/uptime), never the health of its outputs", () => {
      const service = sectionsNamed(sections, "SERVICE")[0]?.entries ?? {};
      expect(service.http_server).toBe("On");
      const port = fluentBit?.ports?.find((p) => p.name === fluentBit.livenessProbe?.httpGet?.port);
      expect(port?.containerPort).toBe(Number(service.http_port));
      expect(fluentBit?.livenessProbe?.httpGet?.path).toBe("/api/v1/uptime");
      // /api/v1/health fails after output errors (a Loki outage): nothing probes it, so it is off.
      expect(service.health_check ?? "Off").toBe("Off");
    });

    it("routes every record: each filter and output matches the input's tag", () => {
      const tag = (entry(sections, "INPUT", "tail", "tag") ?? "").replace(
        "*",
        "var.log.app.app.1.log",
      );
      for (const s of [
        ...sectionsNamed(sections, "FILTER"),
        ...sectionsNamed(sections, "OUTPUT"),
      ]) {
        expect([s.entries.name, tag]).toEqual([
          s.entries.name,
          expect.stringMatching(globToRegExp(s.entries.match ?? "")),
        ]);
      }
    });

    it("sends to stdout always, and to Loki exactly where LOKI_HOST and LOKI_PORT are set", () => {
      const env = fluentBit ? containerEnv(objects, pod, fluentBit).values : {};
      const outputs = sectionsNamed(sections, "OUTPUT").map((s) => s.entries.name);
      const lokiConfigured = env.LOKI_HOST !== undefined && env.LOKI_PORT !== undefined;
      expect(outputs).toContain("stdout");
      expect(outputs.includes("loki")).toBe(lokiConfigured);
      expect(lokiConfigured).toBe(target === "kind+loki");
      for (const name of envReferences(sections)) expect([name, name in env]).toEqual([name, true]);
    });
  });
});
