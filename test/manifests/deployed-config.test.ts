// The config compose and kind give the service passes the app's whole validation, rules across
// variables and production-only rules included (NODE_ENV=production there), not just the
// schema: a value the schema accepts can still stop the process at start.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { ConfigError, parseConfig, type Environment } from "../../src/config";
import { FAKE_PAYMENT_GATEWAY_DEV_KEY } from "../../src/fakes/development-keys";
import { parseFakeConfig } from "../../src/fakes/fake-config";
import { JWKS_PATH } from "../../src/fakes/identity-provider-app";
import { containerEnv } from "./support/container-env";
import { describeRendered, render, repoRoot, targetNames } from "./support/render";
import { containerOf, podOf } from "./support/workloads";

/** The ConfigError's problems, or none: easier to read in a failure than "it threw". */
function configProblems(env: Environment): readonly string[] {
  try {
    parseConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

interface ComposeService {
  environment?: Record<string, string | number | null>;
}

function composeEnvironment(service: string): Record<string, string> {
  const text = readFileSync(path.join(repoRoot, "docker-compose.yml"), "utf8").replace(
    /\$\{(\w+)(?::?-([^}]*))?\}/g,
    (_match, _name: string, fallback = "") => fallback,
  );
  const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
  const environment = compose.services[service]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, value === null ? "" : String(value)]),
  );
}

describe("docker-compose.yml", () => {
  const api = composeEnvironment("api");

  it("runs the api in production with a config the app accepts", () => {
    expect(api.NODE_ENV).toBe("production");
    expect(configProblems(api)).toEqual([]);
  });

  it("gives the fake gateway and the api one key of their own, not the development key", () => {
    expect(composeEnvironment("payments").FAKE_PAYMENT_API_KEY).toBe(api.PAYMENT_API_KEY);
    expect(api.PAYMENT_API_KEY).not.toBe(FAKE_PAYMENT_GATEWAY_DEV_KEY);
  });

  it("runs the identity provider outside production, signing what the api expects", () => {
    const identity = parseFakeConfig(composeEnvironment("identity"), 8003);
    // The entry point refuses NODE_ENV=production, the image's default.
    expect(identity.nodeEnv).toBe("development");
    expect(identity.identityProvider).toMatchObject({
      issuer: api.AUTH_ISSUER,
      audience: api.AUTH_AUDIENCE,
    });
    const jwks = new URL(api.AUTH_JWKS_URL ?? "");
    expect([jwks.hostname, Number(jwks.port), jwks.pathname]).toEqual([
      "identity",
      identity.port,
      JWKS_PATH,
    ]);
  });
});

describeRendered("kind", () => {
  describe.each(targetNames)("%s", (target) => {
    const objects = render(target);

    it.each([
      ["Deployment", "order-service", "order-service"],
      ["CronJob", "order-service-reconcile", "reconcile"],
    ])("%s/%s runs in production with a config the app accepts", (kind, name, container) => {
      const pod = podOf(objects, kind, name);
      const env = containerEnv(objects, pod, containerOf(pod, container)).values;
      expect(env.NODE_ENV).toBe("production");
      expect(configProblems(env)).toEqual([]);
      expect(env.PAYMENT_API_KEY).not.toBe(FAKE_PAYMENT_GATEWAY_DEV_KEY);
    });
  });
});
