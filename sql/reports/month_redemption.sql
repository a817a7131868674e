-- The best-handled serious incident resolved in the month: a redemption story for the executive page.
SELECT v.vendor_name, r.category, r.severity, r.opened_at, r.acknowledged_at, r.resolved_at, r.due_at,
       r.hours_to_acknowledge, r.apologized, r.explained, r.restitution, r.disclosed_by, r.recovery_points
FROM complaint_recovery r JOIN vendors v USING (vendor_id)
WHERE r.severity IN ('high', 'critical') AND date_trunc('month', r.resolved_at) = $month
  AND NOT coalesce(v.is_self, false)
ORDER BY r.recovery_points DESC, r.hours_to_acknowledge, r.resolved_at - r.opened_at, r.complaint_id
LIMIT 1
