-- CreateTable
CREATE TABLE "data_versions" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" BIGINT NOT NULL DEFAULT 1,

    CONSTRAINT "data_versions_pkey" PRIMARY KEY ("id")
);

-- The one row, and nothing else: the version only ever moves on.
INSERT INTO "data_versions" ("id", "version") VALUES (1, 1);
ALTER TABLE "data_versions" ADD CONSTRAINT "data_versions_one_row" CHECK ("id" = 1);

-- Bumped once per statement that changes a cached table, inside that statement's transaction:
-- a reader that sees the new data sees the new version, and the other way round.
CREATE FUNCTION "paved_bump_data_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "data_versions" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;

-- Who someone is and may do (lib/core/auth/actor.ts). Sign-in bookkeeping (users.last_seen_at,
-- api_tokens.last_used_at) is left out: it changes no answer and happens on every sign-in.
CREATE TRIGGER "users_data_version" AFTER INSERT OR DELETE OR TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
CREATE TRIGGER "users_data_version_update" AFTER UPDATE OF "id", "login", "name", "email", "avatar_url", "github_id", "is_demo", "disabled_at" ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
CREATE TRIGGER "memberships_data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "memberships"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
CREATE TRIGGER "api_tokens_data_version" AFTER INSERT OR DELETE OR TRUNCATE ON "api_tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
CREATE TRIGGER "api_tokens_data_version_update" AFTER UPDATE OF "id", "user_id", "token_hash", "expires_at", "revoked_at" ON "api_tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
CREATE TRIGGER "revoked_sessions_data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "revoked_sessions"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();

-- Teams (names, colours, slugs in grants) and the services list (lib/services/read.ts).
CREATE TRIGGER "teams_data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "teams"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
CREATE TRIGGER "services_data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "services"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
CREATE TRIGGER "service_dependencies_data_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "service_dependencies"
  FOR EACH STATEMENT EXECUTE FUNCTION "paved_bump_data_version"();
