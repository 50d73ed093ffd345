-- CreateTable
CREATE TABLE "sandbox_traffic_series" (
    "name" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "rps" DOUBLE PRECISION NOT NULL,
    "origin" TIMESTAMPTZ(3) NOT NULL,
    "segments" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sandbox_traffic_series_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "sandbox_chaos" (
    "service" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "image" TEXT,
    "replicas" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sandbox_chaos_pkey" PRIMARY KEY ("service","environment")
);

-- CreateTable
CREATE TABLE "alert_events" (
    "id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "alertname" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "annotations" JSONB NOT NULL,
    "generator_url" TEXT NOT NULL DEFAULT '',
    "receiver" TEXT NOT NULL,
    "group_key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incidents" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "alertname" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "slo" TEXT,
    "severity" TEXT NOT NULL,
    "automation" TEXT NOT NULL DEFAULT 'none',
    "status" TEXT NOT NULL DEFAULT 'open',
    "summary" TEXT NOT NULL DEFAULT '',
    "labels" JSONB NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "mttr_seconds" INTEGER,
    "preceding_deployment_id" UUID,
    "preceding_deployment_version" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "incidents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_decisions" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "playbook" TEXT,
    "guardrail" TEXT,
    "message" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "remediation_id" UUID,
    "actor" TEXT NOT NULL DEFAULT 'paved',

    CONSTRAINT "incident_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "remediations" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "playbook" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "guardrail" TEXT,
    "reason" TEXT NOT NULL,
    "result" JSONB NOT NULL DEFAULT '{}',
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "remediations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "remediation_settings" (
    "id" TEXT NOT NULL DEFAULT 'global',
    "kill_switch" BOOLEAN NOT NULL DEFAULT false,
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "max_actions_per_hour" INTEGER NOT NULL DEFAULT 3,
    "cooldown_minutes" INTEGER NOT NULL DEFAULT 10,
    "max_replicas" INTEGER NOT NULL DEFAULT 10,
    "auto_approve" JSONB NOT NULL DEFAULT '[]',
    "revision" INTEGER NOT NULL DEFAULT 1,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "remediation_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_events_received_at_idx" ON "alert_events"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "alert_events_fingerprint_starts_at_status_key" ON "alert_events"("fingerprint", "starts_at", "status");

-- CreateIndex
CREATE UNIQUE INDEX "incidents_number_key" ON "incidents"("number");

-- CreateIndex
CREATE INDEX "incidents_started_at_idx" ON "incidents"("started_at");

-- CreateIndex
CREATE INDEX "incidents_service_started_at_idx" ON "incidents"("service", "started_at");

-- CreateIndex
CREATE INDEX "incidents_status_idx" ON "incidents"("status");

-- CreateIndex
CREATE UNIQUE INDEX "incidents_fingerprint_started_at_key" ON "incidents"("fingerprint", "started_at");

-- CreateIndex
CREATE INDEX "incident_decisions_incident_id_at_idx" ON "incident_decisions"("incident_id", "at");

-- CreateIndex
CREATE INDEX "remediations_service_requested_at_idx" ON "remediations"("service", "requested_at");

-- CreateIndex
CREATE INDEX "remediations_status_idx" ON "remediations"("status");

-- CreateIndex
CREATE INDEX "remediations_requested_at_idx" ON "remediations"("requested_at");

-- AddForeignKey
ALTER TABLE "incident_decisions" ADD CONSTRAINT "incident_decisions_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "remediations" ADD CONSTRAINT "remediations_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
