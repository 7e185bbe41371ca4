import { createRoute, z } from "@hono/zod-openapi";
import { BEARER, createRouter, problems, UuidParam } from "../../lib/router";
import { isSafeTreePath } from "../../services/snapshots/keys";
import { getReadUrl, ReadUrlSchema } from "../../services/snapshots/read-url";

const ReadUrlQuery = z.object({
  path: z
    .string()
    .min(1)
    .max(1024)
    .refine(
      isSafeTreePath,
      "must be a relative file path (no leading /, no . or .. segments, no .git, no control or invisible characters, no segment starting with a space or ending in a space or dot, at most 1,024 bytes)",
    )
    .optional()
    .openapi({
      description: "A file of the latest snapshot, relative to the tree root.",
      example: "package.json",
    }),
});

const route = createRoute({
  method: "get",
  path: "/apps/{id}/read-url",
  tags: ["Apps"],
  summary: "A presigned URL for the app's latest source snapshot, or one of its files",
  description:
    "Without `path`: the latest version's `source.zip` (the tree at the archive root, unix file modes " +
    "kept), served as an `application/zip` download named after the app. With `path`: that file of " +
    "the latest version, served as `text/plain; charset=utf-8` (HTML and SVG as downloads). The URL is valid for 3600 s and works only " +
    "with a plain GET of that object. 404 `no_snapshot` before the app's first stored version, 404 " +
    "`not_found` for a path the latest version does not have, an unknown app or another user's app.",
  security: BEARER,
  request: { params: z.object({ id: UuidParam }), query: ReadUrlQuery },
  responses: {
    200: { description: "A presigned URL", content: { "application/json": { schema: ReadUrlSchema } } },
    ...problems(400, 401, 404, 502, 503),
  },
});

export const readUrlRoute = createRouter().openapi(route, async (c) => {
  const body = await getReadUrl({
    ctx: c.var.ctx,
    input: { appId: c.req.valid("param").id, path: c.req.valid("query").path },
  });
  return c.json(body, 200);
});
