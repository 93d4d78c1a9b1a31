// A bad environment stops the real process before it does anything (DESIGN.md "Runtime
// contract"): exit code 1 and ONE message naming every bad variable, never a secret's value.
import { killLeftovers, ServiceProcess, type ExitStatus } from "../support/processes";

jest.setTimeout(30_000);

afterAll(() => killLeftovers());

const VALID = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/never_connected",
  REDIS_URL: "redis://127.0.0.1:6379/0",
  PRODUCT_API_URL: "http://127.0.0.1:1",
  PAYMENT_API_URL: "http://127.0.0.1:1",
  PAYMENT_API_KEY: "a-valid-payment-key-that-must-stay-secret",
  AUTH_JWKS_URL: "http://127.0.0.1:1/.well-known/jwks.json",
  AUTH_ISSUER: "urn:order-service:never-asked",
  AUTH_AUDIENCE: "order-service",
};

/** Runs the service with `env` (PORT=0 unless given) to its end. */
async function runToExit(env: Record<string, string>): Promise<{
  exit: ExitStatus;
  service: ServiceProcess;
}> {
  const service = new ServiceProcess(env);
  return { exit: await service.exited, service };
}

describe("started without DATABASE_URL, with PORT=abc and a too-short PAYMENT_API_KEY", () => {
  const shortSecret = "Zk4#q"; // 5 characters: below the 8 the schema asks for
  let exit: ExitStatus;
  let service: ServiceProcess;

  beforeAll(async () => {
    const environment: Record<string, string> = {
      ...VALID,
      PORT: "abc",
      PAYMENT_API_KEY: shortSecret,
    };
    delete environment.DATABASE_URL;
    ({ exit, service } = await runToExit(environment));
  });

  it("exits with code 1 without listening or logging anything", () => {
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(service.stdoutLines).toEqual([]);
  });

  it("writes ONE message to stderr that names DATABASE_URL, PORT and PAYMENT_API_KEY", () => {
    const message = service.stderr;
    expect(message.match(/Invalid configuration/g)).toHaveLength(1);
    for (const name of ["DATABASE_URL", "PORT", "PAYMENT_API_KEY"]) {
      expect(message).toMatch(new RegExp(`^\\s*- ${name}: `, "m"));
    }
    // Only those three, and no stack trace.
    expect(message.match(/^\s*- /gm)).toHaveLength(3);
    expect(message).not.toMatch(/\n\s+at /);
  });

  it("never prints the bad secret's value", () => {
    expect(service.stderr).not.toContain(shortSecret);
    expect(service.stdoutLines.join("\n")).not.toContain(shortSecret);
  });
});

describe("started without any of the AUTH_ variables", () => {
  it("names AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE in its one message: no token check is optional", async () => {
    const withoutAuth = Object.fromEntries(
      Object.entries(VALID).filter(([name]) => !name.startsWith("AUTH_")),
    );
    const { exit, service } = await runToExit(withoutAuth);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(service.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    const named = [...service.stderr.matchAll(/^\s*- (\w+): /gm)].map((match) => match[1]);
    expect(named.sort()).toEqual(["AUTH_AUDIENCE", "AUTH_ISSUER", "AUTH_JWKS_URL"]);
    expect(service.stdoutLines).toEqual([]);
  });
});

describe("started with a valid secret but another bad variable", () => {
  it("names the bad variable and never prints the secret", async () => {
    const { exit, service } = await runToExit({ ...VALID, REDIS_URL: "http://not-redis:6379" });
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(service.stderr).toMatch(/^\s*- REDIS_URL: must use redis:\/\/ or rediss:\/\//m);
    expect(service.stderr).not.toContain(VALID.PAYMENT_API_KEY);
  });
});
