-- AlterTable
ALTER TABLE "services" ADD COLUMN     "environments" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "graph_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "graph_state_pkey" PRIMARY KEY ("id")
);

-- One row only, present from the start.
ALTER TABLE "graph_state" ADD CONSTRAINT "graph_state_single_row" CHECK ("id" = 1);
INSERT INTO "graph_state" ("id", "revision") VALUES (1, 1) ON CONFLICT DO NOTHING;

-- Existing services deploy to every environment.
UPDATE "services" SET "environments" = COALESCE((SELECT array_agg("name" ORDER BY "position") FROM "environments"), ARRAY[]::TEXT[]);
