// info.version is the package's version. package.json is read at run time rather than imported:
// it lies outside the compiled tree (src/ -> dist/), and it sits three levels above this file in
// both, as the image ships it (/app/package.json, /app/dist/http/openapi/).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const packageJson = z.object({ version: z.string().min(1) });

export function packageVersion(path = join(__dirname, "..", "..", "..", "package.json")): string {
  return packageJson.parse(JSON.parse(readFileSync(path, "utf8"))).version;
}
