// The Dockerfile, .dockerignore and docker-compose.yml, checked statically against the app
// (no Docker needed; scripts/compose-smoke.sh proves the same files in a real engine).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { BlockList } from "node:net";
import path from "node:path";
import { parse } from "yaml";
import { environmentSchema } from "../../src/config";
import { SERVICE_COMMAND } from "../../bench/support/service";

const root = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

// ---------------------------------------------------------------------------------------------
// Dockerfile: instructions with continuations joined and comments dropped, split into stages.
interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

function parseDockerfile(text: string) {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    pending += line.replace(/\\\s*$/, " ");
    if (/\\\s*$/.test(line)) continue;
    const match = /^\s*(\w+)\s+(.*)$/s.exec(pending);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim() });
    pending = "";
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [image = "", , name] = instruction.args.split(/\s+/);
      const from = image.replace(/^\$\{(\w+)\}$/, (_m, arg: string) => globalArgs.get(arg) ?? "");
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name = "", value = ""] = instruction.args.split("=", 2);
      globalArgs.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { instructions, stages };
}

const dockerfile = parseDockerfile(read("Dockerfile"));
const runtime = dockerfile.stages.at(-1)!;
const inRuntime = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);
const execForm = (instruction: Instruction | undefined) =>
  JSON.parse(instruction?.args.replace(/^CMD\s+/, "") ?? "null") as unknown;

/** `COPY [--flags] src... dest` -> sources, only for copies from the build context. */
function contextCopySources(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === "COPY" && !/--from=/.test(i.args))
    .flatMap((i) =>
      i.args
        .split(/\s+/)
        .filter((word) => !word.startsWith("--"))
        .slice(0, -1),
    );
}

/** Names set by ENV (both `ENV A=1 B=2` and the legacy `ENV A 1` forms). */
function envNames(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === "ENV")
    .flatMap((i) =>
      i.args.includes("=")
        ? [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1]!)
        : [i.args.split(/\s+/)[0]!],
    );
}

// ---------------------------------------------------------------------------------------------
// .env.example and the config schema: the names the service understands.
const exampleNames = read(".env.example")
  .split("\n")
  .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
  .filter((name): name is string => name !== undefined);
const exampleValues = Object.fromEntries(
  read(".env.example")
    .split("\n")
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);
const schemaNames = Object.keys(environmentSchema.shape);
const port = Number(exampleValues.PORT);

/** The commands `node dist/cli.js <command>` accepts (keys of its `commands` table). */
const cliSource = read("src/cli.ts");
const cliCommands = [
  ...(/const commands[^{]*\{([^}]*)\}/.exec(cliSource)?.[1] ?? "").matchAll(/"?([\w-]+)"?\s*:/g),
].map((m) => m[1]!);

// ---------------------------------------------------------------------------------------------
// docker-compose.yml, with `${VAR:-default}` resolved to its default as a clean shell would.
interface ComposeService {
  image?: string;
  develop?: { watch?: { action: string; path: string }[] };
  tmpfs?: string[];
  security_opt?: string[];
  build?: { context: string } | string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  env_file?: unknown;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  profiles?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
  read_only?: boolean;
  user?: string;
  privileged?: boolean;
  cap_drop?: string[];
  networks?: Record<string, { ipv4_address?: string } | null> | string[];
}
interface ComposeNetwork {
  ipam?: { config?: { subnet?: string; ip_range?: string; gateway?: string }[] };
}
const interpolate = (text: string) =>
  text.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback = "") => fallback);
const compose = parse(interpolate(read("docker-compose.yml")), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, ComposeNetwork>;
};
const services = compose.services;
const api = services.api!;
const apiEnv = Object.fromEntries(
  Object.entries(api.environment ?? {}).map(([k, v]) => [k, v === null ? "" : String(v)]),
);
const appServices = Object.entries(services).filter(([, s]) => s.image === api.image);
const seconds = (duration: string) => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`unreadable duration ${duration}`);
  return Number(match[1]) / { ms: 1000, s: 1, m: 1 / 60 }[match[2] as "ms" | "s" | "m"];
};
const publishedPorts = (service: ComposeService) =>
  (service.ports ?? []).map((spec) => {
    const parts = spec.split(":");
    return { hostIp: parts.length === 3 ? parts[0] : undefined, container: Number(parts.at(-1)) };
  });

// ---------------------------------------------------------------------------------------------
describe("Dockerfile", () => {
  it("is multi-stage: installs with the lockfile before sources, builds, prunes to production deps", () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const run = (stage: Stage) =>
      stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    const installStage = dockerfile.stages.find((s) =>
      run(s).some((r) => /npm ci(?!.*--omit)/.test(r)),
    );
    const prodStage = dockerfile.stages.find((s) =>
      run(s).some((r) => /npm ci .*--omit=dev/.test(r)),
    );
    expect(installStage).toBeDefined();
    expect(prodStage).toBeDefined();
    // Layer order that keeps `npm ci` cached while src/ changes: the lockfile comes first.
    for (const stage of [installStage!, prodStage!]) {
      const copies = contextCopySources(stage);
      expect(copies).toContain("package-lock.json");
      expect(copies).not.toContain("src");
    }
    const buildStage = dockerfile.stages.find((s) => run(s).some((r) => /npm run build/.test(r)));
    expect(contextCopySources(buildStage!)).toContain("src");
  });

  it("runs on a Node 24 Debian base that matches the project's engines", () => {
    expect(runtime.from).toMatch(
      /^(node:24-bookworm-slim|gcr\.io\/distroless\/nodejs24-debian12)(@sha256:[a-f0-9]+|:nonroot)?$/,
    );
    expect(read(".nvmrc").trim()).toBe("24");
    expect(JSON.parse(read("package.json")).engines.node).toMatch(/^>=24\b/);
    // Pinned to Node 24 in the tag or, for distroless, in the name; a digest pin is better still.
    const stageNames = dockerfile.stages.map((stage) => stage.name);
    for (const stage of dockerfile.stages.filter((s) => !stageNames.includes(s.from))) {
      expect(stage.from).toMatch(/(node:|nodejs)24\b/);
      expect(stage.from).not.toMatch(/:latest$/);
    }
  });

  it("ships only dist/, migrations/, production node_modules, their SBOM and package.json", () => {
    expect(contextCopySources(runtime).sort()).toEqual(["migrations", "package.json"]);
    const fromStages = inRuntime("COPY")
      .filter((i) => /--from=/.test(i.args))
      .map((i) => i.args.split(/\s+/).filter((w) => !w.startsWith("--"))[0]);
    expect(fromStages).toEqual(
      expect.arrayContaining(["/app/node_modules", "/app/dist", "/app/sbom.cdx.json"]),
    );
    expect(fromStages.every((source) => !/src|test|\.env/.test(source!))).toBe(true);
  });

  it("runs as a numeric non-root user", () => {
    const users = inRuntime("USER");
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.args.split(":").map(Number);
    expect(uid).toBeGreaterThanOrEqual(10000);
    expect(gid).toBeGreaterThanOrEqual(10000);
  });

  it("starts node directly in exec form, so SIGTERM reaches the service (no npm, no shell)", () => {
    const [entrypoint] = inRuntime("ENTRYPOINT");
    const [cmd] = inRuntime("CMD");
    expect(execForm(entrypoint)).toEqual([
      "node",
      "--max-semi-space-size=8",
      "--require",
      "./dist/telemetry.js",
      "dist/cli.js",
    ]);
    expect(execForm(cmd)).toEqual(["serve"]);
    expect(cliCommands).toEqual(expect.arrayContaining(["serve", "migrate", "reconcile"]));
  });

  it("gives npm start and the bench the node flags of the image's entry point", () => {
    const [entrypoint] = inRuntime("ENTRYPOINT");
    const imageFlags = (execForm(entrypoint) as string[]).slice(1, -1);
    const start = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts
      .start!;
    expect(start).toBe(["node", ...imageFlags, "dist/main.js"].join(" "));
    expect(SERVICE_COMMAND).toEqual([...imageFlags, "dist/main.js"]);
  });

  it("preloads the OpenTelemetry module built from src/telemetry.ts before every process it starts", () => {
    const [entrypoint] = inRuntime("ENTRYPOINT");
    const [node, , flag, preload, cli] = execForm(entrypoint) as string[];
    expect([node, flag]).toEqual(["node", "--require"]);
    expect(
      existsSync(path.join(root, preload!.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"))),
    ).toBe(true);
    // Before dist/cli.js, so the instrumented modules load after the SDK whichever command runs.
    expect(cli).toBe("dist/cli.js");
  });

  it("bakes in no environment-specific config: only NODE_ENV=production and PATH", () => {
    for (const stage of dockerfile.stages) {
      const configured = envNames(stage).filter((name) => schemaNames.includes(name));
      expect(configured.filter((name) => name !== "NODE_ENV")).toEqual([]);
    }
    expect(envNames(runtime).sort()).toEqual(["NODE_ENV", "PATH"]);
    expect(inRuntime("ENV").some((i) => /NODE_ENV=production\b/.test(i.args))).toBe(true);
    const args = dockerfile.instructions.filter((i) => i.keyword === "ARG").map((i) => i.args);
    expect(args.filter((arg) => schemaNames.includes(arg.split("=")[0]!))).toEqual([]);
  });

  it("exposes PORT and checks health with node alone (no shell, no curl)", () => {
    expect(inRuntime("EXPOSE").map((i) => Number(i.args))).toEqual([port]);
    const [healthcheck] = inRuntime("HEALTHCHECK");
    const command = execForm({
      keyword: "HEALTHCHECK",
      args: healthcheck!.args.replace(/^(--\S+\s+)*/, ""),
    }) as string[];
    expect(command.slice(0, 2)).toEqual(["node", "-e"]);
    expect(command[2]).toContain("/health/ready");
  });

  it("makes its SBOM with `npm run sbom`, the command `make sbom` runs, from the production dependencies", () => {
    const sbom = dockerfile.stages.find((stage) =>
      stage.instructions.some((i) => i.keyword === "RUN" && i.args === "npm run sbom"),
    );
    expect(sbom).toBeDefined();
    const script = JSON.parse(read("package.json")).scripts.sbom as string;
    expect(script).toMatch(/^cyclonedx-npm .*--omit dev/);
    expect(script).toContain("--output-reproducible"); // a cached layer until the lockfile changes
    expect(
      inRuntime("COPY").some(
        (i) => i.args === `--from=${sbom!.name} /app/sbom.cdx.json ./sbom.cdx.json`,
      ),
    ).toBe(true);
    expect(read("mk/docker.mk")).toMatch(/^sbom:.*##.*\n\tnpm run sbom$/m);
  });

  it("caches npm's downloads in a BuildKit cache mount, never in a layer", () => {
    const installs = dockerfile.instructions.filter(
      (i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args),
    );
    expect(installs).toHaveLength(2);
    for (const install of installs) {
      expect(install.args).toMatch(/^--mount=type=cache,[^ ]*target=\/var\/cache\/npm /);
    }
    const cacheDirs = dockerfile.instructions
      .filter((i) => i.keyword === "ENV")
      .flatMap((i) => [...i.args.matchAll(/NPM_CONFIG_CACHE=(\S+)/g)].map((m) => m[1]));
    expect(new Set(cacheDirs)).toEqual(new Set(["/var/cache/npm"]));
    expect(read("Dockerfile")).not.toMatch(/^# *syntax=/m); // the lab, and CI, pull no frontend
  });

  it("labels the image with OCI source, revision and version from build args", () => {
    const labels = inRuntime("LABEL")
      .map((i) => i.args)
      .join(" ");
    for (const [key, arg] of [
      ["source", "SOURCE"],
      ["revision", "REVISION"],
      ["version", "VERSION"],
    ]) {
      expect(labels).toContain(`org.opencontainers.image.${key}="\${${arg}}"`);
      expect(inRuntime("ARG").some((i) => i.args.startsWith(`${arg}=`))).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe(".dockerignore", () => {
  // Docker's rule: the last pattern matching a path or one of its parent folders decides.
  const rules = read(".dockerignore")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const negated = line.startsWith("!");
      const glob = line.replace(/^!/, "").replace(/^\/|\/$/g, "");
      const source = glob
        .split("/")
        .map((part) =>
          part === "**"
            ? "(?:.*)"
            : part
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/")
        .replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
      return { negated, pattern: new RegExp(`^${source}$`) };
    });
  const isSent = (file: string) => {
    const parts = file.split("/");
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let sent = true;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.pattern.test(candidate))) sent = rule.negated;
    }
    return sent;
  };

  it("denies everything first, then allows only what the Dockerfile copies", () => {
    expect(rules[0]).toEqual({ negated: false, pattern: /^[^/]*$/ });
    const copied = new Set(dockerfile.stages.flatMap(contextCopySources));
    for (const source of copied) expect(isSent(source)).toBe(true);
    const allowed = rules
      .filter((r) => r.negated)
      .map((r) => r.pattern.source.replace(/^\^|\$$/g, ""));
    expect(allowed.map((a) => a.replace(/\\/g, "")).sort()).toEqual([...copied].sort());
  });

  it.each([
    ".env",
    ".env.local",
    "node_modules/express/index.js",
    "src/node_modules/x.js",
    ".git/HEAD",
    "test/unit/config.test.ts",
    "src/config.test.ts",
    "dist/main.js",
    "coverage/lcov.info",
    "k8s/base/deployment.yaml",
    "docker-compose.yml",
    "README.md",
  ])("keeps %s out of the build context", (file) => {
    expect(isSent(file)).toBe(false);
  });

  it.each(["src/main.ts", "src/http/server.ts", "migrations/0001.sql", "package-lock.json"])(
    "sends %s",
    (file) => {
      expect(isSent(file)).toBe(true);
    },
  );
});

// ---------------------------------------------------------------------------------------------
describe("docker-compose.yml", () => {
  it("runs the service, its migration and the fakes from the one image it builds", () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        "api",
        "migrate",
        "products",
        "payments",
        "identity",
        "postgres",
        "redis",
      ]),
    );
    for (const [name, service] of appServices) {
      // Each can build it, so `up` never tries to pull an image that only exists locally.
      expect([name, service.build]).toEqual([name, expect.objectContaining({ context: "." })]);
      expect(service.command).toHaveLength(1);
      expect(cliCommands).toContain(service.command![0]);
      expect(service.user).toBeUndefined(); // the image's numeric user
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(["ALL"]);
    }
    expect(appServices.map(([name]) => name).sort()).toEqual(
      ["api", "identity", "migrate", "payments", "products"].sort(),
    );
    expect(services.migrate!.command).toEqual(["migrate"]);
    expect(services.api!.command).toEqual(["serve"]);
  });

  it("sets every variable of .env.example for api, and nothing the service does not know", () => {
    expect(Object.keys(apiEnv).sort()).toEqual([...exampleNames].sort());
    expect(Object.keys(apiEnv).filter((name) => !schemaNames.includes(name))).toEqual([]);
    expect(api.env_file).toBeUndefined(); // never a .env
    expect(() => environmentSchema.parse(apiEnv)).not.toThrow();
    expect(apiEnv.NODE_ENV).toBe("production");
    // Backing services by their compose names, not the host's 127.0.0.1.
    expect(new URL(apiEnv.DATABASE_URL!).hostname).toBe("postgres");
    expect(new URL(apiEnv.REDIS_URL!).hostname).toBe("redis");
    expect(new URL(apiEnv.PRODUCT_API_URL!).hostname).toBe("products");
    expect(new URL(apiEnv.PAYMENT_API_URL!).hostname).toBe("payments");
    expect(new URL(apiEnv.AUTH_JWKS_URL!).hostname).toBe("identity");
  });

  it("commits only obviously fake secrets, and the fake gateway accepts the api's key", () => {
    expect(apiEnv.PAYMENT_API_KEY).toMatch(/fake/);
    expect(new URL(apiEnv.DATABASE_URL!).password).toMatch(/fake/);
    expect(String(services.payments!.environment?.FAKE_PAYMENT_API_KEY)).toBe(
      apiEnv.PAYMENT_API_KEY,
    );
    const postgresEnv = services.postgres!.environment ?? {};
    expect(new URL(apiEnv.DATABASE_URL!).password).toBe(postgresEnv.POSTGRES_PASSWORD);
    expect(new URL(apiEnv.DATABASE_URL!).username).toBe(postgresEnv.POSTGRES_USER);
    expect(new URL(apiEnv.DATABASE_URL!).pathname).toBe(`/${postgresEnv.POSTGRES_DB}`);
  });

  it("matches the ports: api on PORT behind the proxy, fakes on the ports the api calls", () => {
    expect(Number(apiEnv.PORT)).toBe(port);
    expect(api.expose).toEqual([String(port)]);
    expect(api.ports).toBeUndefined(); // `--scale api=3` cannot clash on a host port
    const proxy = services.proxy!;
    expect(publishedPorts(proxy)).toEqual([{ hostIp: "127.0.0.1", container: port }]);
    const haproxy = read("deploy/compose/proxy/haproxy.cfg");
    expect(haproxy).toMatch(new RegExp(`^\\s*bind :${port}$`, "m"));
    expect(haproxy).toMatch(new RegExp(`^\\s*server-template \\w+ \\d+ api:${port}\\b`, "m"));
    expect(haproxy).toMatch(/http-check send meth GET uri \/health\/ready/);
    for (const [name, url] of [
      ["products", apiEnv.PRODUCT_API_URL],
      ["payments", apiEnv.PAYMENT_API_URL],
      ["identity", apiEnv.AUTH_JWKS_URL],
    ] as const) {
      const fakePort = Number(new URL(url!).port);
      expect(Number(services[name]!.environment?.PORT)).toBe(fakePort);
      expect(publishedPorts(services[name]!)).toEqual([
        { hostIp: "127.0.0.1", container: fakePort },
      ]);
    }
  });

  it("publishes nothing beyond loopback, and Postgres and Redis not at all", () => {
    expect(services.postgres!.ports).toBeUndefined();
    expect(services.redis!.ports).toBeUndefined();
    for (const service of Object.values(services)) {
      for (const published of publishedPorts(service)) expect(published.hostIp).toBe("127.0.0.1");
      expect(service.privileged).toBeUndefined();
    }
  });

  it("pins the official images' majors and checks their health natively", () => {
    expect(services.postgres!.image).toMatch(/^postgres:\d+$/);
    expect(services.redis!.image).toMatch(/^redis:\d+$/);
    expect(services.postgres!.healthcheck?.test).toEqual(expect.arrayContaining(["pg_isready"]));
    expect(services.redis!.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(services.postgres!.volumes).toEqual(["postgres-data:/var/lib/postgresql/data"]);
    expect(compose.volumes).toHaveProperty("postgres-data");
  });

  it("starts api only after healthy backing services and a successful migration", () => {
    expect(api.depends_on).toMatchObject({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
      migrate: { condition: "service_completed_successfully" },
    });
    // The fakes, the identity provider among them, only need to have started: the api asks
    // them per request (and fetches the key set on the first token), never at start.
    for (const fake of ["products", "payments", "identity"]) {
      expect([fake, (api.depends_on as Record<string, unknown>)[fake]]).toEqual([
        fake,
        { condition: "service_started" },
      ]);
    }
    expect(services.migrate!.depends_on).toMatchObject({
      postgres: { condition: "service_healthy" },
    });
    expect(api.healthcheck?.test?.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
    expect(api.healthcheck?.test?.[3]).toContain("/health/ready");
  });

  it("believes X-Forwarded-For from the proxy's fixed address alone, never from the host", () => {
    const proxyNetworks = services.proxy!.networks as Record<string, { ipv4_address?: string }>;
    const proxyAddress = proxyNetworks.default?.ipv4_address;
    expect(apiEnv.TRUSTED_PROXIES).toBe(proxyAddress);
    const [pool] = compose.networks?.default?.ipam?.config ?? [];
    const inRange = (cidr: string | undefined, address: string) => {
      const [prefix = "", bits = ""] = (cidr ?? "").split("/");
      const range = new BlockList();
      range.addSubnet(prefix, Number(bits), "ipv4");
      return range.check(address, "ipv4");
    };
    // On the network, but outside the range other containers are given, so none can take it
    // before the proxy starts (it starts last, after a healthy api).
    expect(inRange(pool?.subnet, proxyAddress!)).toBe(true);
    expect(inRange(pool?.ip_range, proxyAddress!)).toBe(false);
    // Requests from the host reach the proxy from the gateway: never believed.
    expect(pool?.gateway).toBeDefined();
    expect(apiEnv.TRUSTED_PROXIES!.split(",")).not.toContain(pool?.gateway);
    expect(apiEnv.TRUSTED_PROXIES).not.toContain("/"); // an address, not a range
    const haproxy = read("deploy/compose/proxy/haproxy.cfg");
    expect(haproxy).toMatch(/^\s*option forwardfor\b/m);
  });

  it("lets the graceful shutdown finish before docker kills the container", () => {
    const budget = (Number(apiEnv.SHUTDOWN_DELAY_MS) + Number(apiEnv.SHUTDOWN_TIMEOUT_MS)) / 1000;
    expect(seconds(api.stop_grace_period ?? "10s")).toBeGreaterThan(budget);
  });

  it("takes no service setting from the shell or a .env: nothing in an environment is `${...}`", () => {
    const raw = parse(read("docker-compose.yml"), { merge: true }) as typeof compose;
    for (const [name, service] of Object.entries(raw.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        expect([name, key, String(value)]).toEqual([name, key, expect.not.stringContaining("${")]);
      }
      expect([name, service.env_file]).toEqual([name, undefined]);
    }
  });

  it("runs Fluent Bit like the Kubernetes sidecar: its own uid in the app's group, read-only, no capabilities", () => {
    const fluentBit = services["fluent-bit"]!;
    expect(fluentBit.user).toBe("10002:10001");
    expect(fluentBit.read_only).toBe(true);
    expect(fluentBit.cap_drop).toEqual(["ALL"]);
    expect(fluentBit.security_opt).toEqual(["no-new-privileges:true"]);
    // Its tail offsets on a tmpfs it owns: a named volume would start out root's.
    expect(fluentBit.tmpfs).toEqual(["/fluent-bit/state:uid=10002,gid=10001,mode=0700"]);
    expect(fluentBit.volumes?.every((v) => v.endsWith(":ro"))).toBe(true);
  });

  it("rebuilds and replaces api on a change in src/ under `docker compose watch`", () => {
    expect(api.develop?.watch).toEqual(
      expect.arrayContaining([{ action: "rebuild", path: "./src" }]),
    );
    for (const { path: watched } of api.develop?.watch ?? []) {
      expect(existsSync(path.join(root, watched))).toBe(true);
    }
  });

  it("points the api at the profile's Jaeger, exporter and log volume only through deploy/compose/observability.yaml", () => {
    const overlay = parse(read("deploy/compose/observability.yaml")) as {
      services: Record<string, ComposeService>;
    };
    expect(Object.keys(overlay.services)).toEqual(["api"]);
    const env = overlay.services.api!.environment ?? {};
    const otlp = new URL(String(env.OTEL_EXPORTER_OTLP_ENDPOINT));
    const collector = services[otlp.hostname]!;
    expect(collector.profiles).toEqual(["observability"]);
    expect(collector.image).toMatch(/^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
    expect(collector.expose).toContain(otlp.port); // OTLP/HTTP (4318)
    expect(env.OTEL_SERVICE_NAME).toBe("order-service");
    expect(services[String(env.STATSD_HOST)]?.profiles).toEqual(["observability"]);
    const logDir = path.dirname(String(env.LOG_FILE));
    expect(api.volumes).toContain(`app-logs:${logDir}`);
    expect(services["fluent-bit"]!.volumes).toContain(`app-logs:${logDir}:ro`);
    // Without the second file: nothing exported, no metrics, no log copy.
    expect(Object.keys(apiEnv).filter((name) => name.startsWith("OTEL_"))).toEqual([]);
    expect([apiEnv.STATSD_HOST, apiEnv.LOG_FILE]).toEqual(["", ""]);
  });

  it("keeps observability behind a profile, with the images and files of the k8s sidecars", () => {
    const k8sImages = [
      read("k8s/base/deployment.yaml"),
      read("k8s/components/log-shipping/deployment-patch.yaml"),
    ].join("\n");
    for (const name of ["statsd-exporter", "fluent-bit"]) {
      const service = services[name]!;
      expect(service.profiles).toEqual(["observability"]);
      expect(service.image).toMatch(/:v?\d+\.\d+\.\d+$/);
      expect(k8sImages).toContain(`image: ${service.image}`);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0]!;
        if (source.startsWith(".")) expect(existsSync(path.join(root, source))).toBe(true);
      }
    }
    // No stand-in exists for these images in the container lab: a plain `up` never pulls them.
    const behindProfile = Object.entries(services).filter(([, s]) => s.profiles);
    expect(behindProfile.map(([n]) => n).sort()).toEqual(
      ["fluent-bit", "grafana", "jaeger", "prometheus", "statsd-exporter"].sort(),
    );
    for (const [name, service] of behindProfile) {
      expect([name, service.profiles]).toEqual([name, ["observability"]]);
      expect([name, service.image]).toEqual([name, expect.stringMatching(/:v?\d+\.\d+\.\d+$/)]);
      expect([name, service.read_only, service.cap_drop]).toEqual([name, true, ["ALL"]]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// What Compose itself makes of the files (`docker compose config`), where it is installed.
const composeVersion = spawnSync("docker", ["compose", "version", "--short"], { encoding: "utf8" });
const describeWithCompose = composeVersion.status === 0 ? describe : describe.skip;

// The shell's value would win over the .env's, hiding what compose reads from a .env.
const withoutShellOverrides = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !["LOG_FILE", "STATSD_HOST"].includes(name) && !name.startsWith("OTEL_"),
  ),
);

describeWithCompose(`docker compose config (Compose ${composeVersion.stdout.trim()})`, () => {
  let project: string;
  const config = (...args: string[]) => {
    const result = spawnSync(
      "docker",
      ["compose", "--project-directory", root, ...args, "config", "--format", "json"],
      { cwd: project, encoding: "utf8", env: withoutShellOverrides },
    );
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout) as { services: Record<string, ComposeService> };
  };
  const composeFile = () => ["-f", path.join(root, "docker-compose.yml")];
  const observe = () => [
    ...composeFile(),
    "-f",
    path.join(root, "deploy/compose/observability.yaml"),
    "--profile",
    "observability",
  ];

  beforeAll(() => {
    // A developer's .env as `npm run dev` reads it: host paths and loopback addresses.
    project = mkdtempSync(path.join(tmpdir(), "compose-env-"));
    writeFileSync(
      path.join(project, ".env"),
      "LOG_FILE=./logs/app.log\nSTATSD_HOST=127.0.0.1\nOTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318\n",
    );
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("ignores a developer's .env: the api's settings are the compose file's", () => {
    const env = config(...composeFile(), "--env-file", path.join(project, ".env")).services.api!
      .environment!;
    expect([env.LOG_FILE, env.STATSD_HOST, env.OTEL_EXPORTER_OTLP_ENDPOINT]).toEqual([
      "",
      "",
      undefined,
    ]);
  });

  it("runs no observability service and exports nothing without the profile", () => {
    const plain = config(...composeFile());
    expect(Object.keys(plain.services)).not.toEqual(expect.arrayContaining(["jaeger"]));
    expect(plain.services.api!.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it("with the profile and its file, the api exports to the Jaeger that runs with it", () => {
    const observed = config(...observe());
    expect(observed.services.api!.environment).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318",
      STATSD_HOST: "statsd-exporter",
      LOG_FILE: "/var/log/app/app.log",
    });
    expect(Object.keys(observed.services)).toEqual(
      expect.arrayContaining(["jaeger", "statsd-exporter", "fluent-bit"]),
    );
    // Everything else the api has is what it has without the profile.
    const plainEnv = config(...composeFile()).services.api!.environment!;
    for (const [name, value] of Object.entries(plainEnv)) {
      if (["STATSD_HOST", "LOG_FILE"].includes(name)) continue;
      expect([name, observed.services.api!.environment![name]]).toEqual([name, value]);
    }
  });
});
