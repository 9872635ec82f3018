-- Schema history versions: a binlog checkpoint references the version of the table definitions
-- it was taken with, and a version is written only when a DDL changed them, instead of the whole
-- history on every checkpoint.
CREATE TABLE "schema_history" (
    "id" BIGSERIAL NOT NULL,
    "task_id" UUID NOT NULL,
    "history" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schema_history_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "schema_history_task_id_idx" ON "schema_history"("task_id");

ALTER TABLE "schema_history" ADD CONSTRAINT "schema_history_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "checkpoint" ADD COLUMN "schema_history_id" BIGINT;
