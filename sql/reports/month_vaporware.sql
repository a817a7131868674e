-- Announcements that slipped (re-dated), died (cancelled) or fell overdue in the month: one row
-- per announcement, the worst thing that happened to it that month, pre-sold and most re-dated first.
-- Our own company's are listed too (same rules); vendor_flagged is the scorecard's vaporware flag.
WITH firsts AS (
  SELECT announcement_id, any_value(vendor_id) AS vendor_id,
         any_value(product) FILTER (WHERE event = 'announced') AS product,
         min(promised_ship_date) FILTER (WHERE event = 'announced') AS first_promise,
         bool_or(coalesce(presold, false)) AS presold,
         count(*) FILTER (WHERE event = 'revised' AND event_date < $month + INTERVAL 1 MONTH) AS redates,
         arg_max(promised_ship_date, event_date) FILTER (WHERE event IN ('announced', 'revised')
                                                          AND event_date < $month + INTERVAL 1 MONTH) AS current_promise,
         min(event_date) FILTER (WHERE event = 'shipped') AS shipped_on,
         min(event_date) FILTER (WHERE event = 'cancelled') AS cancelled_on,
         max(event_date) FILTER (WHERE event = 'revised' AND date_trunc('month', event_date) = $month) AS redated_on
  FROM announcement_events GROUP BY announcement_id
),
judged AS (
  SELECT *,
    CASE WHEN date_trunc('month', cancelled_on) = $month THEN 'cancelled'
         WHEN redated_on IS NOT NULL THEN 're-dated'
         WHEN date_trunc('month', current_promise) = $month
              AND coalesce(shipped_on, DATE '9999-12-31') >= $month + INTERVAL 1 MONTH
              AND coalesce(cancelled_on, DATE '9999-12-31') >= $month + INTERVAL 1 MONTH THEN 'overdue' END AS what
  FROM firsts
)
SELECT v.vendor_name, coalesce(v.is_self, false) AS is_self, coalesce(s.vaporware, false) AS vendor_flagged,
       j.product, j.what, j.first_promise, j.current_promise, j.redates, j.presold,
       date_diff('day', j.first_promise, coalesce(j.current_promise, j.first_promise)) AS slip_days
FROM judged j JOIN vendors v ON v.vendor_id = j.vendor_id
LEFT JOIN scorecard s ON s.vendor_id = j.vendor_id AND s.month = $month
WHERE j.what IS NOT NULL
ORDER BY j.what = 'cancelled' DESC, j.presold DESC, j.redates DESC, slip_days DESC, v.vendor_name, j.product
