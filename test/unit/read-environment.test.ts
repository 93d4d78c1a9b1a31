import fs, { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import dotenvSafe from "dotenv-safe";
import { ConfigError, readEnvironment } from "../../src/config";

describe("reading the environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    jest.restoreAllMocks();
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

  it("does not hold the real environment to .env.example when there is no .env", () => {
    delete process.env.ENV_TEST_UNSET;
    const env = readEnvironment(projectWith({ ".env.example": "ENV_TEST_UNSET=\n" }));
    expect(env.ENV_TEST_UNSET).toBeUndefined();
  });

  it("takes an empty value in .env as set (to blank), as .env.example's copies have", () => {
    const root = projectWith({ ".env.example": "ENV_TEST_F=\n", ".env": "ENV_TEST_F=\n" });
    expect(readEnvironment(root).ENV_TEST_F).toBe("");
  });

  it("loads .env without a word on the console (stdout is for JSON log lines)", () => {
    const log = jest.spyOn(console, "log");
    const error = jest.spyOn(console, "error");
    const root = projectWith({ ".env.example": "ENV_TEST_G=\n", ".env": "ENV_TEST_G=1\n" });
    expect(readEnvironment(root).ENV_TEST_G).toBe("1");
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it("passes on a failure of its own for a .env without a .env.example", () => {
    const root = projectWith({ ".env": "ENV_TEST_H=1\n" });
    expect(() => readEnvironment(root)).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["an error without a list", new Error("broken")],
    ["a list that is not an array", { missing: "ENV_TEST_I" }],
  ])("passes on whatever else dotenv-safe throws, as it is: %s", (_what, thrown) => {
    jest.spyOn(dotenvSafe, "config").mockImplementation(() => {
      throw thrown;
    });
    const root = projectWith({ ".env.example": "", ".env": "" });
    let caught: unknown = "nothing thrown";
    try {
      readEnvironment(root);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
  });

  it("looks for .env at the project's root by default", () => {
    const exists = jest.spyOn(fs, "existsSync").mockReturnValue(false);
    process.env.ENV_TEST_J = "from-process";
    expect(readEnvironment().ENV_TEST_J).toBe("from-process");
    expect(exists).toHaveBeenCalledWith(path.resolve(__dirname, "../../.env"));
  });
});
