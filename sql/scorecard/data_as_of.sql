-- The latest date the data speaks of (a delivery made, a complaint touched, an announcement event):
-- "provisional" is measured against it, so the scorecard depends on the data alone, never on
-- the day the job runs. Promised dates do not count: a promise is not an event that happened.
SELECT greatest(
  (SELECT max(delivered_date) FROM deliveries),
  (SELECT max(greatest(opened_at, coalesce(acknowledged_at, opened_at), coalesce(resolved_at, opened_at)))::DATE
     FROM complaints),
  (SELECT max(event_date) FROM announcement_events)
) AS data_as_of
