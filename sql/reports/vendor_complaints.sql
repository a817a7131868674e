-- Evidence: a vendor's complaints opened in a month, with how each was handled.
SELECT complaint_id, opened_at, acknowledged_at, resolved_at, due_at, coalesce(severity, 'medium') AS severity, severity IS NULL AS severity_blank,
       category, disclosed_by, apologized, explained, restitution, summary, hours_to_acknowledge,
       resolved_on_time, is_repeat, recovery_points, weight, _source_file || ':' || _row_number AS source
FROM complaint_recovery
WHERE vendor_id = $vendor AND month = $month
ORDER BY recovery_points, opened_at, complaint_id
