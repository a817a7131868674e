-- Re-dates made on or after the day an announcement shipped or was cancelled: kept as given, and
-- not counted as promises (docs/metrics.md; sql/metrics/announcement_metrics.sql reads re-dates
-- the same way: `revised` events, and `announced` ones on a later day than the first). Counted so
-- that the run can say so: a tracker that keeps editing a shipped item's date is worth a look.
WITH ends AS (
  SELECT announcement_id,
         min(event_date) FILTER (WHERE event IN ('shipped', 'cancelled')) AS ended_on,
         min(event_date) FILTER (WHERE event = 'announced') AS announced_on
  FROM announcement_events GROUP BY announcement_id
)
SELECT count(*) AS redates, count(DISTINCT e.announcement_id) AS announcements,
       arg_min(e._source_file || ':' || e._row_number, (e._source_file, e._row_number)) AS first_at
FROM announcement_events e JOIN ends n USING (announcement_id)
WHERE (e.event = 'revised' OR (e.event = 'announced' AND e.event_date > n.announced_on))
  AND e.event_date >= n.ended_on
