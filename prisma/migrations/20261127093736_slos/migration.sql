-- CreateTable
CREATE TABLE "slos" (
    "id" UUID NOT NULL,
    "service_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "display_name" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL,
    "objective" DOUBLE PRECISION NOT NULL,
    "window" TEXT NOT NULL DEFAULT '30d',
    "sli" JSONB NOT NULL,
    "owner_team_id" UUID NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'production',
    "alerting" BOOLEAN NOT NULL DEFAULT true,
    "automation" TEXT NOT NULL DEFAULT 'none',
    "revision" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slos_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "slos_owner_team_id_idx" ON "slos"("owner_team_id");

-- CreateIndex
CREATE UNIQUE INDEX "slos_service_id_name_key" ON "slos"("service_id", "name");

-- AddForeignKey
ALTER TABLE "slos" ADD CONSTRAINT "slos_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slos" ADD CONSTRAINT "slos_owner_team_id_fkey" FOREIGN KEY ("owner_team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
