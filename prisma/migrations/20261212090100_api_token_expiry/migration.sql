-- API tokens expire. Tokens made before expiry existed get 90 days from this migration (the
-- default lifetime of a new token), so automation keeps working while the operator replaces
-- them; the column's default gives any row written without an expiry the same 90 days.
ALTER TABLE "api_token" ADD COLUMN "expires_at" TIMESTAMPTZ(3) NOT NULL DEFAULT (CURRENT_TIMESTAMP + INTERVAL '90 days');
