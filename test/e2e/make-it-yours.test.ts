// `npm run make-it-yours` proven on a copy of this work tree (issue 13): the renamed copy
// type-checks, passes the manifest tests (kustomize render, strict schema, policy) and the
// alert rule tests (promtool), and the old name survives nowhere it is an identity.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { copyWorkTree, git } from "../support/work-tree-copy";

const NEW_NAME = "inventory-api";
const OLD_NAMES = /order-service|order_service|OrderService/;

/**
 * Where the template's name may stay, and why: none of them is an identity.
 * - the orders domain's own code module (`OrderService`, `orders/order-service`): code, not a name;
 * - the README's and package.json's line on the template it was made from;
 * - the command itself and its guide, which name the template they act on.
 */
const ALLOWED: readonly RegExp[] = [
  /^(src|test)\/.*:.*\b(OrderService(Dependencies)?\b|orders\/order-service")/,
  /^README\.md:\d+:> Made from the `order-service` template/,
  /^package\.json:\d+:\s+"description": ".*made from the order-service template"/,
  /^scripts\/make-it-yours(\.ts|\/)/,
  /^test\/(e2e\/make-it-yours\.test\.ts|support\/work-tree-copy\.ts):/,
  /^docs\/make-it-yours\.md:/,
];

const tsx = path.resolve("node_modules/.bin/tsx");

function makeItYours(copy: string, ...args: string[]) {
  const run = spawnSync(tsx, ["scripts/make-it-yours.ts", ...args], {
    cwd: copy,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs `command` in `cwd` to its end without blocking jest's own timers. */
function run(cwd: string, command: string, args: string[]) {
  return new Promise<{ status: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: "0" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (status) => resolve({ status, output }));
  });
}

const isClean = (copy: string) => git(copy, "status", "--porcelain") === "";

describe("npm run make-it-yours", () => {
  let copy: string;

  beforeAll(() => {
    copy = copyWorkTree();
  }, 60_000);
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("refuses a name that is no kebab-case DNS label, says why, and changes nothing", () => {
    const refused = makeItYours(copy, "--name", "Inventory_API");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('invalid --name "Inventory_API"');
    expect(refused.stderr).toContain('not "I", "_", "A", "P"');
    expect(refused.stderr).toContain("Nothing was changed.");
    expect(isClean(copy)).toBe(true);
  });

  it("refuses a work tree with uncommitted changes unless --force", () => {
    writeFileSync(path.join(copy, "notes.txt"), "work in progress\n");
    try {
      const refused = makeItYours(copy, "--name", NEW_NAME);
      expect(refused.status).toBe(3);
      expect(refused.stderr).toContain("?? notes.txt");
      expect(git(copy, "status", "--porcelain")).toBe("?? notes.txt\n");
    } finally {
      rmSync(path.join(copy, "notes.txt"));
    }
  });

  describe(`renaming to ${NEW_NAME}`, () => {
    let summary: string;

    beforeAll(() => {
      const renamed = makeItYours(copy, "--name", NEW_NAME);
      expect(renamed.stderr).toBe("");
      expect(renamed.status).toBe(0);
      summary = renamed.stdout;
      git(copy, "add", "-A"); // so git tells a moved file from a removed one and a new one
    }, 60_000);

    it("prints every file it changed and the two commands to run next", () => {
      expect(summary).toMatch(/^make-it-yours: order-service -> inventory-api$/m);
      const changed = git(copy, "status", "--porcelain").trim().split("\n");
      expect(summary).toContain(`Changed ${changed.length} files:`);
      for (const file of ["package.json", "docker-compose.yml", "k8s/base/deployment.yaml"]) {
        expect(summary).toMatch(new RegExp(`^  ${file.replaceAll(".", "\\.")} `, "m"));
      }
      expect(summary).toMatch(/Next:\n {2}npm test\n {2}git add -A && git commit .*\n$/);
    });

    it("leaves the old name nowhere it is an identity", () => {
      const leftovers = git(copy, "grep", "-n", "-I", "-E", OLD_NAMES.source)
        .split("\n")
        .filter((line) => line !== "" && !ALLOWED.some((allowed) => allowed.test(line)));
      expect(leftovers).toEqual([]);
    });

    it("renames the identities the service is known by", () => {
      const manifest = JSON.parse(readFileSync(path.join(copy, "package.json"), "utf8")) as {
        name: string;
      };
      expect(manifest.name).toBe(NEW_NAME);
      const compose = parse(readFileSync(path.join(copy, "docker-compose.yml"), "utf8")) as {
        name: string;
      };
      expect(compose.name).toBe(NEW_NAME);
      const settings = readFileSync(path.join(copy, "src/telemetry/telemetry-settings.ts"), "utf8");
      expect(settings).toContain(`"${NEW_NAME}"`);
      expect(readFileSync(path.join(copy, ".env.example"), "utf8")).toMatch(
        /^DATABASE_URL=\S+\/inventory_api_dev$/m,
      );
      expect(git(copy, "ls-files", "k8s/components/prometheus-rules")).toContain(
        "inventory-api.rules.yaml",
      );
    });

    it("leaves a copy that type-checks and passes the manifest and alert rule tests", async () => {
      const [typeCheck, manifests] = await Promise.all([
        run(copy, "node_modules/.bin/tsc", ["--noEmit"]),
        run(copy, "node_modules/.bin/jest", ["--selectProjects", "manifests", "--silent"]),
      ]);
      expect(typeCheck).toEqual({ status: 0, output: "" });
      expect(manifests.output).toMatch(/Tests: .*\d+ passed/);
      expect(manifests.output).not.toMatch(/\d+ failed/);
      expect(manifests.status).toBe(0);
    }, 120_000);

    it("changes nothing when run again with the same name", () => {
      git(copy, "commit", "-q", "-m", "renamed");
      const again = makeItYours(copy, "--name", NEW_NAME);
      expect(again.status).toBe(0);
      expect(again.stdout).toContain(`Nothing to change: this repository is already ${NEW_NAME}.`);
      expect(isClean(copy)).toBe(true);
    });
  });
});

describe("npm run make-it-yours --without-fakes", () => {
  let copy: string;
  let summary: string;

  beforeAll(() => {
    copy = copyWorkTree();
    const removed = makeItYours(copy, "--name", NEW_NAME, "--without-fakes");
    expect(removed.status).toBe(0);
    summary = removed.stdout;
  }, 60_000);
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("removes the fake upstreams and the identity provider from compose", () => {
    const text = readFileSync(path.join(copy, "docker-compose.yml"), "utf8");
    const services = Object.keys((parse(text) as { services: object }).services);
    expect(services).toContain("api");
    for (const fake of ["products", "payments", "identity"]) expect(services).not.toContain(fake);
    // Compose stops and names the setting until it is given.
    expect(text).toContain('PRODUCT_API_URL: "${PRODUCT_API_URL:?set PRODUCT_API_URL: ');
  });

  it("removes them from the kind overlay, which still renders, and names what to fill in", () => {
    const render = spawnSync("kubectl", ["kustomize", "k8s/overlays/kind"], {
      cwd: copy,
      encoding: "utf8",
    });
    expect(render.stderr).toBe("");
    expect(render.stdout).toContain(`name: ${NEW_NAME}`);
    expect(render.stdout).not.toMatch(
      /name: (product-service|payment-service|identity-provider)$/m,
    );
    expect(summary).toMatch(
      /k8s\/overlays\/kind\/kustomization\.yaml: PRODUCT_API_URL, PAYMENT_API_URL, AUTH_JWKS_URL/,
    );
  });

  it("keeps the fakes npm run dev and the tests use", () => {
    for (const fake of ["product-service.ts", "payment-service.ts", "identity-provider.ts"]) {
      expect(git(copy, "ls-files", `src/fakes/${fake}`)).toBe(`src/fakes/${fake}\n`);
    }
  });
});
