-- Rows left out of a month, by feed, column and kind of reason (`reason_kind` in sql/macros.sql:
-- the values a reason quotes masked, so that rows failing one check group together), for the
-- reports: per vendor ($by_vendor: the vendor's page) or across vendors (the executive's summary,
-- the data-quality page). $month NULL: the rows that have no month (no valid date), which no
-- month's figures count.
SELECT feed, CASE WHEN $by_vendor THEN vendor_id END AS vendor_id, coalesce(column_name, '(row)') AS column_name,
       reason_kind(reason) AS reason, count(*) AS rows, count(DISTINCT vendor_id) AS vendors,
       arg_min(source_file || ':' || row_number, (source_file, row_number)) AS first_at,
       arg_min(reason, (source_file, row_number)) AS first_reason  -- as written for the first row
FROM quarantine
WHERE month IS NOT DISTINCT FROM $month
GROUP BY ALL
ORDER BY rows DESC, feed, reason
