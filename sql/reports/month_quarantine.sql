-- Rows left out of a month, by feed, column and reason, for the reports: per vendor ($by_vendor:
-- the vendor's page, the data-quality page) or across vendors (the executive's summary).
-- $month NULL: the rows that have no month (no valid date), which no month's figures count.
-- The values a reason quotes are masked, so that rows failing one check group together: quoted
-- text, numbers, dates and times, code points and the lines of files ('acknowledged 2025-09-01
-- 09:00:00 before it was opened 2025-09-01 10:00:00' and 'must be > 0, got -1.0' each read as one
-- reason). The numbers of the rules themselves (the reasons of sql/ and ingest/landing.py) are
-- set aside first and put back after.
WITH rules AS (
  SELECT list_transform(['10^15', '>= 0', '> 0', 'ISO 8601', 'UTF-8', '1/0', 'the limit is 10000',
                         'the limit is 256', 'more than 5 years', 'more than 10 years'],
                        lambda rule, i: [rule, chr(i::INTEGER)]) AS kept
),
masked AS (
  SELECT q.*, list_reduce(r.kept, lambda text, k: replace(text, k[2], k[1]),
           regexp_replace(regexp_replace(regexp_replace(
             list_reduce(r.kept, lambda text, k: replace(text, k[1], k[2]), q.reason),
             '''[^'']*''', '''…''', 'g'),
             'U\+[0-9A-F]{4,6}', 'U+…', 'g'),
             '[-+]?[0-9][0-9.:eE+-]*( [0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?', '…', 'g')) AS masked_reason
  FROM quarantine q, rules r
  WHERE q.month IS NOT DISTINCT FROM $month
)
SELECT feed, CASE WHEN $by_vendor THEN vendor_id END AS vendor_id, coalesce(column_name, '(row)') AS column_name,
       masked_reason AS reason, count(*) AS rows,
       arg_min(source_file || ':' || row_number, (source_file, row_number)) AS first_at
FROM masked
GROUP BY ALL
ORDER BY rows DESC, feed, reason
