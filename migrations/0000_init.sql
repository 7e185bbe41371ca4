CREATE TABLE "app_prompts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"prompt" text NOT NULL,
	"kind" text NOT NULL,
	"message_kind" text NOT NULL,
	"metadata" jsonb,
	"trace_id" text,
	"run_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "apps" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"app_name" text,
	"tech_stack" text NOT NULL,
	"client_source" text DEFAULT 'web' NOT NULL,
	"trace_id" text,
	"github_owner" text,
	"github_owner_type" text,
	"github_repo" text,
	"repository_url" text,
	"deploy_status" text DEFAULT 'pending' NOT NULL,
	"app_url" text,
	"koyeb_app_id" text,
	"koyeb_service_id" text,
	"koyeb_domain_id" text,
	"neon_project_id" text,
	"ecr_repository" text,
	"snapshot_version" integer,
	"run_status" text DEFAULT 'idle' NOT NULL,
	"last_run_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"app_id" uuid NOT NULL,
	"owner_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"reason" text,
	"commit_sha" text,
	"image_uri" text,
	"build_id" text,
	"koyeb_app_id" text,
	"koyeb_service_id" text,
	"koyeb_deployment_id" text,
	"url" text,
	"workflow_instance_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"app_id" uuid NOT NULL,
	"run_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "custom_message_limits" (
	"user_id" text PRIMARY KEY NOT NULL,
	"daily_limit" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_usage" (
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "message_usage_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "user_profiles" (
	"user_id" text PRIMARY KEY NOT NULL,
	"email" text,
	"email_verified" boolean DEFAULT false NOT NULL,
	"display_name" text,
	"github_login" text,
	"is_employee" boolean DEFAULT false NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "app_prompts" ADD CONSTRAINT "app_prompts_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_app_id_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."apps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "app_prompts_app_seq_uidx" ON "app_prompts" USING btree ("app_id","seq");--> statement-breakpoint
CREATE INDEX "app_prompts_app_created_idx" ON "app_prompts" USING btree ("app_id","created_at");--> statement-breakpoint
CREATE INDEX "apps_owner_created_idx" ON "apps" USING btree ("owner_id","created_at" DESC NULLS LAST) WHERE "apps"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "deployments_app_version_idx" ON "deployments" USING btree ("app_id","version" DESC NULLS LAST,"created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "deployments_owner_idx" ON "deployments" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");