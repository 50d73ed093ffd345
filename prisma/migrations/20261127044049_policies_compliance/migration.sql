-- CreateTable
CREATE TABLE "policy_exceptions" (
    "id" UUID NOT NULL,
    "policy" TEXT NOT NULL,
    "target_kind" TEXT,
    "target_namespace" TEXT,
    "target_name" TEXT,
    "reason" TEXT NOT NULL,
    "approver" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_exceptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "compliance_runs" (
    "id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "subjects" INTEGER NOT NULL DEFAULT 0,
    "evaluations" INTEGER NOT NULL DEFAULT 0,
    "passed" INTEGER NOT NULL DEFAULT 0,
    "waived" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "compliance_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "compliance_results" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "policy" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "environment" TEXT,
    "team" TEXT,
    "subject_kind" TEXT NOT NULL,
    "subject_name" TEXT NOT NULL,
    "subject_namespace" TEXT,
    "file" TEXT,
    "line" INTEGER,
    "exception_id" UUID,

    CONSTRAINT "compliance_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "compliance_snapshots" (
    "id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "evaluations" INTEGER NOT NULL,
    "passed" INTEGER NOT NULL,

    CONSTRAINT "compliance_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "policy_exceptions_policy_expires_at_idx" ON "policy_exceptions"("policy", "expires_at");

-- CreateIndex
CREATE INDEX "compliance_runs_started_at_idx" ON "compliance_runs"("started_at");

-- CreateIndex
CREATE INDEX "compliance_results_run_id_policy_idx" ON "compliance_results"("run_id", "policy");

-- CreateIndex
CREATE INDEX "compliance_snapshots_scope_key_taken_at_idx" ON "compliance_snapshots"("scope", "key", "taken_at");

-- CreateIndex
CREATE UNIQUE INDEX "compliance_snapshots_run_id_scope_key_key" ON "compliance_snapshots"("run_id", "scope", "key");

-- AddForeignKey
ALTER TABLE "compliance_results" ADD CONSTRAINT "compliance_results_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "compliance_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
