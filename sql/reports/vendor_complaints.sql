-- Evidence: a vendor's complaints opened in a month, with how each was handled. due_at is the date
-- promised, or the severity's target when none was (date_promised says which: review, "past the
-- promised resolution date" was said of complaints that had no date promised).
SELECT r.complaint_id, r.opened_at, r.acknowledged_at, r.resolved_at, r.due_at,
       c.promised_resolution_at IS NOT NULL AS date_promised,
       coalesce(r.severity, 'medium') AS severity, r.severity IS NULL AS severity_blank,
       r.category, r.disclosed_by, r.apologized, r.explained, r.restitution, r.summary, r.hours_to_acknowledge,
       r.resolved_on_time, r.is_repeat, r.recovery_points, r.weight, r._source_file || ':' || r._row_number AS source
FROM complaint_recovery r
JOIN complaints c USING (complaint_id)
WHERE r.vendor_id = $vendor AND r.month = $month
ORDER BY r.recovery_points, r.opened_at, r.complaint_id
