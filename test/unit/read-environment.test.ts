import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, readEnvironment } from "../../src/config";

describe("reading the environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  function projectWith(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(tmpdir(), "env-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
    return root;
  }

  it("reads only the real environment when there is no .env (as in an image)", () => {
    process.env.ENV_TEST_ONLY = "from-process";
    const env = readEnvironment(projectWith({ ".env.example": "ENV_TEST_ONLY=\n" }));
    expect(env.ENV_TEST_ONLY).toBe("from-process");
  });

  it("loads .env, but a real variable always wins over it", () => {
    process.env.ENV_TEST_A = "real";
    const root = projectWith({
      ".env.example": "ENV_TEST_A=\nENV_TEST_B=\n",
      ".env": "ENV_TEST_A=from-file\nENV_TEST_B=from-file\n",
    });
    const env = readEnvironment(root);
    expect(env.ENV_TEST_A).toBe("real");
    expect(env.ENV_TEST_B).toBe("from-file");
  });

  it("names every variable .env.example lists but .env lacks", () => {
    const root = projectWith({
      ".env.example": "ENV_TEST_C=\nENV_TEST_D=\nENV_TEST_E=\n",
      ".env": "ENV_TEST_D=1\n",
    });
    let error: unknown;
    try {
      readEnvironment(root);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "ENV_TEST_C: listed in .env.example but missing from .env",
      "ENV_TEST_E: listed in .env.example but missing from .env",
    ]);
  });
});
