-- CreateEnum
CREATE TYPE "template_type" AS ENUM ('github-workflow', 'github-action', 'azure-pipeline', 'terraform', 'gitops-app');

-- CreateEnum
CREATE TYPE "lifecycle" AS ENUM ('experimental', 'stable', 'deprecated', 'retired');

-- CreateEnum
CREATE TYPE "instance_status" AS ENUM ('queued', 'running', 'pull_request_open', 'completed', 'failed');

-- CreateTable
CREATE TABLE "templates" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "type" "template_type" NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "owner_team" TEXT NOT NULL,
    "allowed_teams" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "search_text" TEXT NOT NULL,
    "latest_version" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template_versions" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "major" INTEGER NOT NULL,
    "minor" INTEGER NOT NULL,
    "patch" INTEGER NOT NULL,
    "prerelease" TEXT,
    "lifecycle" "lifecycle" NOT NULL,
    "digest" TEXT NOT NULL,
    "bundle" JSONB NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_by" TEXT NOT NULL,
    "lifecycle_changed_at" TIMESTAMPTZ(3),
    "lifecycle_note" TEXT,

    CONSTRAINT "template_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template_instances" (
    "id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "version_id" UUID NOT NULL,
    "repo" TEXT NOT NULL,
    "team_id" UUID NOT NULL,
    "parameters" JSONB NOT NULL,
    "created_repo" BOOLEAN NOT NULL DEFAULT false,
    "status" "instance_status" NOT NULL DEFAULT 'queued',
    "branch" TEXT,
    "pull_request_number" INTEGER,
    "pull_request_url" TEXT,
    "repo_url" TEXT,
    "files" JSONB,
    "error" TEXT,
    "request_key" TEXT NOT NULL,
    "job_id" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "template_instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template_upgrades" (
    "id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "from_version_id" UUID NOT NULL,
    "to_version_id" UUID NOT NULL,
    "status" "instance_status" NOT NULL DEFAULT 'queued',
    "branch" TEXT,
    "pull_request_number" INTEGER,
    "pull_request_url" TEXT,
    "error" TEXT,
    "job_id" TEXT,
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "template_upgrades_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adoption_records" (
    "id" UUID NOT NULL,
    "repo" TEXT NOT NULL,
    "team_id" UUID,
    "template_name" TEXT NOT NULL,
    "version" TEXT,
    "source" TEXT NOT NULL,
    "path" TEXT NOT NULL DEFAULT '',
    "scan_id" UUID NOT NULL,
    "scanned_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "adoption_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adoption_scans" (
    "id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "repositories" INTEGER NOT NULL DEFAULT 0,
    "adopting" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "adoption_scans_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "templates_name_key" ON "templates"("name");

-- CreateIndex
CREATE INDEX "templates_type_idx" ON "templates"("type");

-- CreateIndex
CREATE INDEX "templates_owner_team_idx" ON "templates"("owner_team");

-- CreateIndex
CREATE INDEX "template_versions_template_id_major_minor_patch_idx" ON "template_versions"("template_id", "major", "minor", "patch");

-- CreateIndex
CREATE UNIQUE INDEX "template_versions_template_id_version_key" ON "template_versions"("template_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "template_instances_request_key_key" ON "template_instances"("request_key");

-- CreateIndex
CREATE INDEX "template_instances_template_id_status_idx" ON "template_instances"("template_id", "status");

-- CreateIndex
CREATE INDEX "template_instances_repo_idx" ON "template_instances"("repo");

-- CreateIndex
CREATE INDEX "template_instances_team_id_idx" ON "template_instances"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "template_upgrades_instance_id_to_version_id_key" ON "template_upgrades"("instance_id", "to_version_id");

-- CreateIndex
CREATE INDEX "adoption_records_template_name_idx" ON "adoption_records"("template_name");

-- CreateIndex
CREATE INDEX "adoption_records_team_id_idx" ON "adoption_records"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "adoption_records_repo_template_name_source_path_key" ON "adoption_records"("repo", "template_name", "source", "path");

-- AddForeignKey
ALTER TABLE "template_versions" ADD CONSTRAINT "template_versions_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_instances" ADD CONSTRAINT "template_instances_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "templates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_instances" ADD CONSTRAINT "template_instances_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "template_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_instances" ADD CONSTRAINT "template_instances_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_upgrades" ADD CONSTRAINT "template_upgrades_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "template_instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_upgrades" ADD CONSTRAINT "template_upgrades_from_version_id_fkey" FOREIGN KEY ("from_version_id") REFERENCES "template_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_upgrades" ADD CONSTRAINT "template_upgrades_to_version_id_fkey" FOREIGN KEY ("to_version_id") REFERENCES "template_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
