-- Announcements that slipped (re-dated later) or died (cancelled) in the month, or fell overdue.
WITH firsts AS (
  SELECT announcement_id, any_value(vendor_id) AS vendor_id,
         any_value(product) FILTER (WHERE event = 'announced') AS product,
         min(promised_ship_date) FILTER (WHERE event = 'announced') AS first_promise,
         bool_or(coalesce(presold, false)) AS presold,
         count(*) FILTER (WHERE event = 'revised' AND event_date < $month + INTERVAL 1 MONTH) AS redates,
         min(event_date) FILTER (WHERE event = 'shipped') AS shipped_on
  FROM announcement_events GROUP BY announcement_id
),
happened AS (
  SELECT e.announcement_id, e.event, e.event_date, e.promised_ship_date
  FROM announcement_events e
  WHERE e.event IN ('revised', 'cancelled') AND date_trunc('month', e.event_date) = $month
  UNION ALL
  SELECT announcement_id, 'overdue', first_promise, NULL FROM firsts
  WHERE date_trunc('month', first_promise) = $month AND (shipped_on IS NULL OR shipped_on >= $month + INTERVAL 1 MONTH)
)
SELECT v.vendor_name, f.product, h.event, h.event_date, f.first_promise, h.promised_ship_date AS new_promise,
       f.redates, f.presold
FROM happened h JOIN firsts f USING (announcement_id) JOIN vendors v ON v.vendor_id = f.vendor_id
WHERE NOT (h.event = 'overdue' AND EXISTS (
  SELECT 1 FROM announcement_events c WHERE c.announcement_id = h.announcement_id AND c.event = 'cancelled'
    AND c.event_date < $month + INTERVAL 1 MONTH))
ORDER BY h.event = 'cancelled' DESC, f.presold DESC, f.redates DESC, v.vendor_name, f.product
