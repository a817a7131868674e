-- Scored months outside this run ([$start, $end)) whose `provisional` flag the latest date in the
-- data ($data_as_of) now flips: a late file that moves that date matures, or un-matures, months it
-- holds no row of. They are out of date until a run scores them again (the run's note names them).
-- The flag's rule is the one in scorecard_pillars.sql.
INSERT OR IGNORE INTO scores_out_of_date
SELECT DISTINCT month FROM scorecard
WHERE (month < $start OR month >= $end)
  AND provisional IS DISTINCT FROM (month + INTERVAL 1 MONTH + to_days($maturity_days) > $data_as_of)
