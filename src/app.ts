import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./context";
import { AppError, problemResponse, toAppError } from "./errors";
import { createRouter } from "./lib/router";
import { auth, CONSOLE_PATH } from "./middleware/auth";
import { bodyLimit } from "./middleware/body-limit";
import { serveConsole } from "./middleware/console";
import { requestContext } from "./middleware/context";
import { cors } from "./middleware/cors";
import { requestId } from "./middleware/request-id";
import { routes } from "./routes";
import { DOCS_CSP, docsHtml, type OpenApiLike } from "./routes/docs";
import { DEV_ROUTE_PREFIX, developmentOnly } from "./routes/github";

export function createApp() {
  const app = createRouter();

  app.use("*", requestId, cors, bodyLimit);
  app.use(`${DEV_ROUTE_PREFIX}/*`, developmentOnly);
  app.use("*", auth, requestContext);

  for (const r of routes) app.route("/", r);
  // The console's page and files (static assets), open in development, for employees in production.
  app.all(CONSOLE_PATH, serveConsole);
  app.all(`${CONSOLE_PATH}/*`, serveConsole);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A Stack Auth access token (also accepted as `x-stack-access-token`).",
  });
  const openApi = (c: { req: { url: string }; env: Env }) => {
    const doc = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "App builder backend",
        version: "0.1.0",
        description:
          "Streams an Agent Server's progress while it builds an app, keeps apps and conversations, " +
          "publishes the code to S3 and GitHub and deploys it to Koyeb. Errors are RFC 9457 problem " +
          "details with a stable `code`.",
      },
      servers: [{ url: new URL(c.req.url).origin }],
    });
    return (c.env.ENVIRONMENT as string) === "development" ? doc : withoutDevRoutes(doc);
  };
  app.get("/openapi.json", (c) => c.json(openApi(c)));
  // Rendered here from the same document: nothing is loaded from anywhere else.
  app.get("/docs", (c) =>
    c.html(docsHtml(openApi(c) as OpenApiLike), 200, { "content-security-policy": DOCS_CSP }),
  );

  app.notFound((c) => problemResponse(new AppError("not_found", "No such route"), c.get("requestId")));

  app.onError((err, c) => {
    const requestId = c.get("requestId") ?? crypto.randomUUID();
    if (err instanceof HTTPException && !(err instanceof AppError)) {
      const code =
        err.status === 401 ? "unauthorized" : err.status === 413 ? "payload_too_large" : "bad_request";
      return problemResponse(new AppError(code, err.message || code), requestId);
    }
    const appErr = toAppError(err);
    if (appErr.status >= 500) {
      (c.get("logger") ?? console).error("request failed", {
        code: appErr.code,
        err: appErr.cause ?? appErr,
      });
    }
    return problemResponse(appErr, requestId);
  });

  return app;
}

type OpenApiDoc = { paths?: Record<string, unknown>; components?: { schemas?: Record<string, unknown> } };

/** The document without the development-only paths, nor the schemas only they referred to. */
function withoutDevRoutes<T extends OpenApiDoc>(doc: T): T {
  const paths = Object.fromEntries(
    Object.entries(doc.paths ?? {}).filter(
      ([p]) => p !== DEV_ROUTE_PREFIX && !p.startsWith(`${DEV_ROUTE_PREFIX}/`),
    ),
  );
  const all = doc.components?.schemas ?? {};
  const schemas: Record<string, unknown> = {};
  const refs = (v: unknown) =>
    [...JSON.stringify(v).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  for (const todo = refs(paths); todo.length; ) {
    const name = todo.pop()!;
    if (name in schemas || !(name in all)) continue;
    schemas[name] = all[name];
    todo.push(...refs(all[name]));
  }
  return { ...doc, paths, components: { ...doc.components, schemas } };
}

export type App = ReturnType<typeof createApp>;
export type { AppEnv };
