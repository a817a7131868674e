-- The best-handled serious incident resolved in the last three months: a redemption story for the
-- executive page. Only incidents old enough to judge (opened 30+ days before the month's end)
-- and not themselves a repeat of an earlier failure, by a vendor graded A-C whose trust did not fall this month
-- (a story of redemption told about the month's biggest faller would mislead).
SELECT v.vendor_name, r.category, r.severity, r.opened_at, r.acknowledged_at, r.resolved_at, r.due_at,
       r.hours_to_acknowledge, r.apologized, r.explained, r.restitution, r.disclosed_by, r.recovery_points,
       -- due_at is the date promised, or the severity's target when none was (review: "by the
       -- date it promised" was said of a complaint that had no date promised)
       c.promised_resolution_at IS NOT NULL AS date_promised, date_diff('day', r.opened_at, r.due_at) AS target_days
FROM complaint_recovery r JOIN vendors v USING (vendor_id)
JOIN complaints c USING (complaint_id)
LEFT JOIN scorecard s ON s.vendor_id = r.vendor_id AND s.month = $month
WHERE r.severity IN ('high', 'critical') AND NOT r.is_repeat
  -- a story of redemption, not of the best of bad handling (review: "acknowledged it in no data ...
  -- resolved it after the 2-day target", never acknowledged, no apology, no explanation): answered,
  -- owned (an apology or the cause explained) and fixed by the date due
  AND r.acknowledged_at IS NOT NULL AND r.resolved_on_time AND (r.apologized OR r.explained)
  AND r.resolved_at >= $month - INTERVAL 2 MONTH AND r.resolved_at < $month + INTERVAL 1 MONTH
  AND r.opened_at < $month + INTERVAL 1 MONTH - INTERVAL 30 DAY
  AND NOT coalesce(v.is_self, false)
  AND s.trust_change >= 0 AND s.grade NOT IN ('D', 'F')
ORDER BY r.recovery_points DESC, CASE r.severity WHEN 'critical' THEN 0 ELSE 1 END, r.hours_to_acknowledge,
         r.resolved_at - r.opened_at, r.complaint_id
LIMIT 1
