-- Rows left out of a month, by feed and reason (quoted values masked), for the reports.
SELECT feed, vendor_id, coalesce(column_name, '(row)') AS column_name,
       regexp_replace(reason, '''[^'']*''', '''…''', 'g') AS reason, count(*) AS rows,
       min(source_file || ':' || row_number) AS first_at
FROM quarantine
WHERE month = $month
GROUP BY ALL
ORDER BY rows DESC, feed, reason
