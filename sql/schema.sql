-- Tables whose shape is fixed by the contract. Staged, validated and metric tables take their
-- shape from the model that fills them (CREATE TABLE IF NOT EXISTS ... AS ... LIMIT 0).
CREATE TABLE IF NOT EXISTS quarantine (
  feed VARCHAR NOT NULL,            -- vendors / deliveries / complaints / announcements
  month DATE,                       -- the month the row would belong to; NULL when unknown
  vendor_id VARCHAR,                -- as written in the row (may be unknown or empty)
  source_file VARCHAR NOT NULL,     -- path under the landing folder
  row_number BIGINT NOT NULL,       -- line of the file where the row starts (header = line 1)
  column_name VARCHAR,              -- the offending column; NULL when the whole row is at fault
  reason VARCHAR NOT NULL,
  raw_record VARCHAR NOT NULL,      -- the row as read, every value as text (JSON object)
  first_rejected_run VARCHAR        -- the Dagster run that first rejected this row for this reason
);
CREATE TABLE IF NOT EXISTS ingest_log (
  feed VARCHAR NOT NULL,
  month DATE,                       -- NULL: rows whose month could not be determined
  rows_read BIGINT NOT NULL,
  rows_valid BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  rows_duplicate BIGINT NOT NULL    -- exact copies of a row already counted, kept once
);
CREATE TABLE IF NOT EXISTS build_log (
  step VARCHAR PRIMARY KEY,         -- e.g. stage:deliveries, validate:deliveries
  fingerprint VARCHAR NOT NULL,     -- of everything the step's output depends on (inputs and code)
  detail VARCHAR NOT NULL           -- JSON: what the step reported, shown again when it is reused
);
CREATE TABLE IF NOT EXISTS scores_out_of_date (
  month DATE PRIMARY KEY            -- a scored month whose validated rows, or an earlier month's, changed
);                                  -- since it was scored: kept until a run scores it again
CREATE TABLE IF NOT EXISTS spooled_files (
  feed VARCHAR NOT NULL,
  source_file VARCHAR NOT NULL,     -- path under the landing folder
  part VARCHAR NOT NULL             -- the Parquet file its rows were spooled to, as read (quarantine's raw records)
);
