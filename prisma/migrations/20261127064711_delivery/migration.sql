-- CreateEnum
CREATE TYPE "PromotionStatus" AS ENUM ('pending_approval', 'approved', 'rejected', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled');

-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "auto_reconcile" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "auto_rollback" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "branch" TEXT,
ADD COLUMN     "promotion_mode" TEXT NOT NULL DEFAULT 'direct';

-- CreateTable
CREATE TABLE "promotions" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "environment" TEXT NOT NULL,
    "source_environment" TEXT,
    "status" "PromotionStatus" NOT NULL DEFAULT 'pending_approval',
    "requested_by_id" UUID NOT NULL,
    "requested_by" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "budget_override" TEXT,
    "plan" JSONB NOT NULL,
    "gates" JSONB NOT NULL,
    "diff" JSONB NOT NULL,
    "required_approvals" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "promotions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "promotion_items" (
    "promotion_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "from_version" TEXT,
    "to_version" TEXT NOT NULL,

    CONSTRAINT "promotion_items_pkey" PRIMARY KEY ("promotion_id","service")
);

-- CreateTable
CREATE TABLE "promotion_approvals" (
    "promotion_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "login" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "promotion_approvals_pkey" PRIMARY KEY ("promotion_id","user_id")
);

-- CreateTable
CREATE TABLE "delivery_runs" (
    "id" UUID NOT NULL,
    "promotion_id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "message" TEXT,
    "started_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "delivery_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_steps" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "wave" INTEGER NOT NULL,
    "service" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "detail" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "run_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployments" (
    "id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "previous_version" TEXT,
    "strategy" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'deploy',
    "outcome" TEXT NOT NULL DEFAULT 'in_progress',
    "actor" TEXT NOT NULL,
    "run_id" UUID,
    "promotion_number" INTEGER,
    "commit_sha" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_locks" (
    "service" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delivery_locks_pkey" PRIMARY KEY ("service","environment")
);

-- CreateIndex
CREATE UNIQUE INDEX "promotions_number_key" ON "promotions"("number");

-- CreateIndex
CREATE INDEX "promotions_environment_created_at_idx" ON "promotions"("environment", "created_at");

-- CreateIndex
CREATE INDEX "promotions_status_idx" ON "promotions"("status");

-- CreateIndex
CREATE UNIQUE INDEX "delivery_runs_promotion_id_key" ON "delivery_runs"("promotion_id");

-- CreateIndex
CREATE INDEX "delivery_runs_status_idx" ON "delivery_runs"("status");

-- CreateIndex
CREATE INDEX "run_steps_run_id_service_idx" ON "run_steps"("run_id", "service");

-- CreateIndex
CREATE UNIQUE INDEX "run_steps_run_id_position_key" ON "run_steps"("run_id", "position");

-- CreateIndex
CREATE INDEX "deployments_started_at_idx" ON "deployments"("started_at");

-- CreateIndex
CREATE INDEX "deployments_service_environment_started_at_idx" ON "deployments"("service", "environment", "started_at");

-- CreateIndex
CREATE INDEX "deployments_environment_started_at_idx" ON "deployments"("environment", "started_at");

-- CreateIndex
CREATE INDEX "deployments_run_id_idx" ON "deployments"("run_id");

-- AddForeignKey
ALTER TABLE "promotion_items" ADD CONSTRAINT "promotion_items_promotion_id_fkey" FOREIGN KEY ("promotion_id") REFERENCES "promotions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promotion_approvals" ADD CONSTRAINT "promotion_approvals_promotion_id_fkey" FOREIGN KEY ("promotion_id") REFERENCES "promotions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_runs" ADD CONSTRAINT "delivery_runs_promotion_id_fkey" FOREIGN KEY ("promotion_id") REFERENCES "promotions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "delivery_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
UPDATE "environments" SET "promotion_mode" = 'pull_request' WHERE "protected";

-- Who holds a run, and since when (resuming runs whose worker died).
ALTER TABLE "delivery_runs" ADD COLUMN "owner" TEXT, ADD COLUMN "heartbeat_at" TIMESTAMPTZ(3);
ALTER TABLE "promotions" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'promotion';
