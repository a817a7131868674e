-- Rows left out of a month, by feed, column and reason, for the reports: per vendor ($by_vendor:
-- the vendor's page, the data-quality page) or across vendors (the executive's summary).
-- $month NULL: the rows that have no month (no valid date), which no month's figures count.
-- The values a reason quotes are masked, so that rows failing one check group together: quoted
-- text, numbers, dates and times, code points and the lines of files ('acknowledged 2025-09-01
-- 09:00:00 before it was opened 2025-09-01 10:00:00' and 'must be > 0, got -1.0' each read as one
-- reason). The numbers a reason states as its rule (> 0, >= 0, 10^15) are kept.
WITH masked AS (
  SELECT *, regexp_replace(regexp_replace(regexp_replace(
              replace(replace(replace(reason, '10^15', chr(1)), '>= 0', chr(2)), '> 0', chr(3)),
              '''[^'']*''', '''…''', 'g'),
              'U\+[0-9A-F]{4,6}', 'U+…', 'g'),
              '[-+]?[0-9][0-9.:eE+-]*( [0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?', '…', 'g') AS masked_reason
  FROM quarantine
  WHERE month IS NOT DISTINCT FROM $month
)
SELECT feed, CASE WHEN $by_vendor THEN vendor_id END AS vendor_id, coalesce(column_name, '(row)') AS column_name,
       replace(replace(replace(masked_reason, chr(1), '10^15'), chr(2), '>= 0'), chr(3), '> 0') AS reason,
       count(*) AS rows,
       arg_min(source_file || ':' || row_number, (source_file, row_number)) AS first_at
FROM masked
GROUP BY ALL
ORDER BY rows DESC, feed, reason
