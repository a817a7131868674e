-- One row per report, recipient and send: what exactly-once delivery checks before mailing.
-- A report+recipient logged for a month in mode 'smtp' is not mailed again unless forced;
-- 'dry-run' rows record .eml files written and suppress nothing.
CREATE TABLE IF NOT EXISTS mail_log (
  month DATE NOT NULL,              -- the month of the report
  report VARCHAR NOT NULL,          -- 'executive' or 'vendor'
  vendor_id VARCHAR,                -- the vendor of a vendor report; NULL for the executive one
  recipient VARCHAR NOT NULL,       -- as mailed (a validated plain address)
  pdf_sha256 VARCHAR NOT NULL,      -- the PDF attached, so a later rerun can tell it changed
  mode VARCHAR NOT NULL,            -- 'smtp' or 'dry-run'
  run_id VARCHAR NOT NULL,          -- the Dagster run that sent it
  sent_at TIMESTAMP NOT NULL        -- UTC, when the server accepted it (or the file was written)
);
