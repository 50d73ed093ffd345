-- CreateTable
CREATE TABLE "sandbox_applications" (
    "name" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "revision" TEXT,
    "image" TEXT,
    "previous_image" TEXT,
    "strategy" TEXT NOT NULL DEFAULT 'rolling',
    "traffic_steps" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "sync_started_at" TIMESTAMPTZ(3),
    "paused_step" INTEGER,
    "step_started_at" TIMESTAMPTZ(3),
    "aborted" BOOLEAN NOT NULL DEFAULT false,
    "drift" JSONB,
    "history" JSONB NOT NULL DEFAULT '[]',
    "restarted_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sandbox_applications_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "sandbox_bad_versions" (
    "service" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'unhealthy',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_bad_versions_pkey" PRIMARY KEY ("service","version")
);

-- CreateIndex
CREATE INDEX "sandbox_applications_service_idx" ON "sandbox_applications"("service");
