-- The months before $start in which a validated fact can give a vendor a score (a superset is
-- safe: it only costs months computed): a delivery's or complaint's month, and every month an
-- announcement can be judged in, from its due month (or its first later statement, re-date or
-- cancellation, if earlier: a slip or a cancellation is judged from then) to 12 months after it
-- fell due or ended, or on while it is open. The statement announcing a product scores nothing by
-- itself: one announced years ahead does not stretch history. Trust's memory reaches back
-- through these months (build.py: history_start).
WITH events AS (
  SELECT announcement_id, month, event, event_date,
         (event_date, _source_file, _row_number) = min((event_date, _source_file, _row_number))
           FILTER (WHERE event = 'announced') OVER (PARTITION BY announcement_id) AS first_statement
  FROM announcement_events
),
spans AS (
  SELECT least(any_value(month),
               min(date_trunc('month', event_date)::DATE) FILTER (WHERE NOT coalesce(first_statement, false))) AS from_month,
         CASE WHEN bool_or(event IN ('shipped', 'cancelled'))
              THEN greatest(any_value(month), max(date_trunc('month', event_date)::DATE)
                                                FILTER (WHERE event IN ('shipped', 'cancelled'))) + INTERVAL 11 MONTH
              ELSE $start::DATE END AS to_month
  FROM events GROUP BY announcement_id
)
SELECT DISTINCT m FROM (
  SELECT month AS m FROM deliveries WHERE month < $start
  UNION ALL SELECT month FROM complaints WHERE month < $start
  UNION ALL SELECT unnest(range(from_month::TIMESTAMP, least(to_month, $start::DATE)::TIMESTAMP + INTERVAL 1 MONTH,
                                INTERVAL 1 MONTH))::DATE
  FROM spans WHERE from_month < $start
) WHERE m < $start
ORDER BY m DESC
