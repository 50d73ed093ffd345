-- DropIndex
DROP INDEX "deployments_started_at_idx";

-- DropIndex
DROP INDEX "deployments_environment_started_at_idx";

-- AlterTable
ALTER TABLE "environments" ADD COLUMN     "integration_tests" JSONB;

-- CreateIndex
CREATE INDEX "deployments_started_at_id_idx" ON "deployments"("started_at", "id");

-- CreateIndex
CREATE INDEX "deployments_environment_started_at_id_idx" ON "deployments"("environment", "started_at", "id");
