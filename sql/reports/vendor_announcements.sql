-- Evidence: a vendor's announcements that matter at the end of a month: due in the last 12
-- months, or re-dated already, or still open. Each with its event history up to that day.
WITH firsts AS (
  -- The first `announced` event is the first promise (one announced again later re-dates it), as
  -- sql/metrics/announcement_metrics.sql reads it.
  SELECT announcement_id,
         arg_min(product, (event_date, _source_file, _row_number)) FILTER (WHERE event = 'announced') AS product,
         arg_min(promised_ship_date, (event_date, _source_file, _row_number)) FILTER (WHERE event = 'announced') AS first_promise,
         min(event_date) FILTER (WHERE event = 'announced') AS announced_on,
         bool_or(coalesce(presold, false)) AS presold
  FROM announcement_events WHERE vendor_id = $vendor GROUP BY announcement_id
),
known AS (
  SELECT e.* FROM announcement_events e
  WHERE e.vendor_id = $vendor AND e.event_date < $month + INTERVAL 1 MONTH
)
SELECT f.announcement_id, f.product, f.first_promise, f.announced_on, f.presold,
       list({'event': k.event, 'event_date': k.event_date, 'promised': k.promised_ship_date,
             'source': k._source_file || ':' || k._row_number}
       -- in the order made, as the promise metrics read them (one day's statements by file and line)
       ORDER BY k.event_date, k.event <> 'announced', k._source_file, k._row_number) AS events
FROM firsts f JOIN known k USING (announcement_id)
WHERE f.announced_on < $month + INTERVAL 1 MONTH
GROUP BY ALL
HAVING f.first_promise >= $month - INTERVAL 11 MONTH
    OR (count(*) FILTER (WHERE k.event IN ('shipped', 'cancelled')) = 0)
ORDER BY f.first_promise, f.announcement_id
