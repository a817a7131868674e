-- The months before $start in which a validated fact can give a score: a delivery's or complaint's
-- month, an announcement's due month and the months it was re-dated, shipped or cancelled (the
-- statement announcing it scores nothing until then: a product announced years ahead does not
-- stretch history). An announcement neither shipped nor cancelled counts in every month from its
-- due month on (it stays in the promise score until resolved). Trust's memory reaches
-- back through these months (build.py: history_start).
WITH open_since AS (
  SELECT min(month) AS due FROM (
    SELECT announcement_id, any_value(month) AS month FROM announcement_events
    GROUP BY announcement_id HAVING NOT bool_or(event IN ('shipped', 'cancelled')))
)
SELECT DISTINCT m FROM (
  SELECT month AS m FROM deliveries
  UNION ALL SELECT month FROM complaints
  UNION ALL SELECT month FROM announcement_events
  UNION ALL SELECT date_trunc('month', event_date)::DATE FROM announcement_events WHERE event <> 'announced'
  UNION ALL SELECT unnest(range(due::TIMESTAMP, $start::TIMESTAMP, INTERVAL 1 MONTH))::DATE FROM open_since
) WHERE m < $start
ORDER BY m DESC
