/**
 * Generated from the Worker's GET /openapi.json (development: the /github routes included) by
 * `npm run client:types`. Do not edit: change the routes' schemas and run it again.
 */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: answers without touching the database */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Alive */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: 200 when the database answers, else 503 upstream_unavailable */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ready */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's profile
         * @description Profile data from Stack Auth and GitHub, fetched on a cache miss and kept for an hour. When Stack or GitHub is down, a cached profile still answers; without one the answer is 503.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The caller */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/is-neon-employee": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the caller is an employee
         * @description True when the caller's verified e-mail domain is one of EMPLOYEE_EMAIL_DOMAINS or the caller is a member of the GitHub org EMPLOYEE_GITHUB_ORG (asked as the platform's GitHub App, cached for an hour).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Employee status */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IsNeonEmployee"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's apps, newest first
         * @description Deleted apps are left out. Carries the caller's daily-limit headers.
         */
        get: {
            parameters: {
                query?: {
                    page?: number;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of apps */
                200: {
                    headers: {
                        /** @description Messages allowed per UTC day */
                        "x-dailylimit-limit": string;
                        /** @description Messages left today */
                        "x-dailylimit-remaining": string;
                        /** @description Messages counted today */
                        "x-dailylimit-usage": string;
                        /** @description ISO time of the next reset (UTC midnight) */
                        "x-dailylimit-reset": string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AppList"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of the caller's apps, with its latest deployment
         * @description Another user's app, a deleted app and a non-UUID id all answer 404 `not_found`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The app */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["App"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete an app and everything it created
         * @description The app disappears from every read at once. A running generation is cancelled; then, in a durable background job, the deployed service and domain, container images and registry repository, stored files and per-app database are removed, and a platform-owned GitHub repository is archived (a repository in the user's own account is left to the user). A second call answers 404. Deleting does not give back messages counted today.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deletion started */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AppDeleting"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The app's conversation, oldest first
         * @description The newest `limit` entries before `before` (or the newest overall), oldest first. When older entries exist, `x-next-before` names the cursor of the previous page. An unknown `before` is 400.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    /** @description A history entry id: answer the entries before it (the `x-next-before` of a page). */
                    before?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description History entries */
                200: {
                    headers: {
                        /** @description Pass as `before` to get the previous page; absent on the first page. */
                        "x-next-before"?: string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["History"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/read-url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A presigned URL for the app's latest source snapshot, or one of its files
         * @description Without `path`: the latest version's `source.zip` (the tree at the archive root, unix file modes kept), served as an `application/zip` download named after the app. With `path`: that file of the latest version, served as `text/plain; charset=utf-8` (HTML and SVG as downloads). The URL is valid for 3600 s and works only with a plain GET of that object. 404 `no_snapshot` before the app's first stored version, 404 `not_found` for a path the latest version does not have, an unknown app or another user's app.
         */
        get: {
            parameters: {
                query?: {
                    /** @description A file of the latest snapshot, relative to the tree root. */
                    path?: string;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A presigned URL */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ReadUrl"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/message": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a message: starts a run of the agent and streams its events
         * @description Checks, in order: auth (401), body (400/413), Idempotency-Key (a known key attaches to its run; the same key with another body → 409 `idempotency_key_reused`), app (404), another run of the app (409 `run_in_progress` with `eventsUrl`), daily limit (429). The run lives on the server: a client that disconnects stops nothing and catches up through `GET /apps/{id}/events`.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description The same key from the same user within 24 h attaches to the first run's stream */
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["MessageRequest"];
                };
            };
            responses: {
                /** @description Server-sent events. Starts with `retry: 2000`; every event has an `id:` (the app's event sequence number, usable as `Last-Event-ID`); a `: keepalive` comment at least every 15 s. Events: `message` (agent progress without diff or state, or a platform message with `metadata`), `debug` (employees only, no id), `error` `{ code, message, traceId, appId }`, and `done` `{ done, traceId, appId }`, always last. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (409) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (413) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (429) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The app's event log: replay after a cursor, then follow live
         * @description Cursor: `Last-Event-ID` header or `?after=`. No cursor: the current (or last) run from its first event; `after=0`: the whole log. Follows live events while a run or a deployment of the app is in progress and closes after the last of them ends. 204 when nothing is in progress and nothing is after the cursor (stops a browser EventSource from reconnecting in a loop). At most 50 readers per app at once: beyond that 429 `too_many_readers`.
         */
        get: {
            parameters: {
                query?: {
                    /** @description Event id to resume after */
                    after?: string;
                };
                header?: {
                    "last-event-id"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Server-sent events. Starts with `retry: 2000`; every event has an `id:` (the app's event sequence number, usable as `Last-Event-ID`); a `: keepalive` comment at least every 15 s. Events: `message` (agent progress without diff or state, or a platform message with `metadata`), `debug` (employees only, no id), `error` `{ code, message, traceId, appId }`, and `done` `{ done, traceId, appId }`, always last. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Nothing to replay and nothing in progress */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (429) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop the app's running generation
         * @description Stops a run only while its agent stream is open: the run ends with `error cancelled` then `done`, and what was already produced stays stored. After the agent's final event the version goes on to be published and this answers 200 `{ cancelled: false }`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Nothing to stop */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CancelResult"];
                    };
                };
                /** @description The run is being stopped */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CancelResult"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The app's versions, newest first
         * @description Every version the app's runs and restores made, newest first, `limit` at a time. When older versions exist, `x-next-before` names the cursor of the next page. Each version carries its change from the version before (`diffStat`: files, insertions, deletions), its commit once published, and its latest deployment.
         */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    /** @description A version number: answer the versions older than it (the `x-next-before` of a page). */
                    before?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Versions */
                200: {
                    headers: {
                        /** @description Pass as `before` to get the next, older page; absent on the last page. */
                        "x-next-before"?: string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Versions"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/versions/{version}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Restore a version: its files become the app's next version, committed and deployed
         * @description No agent run: version N's files become a new version (one commit, `Restore version N`), stored, published and deployed like any other. The answer is the restore's stream, as for `POST /message`: a `version_restored` platform message (`metadata.version` the new version, `metadata.restoredFrom` N), then the publish and deploy messages, then `done`; `GET /apps/{id}/events` streams the same. The rules of a message apply: Idempotency-Key, 409 `run_in_progress` while a run is going, and the daily limit (a restore counts as one message; one that fails before its version is made is given back). A version the app does not have is 404 `no_such_version`. The next message's run starts from the restored files.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description The same key from the same user within 24 h attaches to the first run's stream */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                    version: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Server-sent events. Starts with `retry: 2000`; every event has an `id:` (the app's event sequence number, usable as `Last-Event-ID`); a `: keepalive` comment at least every 15 s. Events: `message` (agent progress without diff or state, or a platform message with `metadata`), `debug` (employees only, no id), `error` `{ code, message, traceId, appId }`, and `done` `{ done, traceId, appId }`, always last. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (409) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (429) */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/versions/{version}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A version's files: paths, sizes and content hashes
         * @description Sorted by path. Two versions hold the same content at a path exactly when the hashes are equal, so comparing two lists names what changed. 404 `no_such_version` for a version the app does not have.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    version: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The files */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["VersionFiles"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/versions/{version}/file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One file of a version, as text
         * @description `text/plain; charset=utf-8` whatever the file is (a generated page never renders on this origin). 400 for a missing or unsafe `path` (absolute, `..`); 404 for a path the version does not hold.
         */
        get: {
            parameters: {
                query?: {
                    /** @description The file's path in the tree (required). */
                    path?: string;
                };
                header?: never;
                path: {
                    id: string;
                    version: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The file's text */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/deployments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The app's deployments, newest first
         * @description One per published version. `status`: queued → building → deploying → healthy | failed (with `reason`), or cancelled (`reason: superseded` when a newer version's deployment took over). `healthy` only once Koyeb reports the deployment healthy.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deployments */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deployment"][];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/deployment-status/{deploymentId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A deployment's status in the older shape some clients poll (read-only)
         * @description queued/building/deploying → DEPLOYMENT_IN_PROGRESS, healthy → HEALTHY, failed → ERROR, cancelled → STOPPING. Another user's deployment answers 404.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    deploymentId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Status */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DeploymentStatus"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/apps/{id}/deployments/{deploymentId}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A deployment's build or runtime logs, a page at a time or followed live
         * @description Lines are the app's own output, oldest first, as `<ISO time> <line>\n` (an entry with line breaks gives several lines with its time); credentials and account ids of the platform are replaced with `[redacted]`. A page holds at most `limit` entries (and about 1 MB). `x-has-more: true`: more lines are there now, ask again with `x-next-cursor` at once; `false`: caught up, ask again later. No `x-next-cursor`: the logs are complete (the build is over, or the deployment failed or was cancelled) and everything was read. Before the build or the Koyeb deployment has started, a page is empty. With `follow=1`: `text/event-stream` (`retry: 2000`, a `: keepalive` comment at least every 15 s). `logs` events `{ lines: [{ timestamp, message }] }` whose `id` is the cursor after them (`Last-Event-ID` resumes there), then one `end` event `{ reason, status, cursor }` and the stream closes: `complete` (nothing more can come), `deployment_ended` (runtime logs of a healthy deployment, caught up; read on with the cursor later) or `limit` (followed for 10 minutes or its polling budget: reconnect with the cursor). Build logs are complete when the build is over, runtime logs when the deployment failed or was cancelled. An upstream failure that lasts is an `error` event `{ code, message }`, then the stream closes. 204 when following has nothing to send and the logs are complete, or the deployment is healthy and caught up (stops a browser EventSource from reconnecting in a loop). A cursor of another deployment, or of the other `type`, is 400. 502/503 name the log service that failed.
         */
        get: {
            parameters: {
                query?: {
                    /** @description `build`: the image build's output (CodeBuild, every phase and command). `runtime`: the deployed instance's output (stdout, stderr and Koyeb's own lines about it). Default: the cursor's type, else `build`. */
                    type?: "build" | "runtime";
                    /** @description Where to read on: the `x-next-cursor` of an earlier page (or an event id of a followed stream). */
                    cursor?: string;
                    limit?: number;
                    /** @description `1`: follow live as server-sent events. */
                    follow?: "0" | "1" | "true" | "false";
                };
                header?: {
                    "last-event-id"?: string;
                };
                path: {
                    id: string;
                    deploymentId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of lines, or the followed stream */
                200: {
                    headers: {
                        /** @description Pass as `cursor` to read on. */
                        "x-next-cursor"?: string;
                        /** @description More lines are there right now. */
                        "x-has-more": "true" | "false";
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                        "text/event-stream": string;
                    };
                };
                /** @description Following has nothing to send: the logs are complete or caught up with */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/message-limit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's daily message limit and today's usage
         * @description The day is the UTC calendar day. The limit is the caller's custom limit if an admin set one, else DAILY_MESSAGE_LIMIT.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Limit and usage */
                200: {
                    headers: {
                        /** @description Messages allowed per UTC day */
                        "x-dailylimit-limit": string;
                        /** @description Messages left today */
                        "x-dailylimit-remaining": string;
                        /** @description Messages counted today */
                        "x-dailylimit-usage": string;
                        /** @description ISO time of the next reset (UTC midnight) */
                        "x-dailylimit-reset": string;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["MessageLimit"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (500) */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/users/{userId}/message-limit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's daily message limit and today's usage (employees only) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description A Stack user id */
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The user's limit and today's usage */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserMessageLimit"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (403) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        /** Sets a user's custom daily message limit (employees only) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description A Stack user id */
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SetMessageLimit"];
                };
            };
            responses: {
                /** @description The user's limit and today's usage */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserMessageLimit"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (403) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (413) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        /** Removes a user's custom limit; DAILY_MESSAGE_LIMIT applies again (employees only) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description A Stack user id */
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Removed (also when there was none) */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (403) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/github/user/create-repo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Creates a repository in the caller's GitHub account (development only)
         * @description Acts with the caller's GitHub token; 400 `github_not_connected` without a GitHub connection.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["GitHubUserCreateRepo"];
                };
            };
            responses: {
                /** @description The repository, created with an initial commit (auto-init) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GitHubRepository"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/github/org/create-repo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Creates a repository in an org through the platform's GitHub App (development only) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["GitHubOrgCreateRepo"];
                };
            };
            responses: {
                /** @description The repository, created with an initial commit (auto-init) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GitHubRepository"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/github/user/initial-commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Commits a repository's first files in the caller's account (development only) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["GitHubUserInitialCommit"];
                };
            };
            responses: {
                /** @description The commit: a root commit that replaces GitHub's auto-init commit */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GitHubCommit"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (409) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/github/org/initial-commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Commits a repository's first files in an org (development only) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["GitHubOrgInitialCommit"];
                };
            };
            responses: {
                /** @description The commit: a root commit that replaces GitHub's auto-init commit */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GitHubCommit"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (409) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/github/user/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Commits changes to a repository in the caller's account (development only)
         * @description Applies `files` (added or changed) and `deletedPaths` to the branch head in one commit. A branch moved meanwhile is 409 `github_conflict`; it is never force-pushed.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["GitHubUserCommit"];
                };
            };
            responses: {
                /** @description The commit, fast-forwarded onto the branch */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GitHubCommit"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (409) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/github/org/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Commits changes to a repository in an org (development only)
         * @description Applies `files` (added or changed) and `deletedPaths` to the branch head in one commit. A branch moved meanwhile is 409 `github_conflict`; it is never force-pushed.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["GitHubOrgCommit"];
                };
            };
            responses: {
                /** @description The commit, fast-forwarded onto the branch */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GitHubCommit"];
                    };
                };
                /** @description Problem details (400) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (401) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (404) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (409) */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (502) */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Problem details (503) */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Health: {
            /** @enum {string} */
            status: "ok";
            version: string;
            time: string;
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            /**
             * @description Stable: clients switch on it; the status follows from it
             * @enum {string}
             */
            code: "bad_request" | "validation_failed" | "github_not_connected" | "unauthorized" | "forbidden" | "not_found" | "no_snapshot" | "no_such_version" | "conflict" | "run_in_progress" | "idempotency_key_reused" | "github_conflict" | "payload_too_large" | "unsupported_media_type" | "daily_message_limit_reached" | "too_many_readers" | "internal" | "config_invalid" | "config_missing" | "upstream_error" | "upstream_unavailable";
            requestId: string;
            errors?: {
                path: string;
                message: string;
            }[];
        };
        Me: {
            /** @description The Stack user id (the token's `sub`). */
            id: string;
            email: string | null;
            displayName: string | null;
            /** @description The GitHub login, or null when the user has no GitHub connection. */
            githubUsername: string | null;
            isNeonEmployee: boolean;
        };
        IsNeonEmployee: {
            isNeonEmployee: boolean;
        };
        AppList: {
            data: components["schemas"]["AppSummary"][];
            pagination: {
                total: number;
                page: number;
                limit: number;
                totalPages: number;
            };
        };
        AppSummary: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @description The repository name. */
            appName: string | null;
            techStack: string;
            /** @enum {string} */
            deployStatus: "pending" | "deploying" | "deployed" | "failed";
            appUrl: string | null;
            repositoryUrl: string | null;
            traceId: string | null;
            /** @example 2026-11-26T09:00:00.000Z */
            createdAt: string;
            /** @example 2026-11-26T09:00:00.000Z */
            updatedAt: string;
        };
        App: components["schemas"]["AppSummary"] & {
            clientSource: string;
            githubOwner: string | null;
            githubRepo: string | null;
            /** @enum {string} */
            runStatus: "idle" | "running";
            /** @example 2026-11-26T09:00:00.000Z */
            lastRunAt: string | null;
            latestDeployment: components["schemas"]["Deployment"] | null;
            /** @description The latest stored version (from 1); null before the first generated code. */
            snapshotVersion: number | null;
        };
        Deployment: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            appId: string;
            /** @enum {string} */
            status: "queued" | "building" | "deploying" | "healthy" | "failed" | "cancelled";
            /** @description A human-readable cause on `failed`. */
            reason: string | null;
            commitSha: string | null;
            imageUri: string | null;
            url: string | null;
            /** @example 2026-11-26T09:00:00.000Z */
            createdAt: string;
            /** @example 2026-11-26T09:00:00.000Z */
            updatedAt: string;
            /** @example 2026-11-26T09:00:00.000Z */
            finishedAt: string | null;
        };
        History: components["schemas"]["HistoryEntry"][];
        HistoryEntry: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            appId: string;
            prompt: string;
            /** @enum {string} */
            kind: "user" | "assistant";
            /** @description `UserMessage`, an agent kind (`StageResult`, `RefinementRequest`, `ReviewResult`, `RuntimeError`, `WipUpdate`) or `PlatformMessage`. */
            messageKind: string;
            /** @description The platform message metadata (`type`, `githubUrl`, `commitSha`, …); null otherwise. On `repo_created` and `commit_created`, files of the version not in the commit: `skippedPaths` (paths) and `skipped` (the same, `[{ path, reason }]`, reason `not_applied` for a diff section that could not be applied such as a binary one, `workflow_file` for `.github/workflows/` in the platform's org, `invalid_path` or `undecodable`). On `deployment_failed` after the image build or the Koyeb deployment started: `logsUrl`, the path of that stage's logs (`/apps/<id>/deployments/<deploymentId>/logs?type=build` or `type=runtime`). */
            metadata: {
                [key: string]: unknown;
            } | null;
            traceId: string | null;
            /** @example 2026-11-26T09:00:00.000Z */
            createdAt: string;
        };
        ReadUrl: {
            /**
             * Format: uri
             * @description A presigned S3 URL: a plain GET, nothing else, until `expiresAt`.
             */
            readUrl: string;
            /**
             * Format: date-time
             * @example 2026-11-26T10:00:00.000Z
             */
            expiresAt: string;
            /**
             * @description Seconds the URL stays valid from signing.
             * @enum {number}
             */
            expiresIn: 3600;
            /** @description The snapshot version (the app's `snapshotVersion`). */
            version: number;
            /** @example apps/0b7d3c1e-5a2f-4c8e-9d61-2f4a7b9c0e13/v3/source.zip */
            key: string;
        };
        AppDeleting: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            status: "deleting";
        };
        MessageRequest: {
            /** @example Build a todo app with a database */
            message: string;
            /** @description null or absent: a new app; else one of the caller's apps (404 otherwise) */
            applicationId?: string | null;
            /**
             * @description Fixed after the app's first run: a different value later is ignored
             * @default trpc_agent
             * @enum {string}
             */
            templateId?: "trpc_agent" | "nicegui_agent" | "laravel_agent";
            /** @default web */
            clientSource?: string;
            /**
             * @description Forwarded to the agent as is (at most 16 KiB of JSON)
             * @default {}
             */
            settings?: {
                [key: string]: unknown;
            };
            /** @description Ignored for a new app. For an existing app: `app-<applicationId>.req-<anything>` (at most 256 characters, no control characters); one naming another app is replaced by a new one, a malformed one is a 400 */
            traceId?: string;
        };
        CancelResult: {
            cancelled: boolean;
        };
        Versions: components["schemas"]["Version"][];
        Version: {
            version: number;
            /** Format: date-time */
            createdAt: string;
            /** @description The run that made the version. */
            runId: string | null;
            traceId: string | null;
            commitMessage: string | null;
            /** @description The change from the version before: files added, changed or removed, and lines inserted and deleted. Null for versions made before versions were recorded. */
            diffStat: {
                files: number;
                insertions: number;
                deletions: number;
            } | null;
            /** @description The version this one restored (`POST …/restore`), else null. */
            restoredFrom: number | null;
            /** @description Null until the version is committed. */
            commitSha: string | null;
            commitUrl: string | null;
            /** @description The version's latest deployment, if any. */
            deployment: {
                /** Format: uuid */
                id: string;
                /** @enum {string} */
                status: "queued" | "building" | "deploying" | "healthy" | "failed" | "cancelled";
                url: string | null;
            } | null;
        };
        VersionFiles: {
            version: number;
            files: {
                path: string;
                /** @description UTF-8 bytes. */
                size: number;
                /** @description Of the file's content: equal hashes, equal files. */
                sha256: string;
            }[];
        };
        DeploymentStatus: {
            message: string;
            isDeployed: boolean;
            /** @enum {string} */
            type: "HEALTHY" | "ERROR" | "STOPPING" | "DEPLOYMENT_IN_PROGRESS";
        };
        MessageLimit: {
            isUserLimitReached: boolean;
            dailyMessageLimit: number;
            remainingMessages: number;
            currentUsage: number;
            /** @description The next UTC midnight (ISO 8601). */
            nextResetTime: string;
        };
        UserMessageLimit: {
            userId: string;
            dailyLimit: number;
            /** @description False when DAILY_MESSAGE_LIMIT applies. */
            isCustom: boolean;
            currentUsage: number;
            nextResetTime: string;
        };
        SetMessageLimit: {
            dailyLimit: number;
        };
        GitHubRepository: {
            owner: string;
            repo: string;
            repositoryUrl: string;
        };
        GitHubUserCreateRepo: {
            /**
             * @description The wished name, made a valid repository name (lower case, `[a-z0-9-]`); a short random suffix is added when it is taken. The answer names the repository made.
             * @example Todo App
             */
            repo: string;
            description?: string;
            /** @default true */
            private?: boolean;
        };
        GitHubOrgCreateRepo: {
            /**
             * @description The wished name, made a valid repository name (lower case, `[a-z0-9-]`); a short random suffix is added when it is taken. The answer names the repository made.
             * @example Todo App
             */
            repo: string;
            description?: string;
            /** @default true */
            private?: boolean;
            /** @example appbuilder-apps */
            owner: string;
        };
        GitHubCommit: {
            commitSha: string;
            commitUrl: string;
        };
        GitHubUserInitialCommit: {
            /** @example todo-app */
            repo: string;
            files: components["schemas"]["GitHubFile"][];
        };
        GitHubFile: {
            /** @example src/index.ts */
            path: string;
            content: string;
            /**
             * @description Default utf-8; base64 for binary files.
             * @enum {string}
             */
            encoding?: "utf-8" | "base64";
            /**
             * @description Default 100644; 100755 for executables.
             * @enum {string}
             */
            mode?: "100644" | "100755";
        };
        GitHubOrgInitialCommit: {
            /** @example todo-app */
            repo: string;
            files: components["schemas"]["GitHubFile"][];
            /** @example appbuilder-apps */
            owner: string;
        };
        GitHubUserCommit: {
            /** @example todo-app */
            repo: string;
            files: components["schemas"]["GitHubFile"][];
            deletedPaths?: string[];
            message: string;
            /** @default main */
            branch?: string;
        };
        GitHubOrgCommit: {
            /** @example todo-app */
            repo: string;
            files: components["schemas"]["GitHubFile"][];
            deletedPaths?: string[];
            message: string;
            /** @default main */
            branch?: string;
            /** @example appbuilder-apps */
            owner: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
