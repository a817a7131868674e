-- Complaint (recovery) metrics per vendor and month (the UTC month of opened_at), months [$start, $end),
-- aggregated from complaint_recovery (one row per complaint with its recovery points).
SELECT
  vendor_id,
  month,
  count(*) AS complaints_opened,
  count(*) FILTER (WHERE acknowledged_at IS NOT NULL) AS acknowledged,
  count(*) FILTER (WHERE hours_to_acknowledge <= 24) AS acknowledged_within_day,
  median(hours_to_acknowledge) AS median_hours_to_acknowledge,
  count(*) FILTER (WHERE resolved_on_time) AS resolved_on_time,
  count(*) FILTER (WHERE resolved_at IS NULL) AS still_open,
  count(*) FILTER (WHERE apologized) AS apologized,
  count(*) FILTER (WHERE explained) AS explained,
  count(*) FILTER (WHERE restitution) AS restitution,
  count(*) FILTER (WHERE disclosed_by = 'vendor') AS self_disclosed,
  count(*) FILTER (WHERE is_repeat) AS repeats,
  count(*) FILTER (WHERE severity IN ('high', 'critical')) AS serious,
  -- A handled complaint scores 40..90, never 100: a failure repaired well is still a failure.
  (sum(exact(weight * (40 + 50 * recovery_points))) / sum(weight))::DOUBLE AS recovery_score  -- exact: any order
FROM complaint_recovery
WHERE month >= $start AND month < $end
GROUP BY vendor_id, month
ORDER BY vendor_id, month
