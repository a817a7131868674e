-- Scored months outside this run ([$start, $end)) whose `provisional` flag the latest date in the
-- data ($data_as_of) now flips: a late file that moves that date matures months it holds no row
-- of. The flag depends on that date alone (macro is_provisional), not on the month's
-- rows or scores, so it is set here, and the table equals a backfill's without rerunning them.
UPDATE scorecard
SET provisional = is_provisional(month, $maturity_days, $data_as_of)
WHERE (month < $start OR month >= $end)
  AND provisional IS DISTINCT FROM is_provisional(month, $maturity_days, $data_as_of)
