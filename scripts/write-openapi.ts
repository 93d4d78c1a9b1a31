// `npm run openapi`: writes the OpenAPI document to openapi.json at the repo root, laid out by
// prettier with the repo's settings so `prettier --check .` passes on the generated file.
// test/unit/openapi-document.test.ts fails while the committed file differs from the code.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import {
  buildOpenApiDocument,
  serialiseOpenApiDocument,
} from "../src/http/openapi/openapi-document";
import { packageVersion } from "../src/http/openapi/package-version";

export const OPENAPI_FILE = join(__dirname, "..", "openapi.json");

async function main(): Promise<void> {
  const document = buildOpenApiDocument({ version: packageVersion() });
  const options = (await resolveConfig(OPENAPI_FILE)) ?? {};
  const text = await format(serialiseOpenApiDocument(document), {
    ...options,
    filepath: OPENAPI_FILE,
  });
  writeFileSync(OPENAPI_FILE, text);
  process.stdout.write(
    `wrote ${OPENAPI_FILE} (OpenAPI ${document.openapi}, v${document.info.version})\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
