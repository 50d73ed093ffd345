-- AlterTable
ALTER TABLE "deployments" ADD COLUMN     "first_commit_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "insights_delivery_daily" (
    "day" DATE NOT NULL,
    "team_id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "deployments" INTEGER NOT NULL,
    "succeeded" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "rolled_back" INTEGER NOT NULL,
    "change_failures" INTEGER NOT NULL,
    "lead_time_count" INTEGER NOT NULL,
    "lead_time_seconds" BIGINT NOT NULL,

    CONSTRAINT "insights_delivery_daily_pkey" PRIMARY KEY ("day","team_id","environment")
);

-- CreateTable
CREATE TABLE "insights_incident_daily" (
    "day" DATE NOT NULL,
    "team_id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "incidents" INTEGER NOT NULL,
    "resolved" INTEGER NOT NULL,
    "restore_seconds" BIGINT NOT NULL,

    CONSTRAINT "insights_incident_daily_pkey" PRIMARY KEY ("day","team_id","environment")
);

-- CreateTable
CREATE TABLE "insights_adoption_daily" (
    "day" DATE NOT NULL,
    "team_id" UUID NOT NULL,
    "repositories" INTEGER NOT NULL,
    "adopting" INTEGER NOT NULL,

    CONSTRAINT "insights_adoption_daily_pkey" PRIMARY KEY ("day","team_id")
);

-- CreateTable
CREATE TABLE "insights_rollup_state" (
    "id" TEXT NOT NULL DEFAULT 'global',
    "rolled_through" DATE,
    "last_run_at" TIMESTAMPTZ(3),
    "last_full_at" TIMESTAMPTZ(3),
    "last_duration_ms" INTEGER NOT NULL DEFAULT 0,
    "last_days" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "insights_rollup_state_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "insights_delivery_daily_team_id_day_idx" ON "insights_delivery_daily"("team_id", "day");

-- CreateIndex
CREATE INDEX "insights_incident_daily_team_id_day_idx" ON "insights_incident_daily"("team_id", "day");
