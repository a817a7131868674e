-- Announcements that slipped (re-dated to a later day), died (cancelled), fell overdue or shipped late in the month: one row
-- per announcement, the worst thing that happened to it that month, pre-sold and most re-dated first.
-- Our own company's are listed too (same rules); vendor_flagged is the scorecard's vaporware flag.
WITH statements AS (
  -- The promise standing before each statement (the one made before it, in the order made).
  SELECT _source_file, _row_number, lag(promised_ship_date) OVER (
           PARTITION BY announcement_id ORDER BY event_date, event <> 'announced', _source_file, _row_number) AS promise_before
  FROM announcement_events WHERE event IN ('announced', 'revised')
),
events AS (
  -- A re-date: a `revised` event, or an `announced` one on a later day than the first, made
  -- before the product shipped or was cancelled (as sql/metrics/announcement_metrics.sql reads it).
  -- A slip: a re-date to a later day than the promise it replaced (a pull-in is no slip: a product
  -- pulled in and shipped early was listed to executives as a promise slipped).
  SELECT *, event = 'revised' OR (event = 'announced' AND event_date > first_on) AS redate,
         (event = 'revised' OR (event = 'announced' AND event_date > first_on))
           AND promised_ship_date > promise_before AS slip
  FROM (SELECT e.*, st.promise_before,
               min(event_date) FILTER (WHERE event = 'announced') OVER (PARTITION BY announcement_id) AS first_on,
               min(event_date) FILTER (WHERE event IN ('shipped', 'cancelled')) OVER (PARTITION BY announcement_id) AS ended_on
        FROM announcement_events e LEFT JOIN statements st USING (_source_file, _row_number))
),
firsts AS (
  SELECT announcement_id, any_value(vendor_id) AS vendor_id,
         -- the first `announced` event names the product and makes the first promise
         arg_min(product, (event_date, _source_file, _row_number)) FILTER (WHERE event = 'announced') AS product,
         arg_min(promised_ship_date, (event_date, _source_file, _row_number)) FILTER (WHERE event = 'announced') AS first_promise,
         bool_or(coalesce(presold, false)) AS presold,
         count(*) FILTER (WHERE redate AND event_date < coalesce(ended_on, DATE '9999-12-31')
                          AND event_date < $month + INTERVAL 1 MONTH) AS redates,
         -- the promise standing at the month's end: the last statement made by then, in the order made
         arg_max(promised_ship_date, (event_date, event <> 'announced', _source_file, _row_number)) FILTER (
           WHERE event IN ('announced', 'revised') AND event_date < coalesce(ended_on, DATE '9999-12-31')
             AND event_date < $month + INTERVAL 1 MONTH) AS current_promise,
         min(event_date) FILTER (WHERE event = 'shipped') AS shipped_on,
         min(event_date) FILTER (WHERE event = 'cancelled') AS cancelled_on,
         max(event_date) FILTER (WHERE slip AND event_date < coalesce(ended_on, DATE '9999-12-31')
                                 AND date_trunc('month', event_date) = $month) AS redated_on
  FROM events GROUP BY announcement_id
),
judged AS (
  SELECT *,
    CASE WHEN date_trunc('month', cancelled_on) = $month THEN 'cancelled'
         WHEN redated_on IS NOT NULL THEN 're-dated'
         WHEN date_trunc('month', current_promise) = $month
              AND coalesce(shipped_on, DATE '9999-12-31') >= $month + INTERVAL 1 MONTH
              AND coalesce(cancelled_on, DATE '9999-12-31') >= $month + INTERVAL 1 MONTH THEN 'overdue'
         -- shipped in the month after the promise standing then (review: promised 10-14, shipped
         -- 10-25 without a re-date, was in no list: overdue for 11 days, not at the month's end)
         WHEN date_trunc('month', shipped_on) = $month AND shipped_on > current_promise THEN 'shipped late' END AS what
  FROM firsts
)
SELECT v.vendor_name, coalesce(v.is_self, false) AS is_self, coalesce(s.vaporware, false) AS vendor_flagged,
       j.product, j.what, j.first_promise, j.current_promise, j.redates, j.presold,
       date_diff('day', j.first_promise, coalesce(j.current_promise, j.first_promise)) AS slip_days, j.shipped_on
FROM judged j JOIN vendors v ON v.vendor_id = j.vendor_id
LEFT JOIN scorecard s ON s.vendor_id = j.vendor_id AND s.month = $month
WHERE j.what IS NOT NULL
ORDER BY j.what = 'cancelled' DESC, j.presold DESC, j.redates DESC, slip_days DESC, v.vendor_name, j.product
