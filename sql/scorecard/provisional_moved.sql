-- Scored months outside this run ([$start, $end)) whose `provisional` flag the latest date in the
-- data ($data_as_of) now flips: a late file that moves that date matures months it holds no row
-- of. The flag depends on that date alone (the rule of scorecard_pillars.sql), not on the month's
-- rows or scores, so it is set here, and the table equals a backfill's without rerunning them.
UPDATE scorecard
SET provisional = (month + INTERVAL 1 MONTH + to_days($maturity_days) > $data_as_of)
WHERE (month < $start OR month >= $end)
  AND provisional IS DISTINCT FROM (month + INTERVAL 1 MONTH + to_days($maturity_days) > $data_as_of)
