import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems } from "../../lib/router";
import { listVersionFiles, readVersionFile, VersionFilesSchema } from "../../services/versions/files";
import { VersionParams } from "./schemas";

const listRoute = createRoute({
  method: "get",
  path: "/apps/{id}/versions/{version}/files",
  tags: ["Versions"],
  summary: "A version's files: paths, sizes and content hashes",
  description:
    "Sorted by path. Two versions hold the same content at a path exactly when the hashes are equal, " +
    "so comparing two lists names what changed. 404 `no_such_version` for a version the app does not have.",
  security: BEARER,
  request: { params: VersionParams },
  responses: {
    200: { description: "The files", content: { "application/json": { schema: VersionFilesSchema } } },
    ...problems(401, 404),
  },
});

const Query = z.object({
  path: z
    .string()
    .optional()
    .openapi({
      param: { in: "query", name: "path" },
      description: "The file's path in the tree (required).",
    }),
});

const readRoute = createRoute({
  method: "get",
  path: "/apps/{id}/versions/{version}/file",
  tags: ["Versions"],
  summary: "One file of a version, as text",
  description:
    "`text/plain; charset=utf-8` whatever the file is (a generated page never renders on this origin). " +
    "400 for a missing or unsafe `path` (absolute, `..`); 404 for a path the version does not hold.",
  security: BEARER,
  request: { params: VersionParams, query: Query },
  responses: {
    200: { description: "The file's text", content: { "text/plain": { schema: z.string() } } },
    ...problems(400, 401, 404),
  },
});

export const versionFilesRoute = createRouter()
  .openapi(listRoute, async (c) => {
    const { id, version } = c.req.valid("param");
    return c.json(await listVersionFiles({ ctx: c.var.ctx, input: { appId: id, version } }), 200);
  })
  .openapi(readRoute, async (c) => {
    const { id, version } = c.req.valid("param");
    const text = await readVersionFile({
      ctx: c.var.ctx,
      input: { appId: id, version, path: c.req.valid("query").path },
    });
    return c.text(text, 200, {
      "x-content-type-options": "nosniff",
      "cache-control": "private, max-age=3600",
    });
  });
