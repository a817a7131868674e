-- Rows left out of a month, by feed and reason (quoted values masked), for the reports.
-- $month NULL: the rows that have no month (no valid date), which no month's figures count.
SELECT feed, vendor_id, coalesce(column_name, '(row)') AS column_name,
       regexp_replace(reason, '''[^'']*''', '''…''', 'g') AS reason, count(*) AS rows,
       arg_min(source_file || ':' || row_number, (source_file, row_number)) AS first_at
FROM quarantine
WHERE month IS NOT DISTINCT FROM $month
GROUP BY ALL
ORDER BY rows DESC, feed, reason
