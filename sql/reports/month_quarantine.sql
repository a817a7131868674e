-- Rows left out of a month, by feed, column and kind of reason (`reason_kind` in sql/macros.sql:
-- the values a reason quotes masked, so that rows failing one check group together), for the
-- reports: one vendor's ($vendor: the vendor's page, which goes to the vendor) or every vendor's
-- ($vendor NULL: the executive's summary, the data-quality page). $month NULL: the rows that have
-- no month (no valid date), which no month's figures count.
--
-- The vendor's page must not name another vendor: a reason that quotes another vendor's id or the
-- place of another vendor's row (a key two vendors' rows share with different values, an
-- announcement whose events name two vendors) is told without them. The `quarantine` table
-- keeps the reason as written.
WITH rows AS (
  SELECT q.*, $vendor IS NOT NULL AND EXISTS (
           SELECT 1 FROM quarantine o
           WHERE o.feed = q.feed AND o.reason = q.reason AND o.vendor_id IS DISTINCT FROM q.vendor_id
             AND (contains(q.reason || ',', ' ' || o.source_file || ':' || o.row_number || ',')
                  OR contains(q.reason || ',', ' ' || o.vendor_id || ','))) AS names_another
  FROM quarantine q
  WHERE q.month IS NOT DISTINCT FROM $month AND ($vendor IS NULL OR q.vendor_id = $vendor)
), shown AS (
  SELECT * REPLACE (CASE
    WHEN NOT names_another THEN reason
    WHEN contains(reason, ' appears with different values in ')
      THEN split_part(reason, ' appears with different values in ', 1)
           || ' appears with different values in another vendor''s rows too (which ones: ask us)'
    ELSE 'this row shares its key with another vendor''s rows, which conflict with it (which ones: ask us)'
    END AS reason)
  FROM rows
)
SELECT feed, $vendor AS vendor_id, coalesce(column_name, '(row)') AS column_name,
       reason_kind(reason) AS reason, count(*) AS rows, count(DISTINCT vendor_id) AS vendors,
       arg_min(source_file || ':' || row_number, (source_file, row_number)) AS first_at,
       arg_min(reason, (source_file, row_number)) AS first_reason  -- as written for the first row
FROM shown
GROUP BY ALL
ORDER BY rows DESC, feed, reason
