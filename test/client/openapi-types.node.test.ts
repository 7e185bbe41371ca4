import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { renderTypes, servedDocument, TYPES_FILE } from "../../scripts/client-types.mjs";

it("client/src/openapi.ts is what the Worker's current GET /openapi.json generates", async () => {
  const generated = await renderTypes(await servedDocument());
  const committed = fs.readFileSync(TYPES_FILE, "utf8");
  expect(
    committed,
    `${path.relative(process.cwd(), TYPES_FILE)} is out of date with the Worker's routes: run \`npm run client:types\``,
  ).toBe(generated);
}, 60_000);
