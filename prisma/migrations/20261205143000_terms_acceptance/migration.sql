-- Terms acceptance: starting a task requires the operator to accept the terms of service; the
-- task keeps who accepted them (the operator's user name) and when, for its last start.
ALTER TABLE "task" ADD COLUMN "terms_accepted_at" TIMESTAMPTZ(3),
ADD COLUMN "terms_accepted_by" TEXT;
