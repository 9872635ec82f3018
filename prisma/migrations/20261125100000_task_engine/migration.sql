-- AlterTable
ALTER TABLE "task" ADD COLUMN "stage" TEXT,
ADD COLUMN "run_epoch" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "retrying_since" TIMESTAMPTZ(3),
ADD COLUMN "last_error" TEXT,
ADD COLUMN "started_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "precheck_item" (
    "id" BIGSERIAL NOT NULL,
    "task_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "remedy" TEXT NOT NULL DEFAULT '',
    "is_ignorable" BOOLEAN NOT NULL DEFAULT false,
    "is_ignored" BOOLEAN NOT NULL DEFAULT false,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "precheck_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoint" (
    "task_id" UUID NOT NULL,
    "position" JSONB,
    "schema_history" JSONB,
    "snapshot" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "checkpoint_pkey" PRIMARY KEY ("task_id")
);

-- CreateTable
CREATE TABLE "table_progress" (
    "task_id" UUID NOT NULL,
    "database" TEXT NOT NULL,
    "table" TEXT NOT NULL,
    "rows_done" BIGINT NOT NULL DEFAULT 0,
    "rows_estimated" BIGINT NOT NULL DEFAULT 0,
    "last_key" JSONB,
    "is_done" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "table_progress_pkey" PRIMARY KEY ("task_id","database","table")
);

-- CreateTable
CREATE TABLE "metric_sample" (
    "id" BIGSERIAL NOT NULL,
    "task_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stage" TEXT NOT NULL,
    "records_per_second" DOUBLE PRECISION NOT NULL,
    "bytes_per_second" DOUBLE PRECISION NOT NULL,
    "latency_ms" INTEGER,

    CONSTRAINT "metric_sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert" (
    "id" BIGSERIAL NOT NULL,
    "task_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cleared_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "delivery_error" TEXT,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "precheck_item_task_id_key_key" ON "precheck_item"("task_id", "key");

-- CreateIndex
CREATE INDEX "metric_sample_task_id_at_idx" ON "metric_sample"("task_id", "at");

-- CreateIndex
CREATE INDEX "alert_task_id_kind_cleared_at_idx" ON "alert"("task_id", "kind", "cleared_at");

-- AddForeignKey
ALTER TABLE "precheck_item" ADD CONSTRAINT "precheck_item_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoint" ADD CONSTRAINT "checkpoint_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "table_progress" ADD CONSTRAINT "table_progress_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "metric_sample" ADD CONSTRAINT "metric_sample_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
