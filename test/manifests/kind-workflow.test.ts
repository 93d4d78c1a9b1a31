// The kind workflow users run (mk/kind.mk, mk/docker.mk, scripts/): make targets executed for
// real, with stand-ins for docker, kind and kubectl (support/fake-cluster-tool.sh), so what
// each target builds, loads, applies and waits for is checked without an engine or a cluster.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { callOf, makeWithFakes } from "./support/make-with-fakes";
import { describeRendered, render, repoRoot } from "./support/render";
import { allContainers } from "./support/workloads";

const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
const shortCommit = git("rev-parse", "--short=12", "HEAD");
/** What scripts/image-tag.sh may print for this checkout: clean, or dirty with a content hash. */
const buildTag = new RegExp(`^${shortCommit}(-dirty-[0-9a-f]{12})?$`);

/** The third-party images the kind overlay runs (postgres, redis, the sidecars). */
const thirdPartyImages = () =>
  [
    ...new Set(
      allContainers(render("kind"))
        .map((ref) => ref.container.image ?? "")
        .filter((image) => !image.startsWith("order-service")),
    ),
  ].sort();

/** The tag `docker build -t order-service:<tag>` used in this run's log or dry-run output. */
const builtTag = (text: string) =>
  /docker build .*-t order-service:(?!dev\b)(\S+)/.exec(text)?.[1] ?? "(no unique tag built)";

describe("scripts/image-tag.sh", () => {
  let repo: string;
  const tag = () => execFileSync("scripts/image-tag.sh", { cwd: repo, encoding: "utf8" }).trim();
  const inRepo = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });

  beforeAll(() => {
    repo = mkdtempSync(path.join(tmpdir(), "image-tag-"));
    mkdirSync(path.join(repo, "scripts"));
    copyFileSync(
      path.join(repoRoot, "scripts/image-tag.sh"),
      path.join(repo, "scripts/image-tag.sh"),
    );
    writeFileSync(path.join(repo, "main.ts"), "export const answer = 42;\n");
    inRepo("init", "--quiet");
    inRepo("add", ".");
    inRepo("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "one");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("is the commit on a clean tree, and commit + a hash of the changes on a dirty one", () => {
    const commit = inRepo("rev-parse", "--short=12", "HEAD").trim();
    expect(tag()).toBe(commit);

    writeFileSync(path.join(repo, "main.ts"), "export const answer = 43;\n");
    const edited = tag();
    expect(edited).toMatch(new RegExp(`^${commit}-dirty-[0-9a-f]{12}$`));
    expect(tag()).toBe(edited); // the same change, the same tag

    writeFileSync(path.join(repo, "main.ts"), "export const answer = 44;\n");
    expect(tag()).not.toBe(edited); // another change, another image, another tag

    writeFileSync(path.join(repo, "main.ts"), "export const answer = 42;\n");
    writeFileSync(path.join(repo, "new-file.ts"), "export {};\n");
    expect(tag()).toMatch(new RegExp(`^${commit}-dirty-`)); // untracked files count too

    rmSync(path.join(repo, "new-file.ts"));
    expect(tag()).toBe(commit);
  });
});

describeRendered("the kind workflow (make with stand-ins for docker, kind and kubectl)", () => {
  it("`make -n image kind-load deploy` builds, loads and deploys one tag unique to the tree", async () => {
    const dryRun = await makeWithFakes(["-n", "image", "kind-load", "deploy"]);
    expect(dryRun.status).toBe(0);
    const tag = builtTag(dryRun.output);
    expect(tag).toMatch(buildTag);
    expect(dryRun.output).toMatch(
      new RegExp(`kind load docker-image --name order-service .*order-service:${tag}\\b`),
    );
    expect(dryRun.output).toMatch(new RegExp(`scripts/kind-manifests.sh order-service:${tag} \\|`));
    // Nothing is loaded or deployed under the moving tag a rebuild would not change.
    const loadAndDeploy = dryRun.output.split("\n").filter((l) => /kind load|apply/.test(l));
    expect(loadAndDeploy.filter((line) => line.includes("order-service:dev"))).toEqual([]);
  });

  it("deploy runs the built tag in every container of the app's image: the migration Job and the service alike", async () => {
    const deploy = await makeWithFakes(["deploy"], { localImages: thirdPartyImages() });
    expect([deploy.status, deploy.output]).toEqual([0, expect.any(String)]);
    const tag = builtTag(deploy.calls.map((c) => `${c.tool} ${c.args}`).join("\n"));
    const own = allContainers(deploy.applied).filter((ref) =>
      ref.container.image?.startsWith("order-service"),
    );
    expect(own.map((ref) => ref.pod.owner.metadata.name)).toEqual(
      expect.arrayContaining(["order-service", "order-service-migrate", "order-service-reconcile"]),
    );
    for (const { where, container } of own) {
      expect([where, container.image]).toEqual([where, `order-service:${tag}`]);
    }
  });

  it("kind-load puts every image the overlay runs on the nodes, pulling on the host only what it lacks", async () => {
    const present = ["postgres:16", "redis:7"];
    const load = await makeWithFakes(["kind-load"], { localImages: present });
    expect([load.status, load.output]).toEqual([0, expect.any(String)]);
    const tag = builtTag(load.calls.map((c) => `${c.tool} ${c.args}`).join("\n"));
    const pulled = load.calls.filter((c) => c.tool === "docker" && c.args.startsWith("pull "));
    expect(pulled.map((c) => c.args.slice("pull ".length)).sort()).toEqual(
      thirdPartyImages().filter((image) => !present.includes(image)),
    );
    const loaded = callOf(load, "kind", "load docker-image", "end")
      .args.split(" ")
      .slice(4) // load docker-image --name <cluster>
      .sort();
    expect(loaded).toEqual([...thirdPartyImages(), `order-service:${tag}`].sort());
  });

  it("make -j never loads before the build and the cluster are done, nor deploys before the load", async () => {
    const parallel = await makeWithFakes(["-j8", "kind-up", "image", "kind-load", "deploy"], {
      clusters: [],
      localImages: thirdPartyImages(),
      stepSeconds: 0.4,
    });
    expect([parallel.status, parallel.output]).toEqual([0, expect.any(String)]);
    const built = callOf(parallel, "docker", "build", "end").at;
    const created = callOf(parallel, "kind", "create cluster", "end").at;
    const loadStarted = callOf(parallel, "kind", "load", "start").at;
    const loaded = callOf(parallel, "kind", "load", "end").at;
    const applied = callOf(parallel, "kubectl", "apply").at;
    expect(loadStarted).toBeGreaterThanOrEqual(Math.max(built, created));
    expect(applied).toBeGreaterThanOrEqual(loaded);
    // The build and the cluster creation are independent: -j runs them side by side.
    expect(callOf(parallel, "kind", "create cluster", "start").at).toBeLessThan(built);
  });

  it("deploy replaces the migration Job, waits for Postgres and the Job, then for the rollout", async () => {
    const deploy = await makeWithFakes(["deploy"], { localImages: thirdPartyImages() });
    expect([deploy.status, deploy.output]).toEqual([0, expect.any(String)]);
    const order = deploy.calls
      .filter((c) => c.tool === "kubectl" && c.phase !== "end")
      .map((c) => c.args.replace(/ -o jsonpath=.*$/, ""));
    expect(order).toEqual([
      "delete job order-service-migrate --ignore-not-found",
      "apply -f -",
      "rollout status statefulset/postgres --timeout=180s",
      expect.stringMatching(/^(get job order-service-migrate|wait .*job\/order-service-migrate)/),
      "rollout status deployment/order-service --timeout=180s",
    ]);
  });

  it("deploy stops at once when the migration Job fails, with the Job's logs, and never waits for the rollout", async () => {
    const deploy = await makeWithFakes(
      ["deploy"],
      { localImages: thirdPartyImages(), jobCondition: "Failed" },
      20_000,
    );
    expect(deploy.timedOut).toBe(false); // not sitting out a 300 s wait for "complete"
    expect(deploy.status).not.toBe(0);
    expect(deploy.output).toContain("order-service-migrate failed: FakeReason");
    expect(deploy.output).toMatch(/fake log line of logs .*job-name=order-service-migrate/);
    expect(deploy.calls.some((c) => c.args.startsWith("rollout status deployment"))).toBe(false);
  }, 30_000);

  it("rollout-check starts the load on the deployed image, restarts the service under it, and reports the load's verdict", async () => {
    const deployed = "order-service:deployed-tag";
    const check = await makeWithFakes(["rollout-check", "LOAD_WARMUP_SECONDS=0"], {
      deployedImage: deployed,
    });
    expect([check.status, check.output]).toEqual([0, expect.any(String)]);
    const steps = check.calls
      .filter((c) => c.tool === "kubectl" && c.phase !== "end")
      .map((c) => c.args.replace(/ -o .*$/, ""));
    expect(steps).toEqual([
      "get deployment/order-service",
      "delete job order-service-rollout-check --ignore-not-found",
      "apply --selector app.kubernetes.io/component=rollout-check -f -",
      "get pods --selector batch.kubernetes.io/job-name=order-service-rollout-check",
      expect.stringMatching(
        /^wait --for=condition=Ready pod .*job-name=order-service-rollout-check/,
      ),
      "rollout restart deployment/order-service",
      "rollout status deployment/order-service --timeout=300s",
      "get job order-service-rollout-check",
      "logs job/order-service-rollout-check",
    ]);
    // What the selector lets through: the load Job on the deployed tag and its policies only.
    const selected = check.applied.filter(
      (o) => o.metadata.labels?.["app.kubernetes.io/component"] === "rollout-check",
    );
    expect(selected.map((o) => o.kind).sort()).toEqual(["Job", "NetworkPolicy", "NetworkPolicy"]);
    expect(allContainers(selected).map((ref) => ref.container.image)).toEqual([deployed]);
    expect(check.calls.some((c) => c.tool === "docker" || c.tool === "kind")).toBe(false);
  });

  it("rollout-check fails when the load saw a failed request, with the load's own lines", async () => {
    const check = await makeWithFakes(
      ["rollout-check", "LOAD_WARMUP_SECONDS=0"],
      { deployedImage: "order-service:deployed-tag", jobCondition: "Failed" },
      20_000,
    );
    expect(check.status).not.toBe(0);
    expect(check.output).toContain("order-service-rollout-check failed: FakeReason");
    expect(check.output).toMatch(/fake log line of logs .*job-name=order-service-rollout-check/);
  }, 30_000);

  it("`make image` and `make docker-build` are one build, with the OCI labels from git", async () => {
    // One tag for both runs: the tree may change between them (others edit while tests run).
    const image = await makeWithFakes(["-n", "image", "IMAGE_TAG=same"]);
    const dockerBuild = await makeWithFakes(["-n", "docker-build", "IMAGE_TAG=same"]);
    const buildLine = (output: string) =>
      output
        .split("\n")
        .find((line) => /docker build/.test(line))
        ?.replace(/^\S*docker build/, "docker build"); // the stand-in's path differs per run
    expect(buildLine(dockerBuild.output)).toBe(buildLine(image.output));
    for (const arg of ["VERSION=", "CREATED=", `REVISION=${git("rev-parse", "HEAD")}`]) {
      expect(buildLine(image.output)).toContain(`--build-arg ${arg}`);
    }
  });
});

describe("scripts/wait-for-job.sh", () => {
  it("refuses to run without a Job name and a timeout in seconds", () => {
    const result = spawnSync(path.join(repoRoot, "scripts/wait-for-job.sh"), ["job"], {
      encoding: "utf8",
    });
    expect([result.status, result.stderr]).toEqual([1, expect.stringMatching(/^usage: /)]);
  });
});
