-- The sign-in limiter's counters (packages/db/src/sign-in-throttle.ts): one row per account and
-- client address, and one per client address; the key is a SHA-256, so neither user names nor
-- addresses are stored in clear.
CREATE TABLE "sign_in_throttle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "blocked_until" TIMESTAMPTZ(3),
    "last_failure_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "sign_in_throttle_last_failure_at_idx" ON "sign_in_throttle"("last_failure_at");
