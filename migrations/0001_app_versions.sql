CREATE TABLE "app_versions" (
	"app_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"run_id" text,
	"trace_id" text,
	"commit_message" text,
	"files" integer,
	"insertions" integer,
	"deletions" integer,
	"restored_from" integer,
	"commit_sha" text,
	"commit_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "app_versions_app_id_version_pk" PRIMARY KEY("app_id","version")
);
--> statement-breakpoint
ALTER TABLE "app_versions" ADD CONSTRAINT "app_versions_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Versions made before this table: one row each (1..snapshot_version), with what their
-- deployments recorded (the commit, the time); their commit message and change are not known.
INSERT INTO "app_versions" ("app_id", "version", "commit_sha", "created_at")
SELECT a."id", v.n,
  (SELECT d."commit_sha" FROM "deployments" d WHERE d."app_id" = a."id" AND d."version" = v.n ORDER BY d."created_at" LIMIT 1),
  coalesce((SELECT min(d."created_at") FROM "deployments" d WHERE d."app_id" = a."id" AND d."version" = v.n), a."updated_at")
FROM "apps" a CROSS JOIN LATERAL generate_series(1, coalesce(a."snapshot_version", 0)) AS v(n)
ON CONFLICT DO NOTHING;
