-- Delivery metrics per vendor and month (the month of promised_date), for months [$start, $end).
-- On time: delivered_date <= promised_date (the first, frozen promise). Undelivered = late and not in full.
-- In full: delivered and qty_delivered >= qty_ordered (empty qty_delivered with a date = in full).
SELECT
  vendor_id,
  month,
  count(*) AS deliveries_due,
  count(*) FILTER (WHERE delivered_date <= promised_date) AS on_time,
  -- On time for the delivery pillar: within the trust model's tolerance of the first promise
  -- (late_tolerance_days after it; early_tolerance_days before it, -1 = any earlier day is fine).
  count(*) FILTER (WHERE delivered_date <= promised_date + to_days($late_tolerance_days)
                     AND ($early_tolerance_days < 0 OR delivered_date >= promised_date - to_days($early_tolerance_days)))
    AS on_time_in_tolerance,
  -- The two ways the tolerance parts the pillar from the strict rate, counted so that the
  -- explanation can say them: arrived more than early_tolerance_days before the first promise
  -- (not on time in the pillar), and late by no more than late_tolerance_days (on time in it).
  count(*) FILTER (WHERE $early_tolerance_days >= 0 AND delivered_date < promised_date - to_days($early_tolerance_days))
    AS too_early,
  count(*) FILTER (WHERE delivered_date > promised_date AND delivered_date <= promised_date + to_days($late_tolerance_days))
    AS late_in_tolerance,
  count(*) FILTER (WHERE delivered_date IS NOT NULL AND coalesce(qty_delivered, qty_ordered) >= qty_ordered) AS in_full,
  count(*) FILTER (WHERE delivered_date <= promised_date
                     AND coalesce(qty_delivered, qty_ordered) >= qty_ordered) AS on_time_in_full,
  count(*) FILTER (WHERE delivered_date IS NOT NULL AND coalesce(qty_rejected, 0) = 0) AS defect_free,
  count(*) FILTER (WHERE delivered_date IS NULL) AS open_past_due,
  count(*) FILTER (WHERE delivered_date > promised_date) AS delivered_late,
  median(date_diff('day', promised_date, delivered_date)) FILTER (WHERE delivered_date > promised_date)
    AS median_days_late,
  avg(date_diff('day', promised_date, delivered_date)) FILTER (WHERE delivered_date > promised_date)
    AS mean_days_late,
  -- Days-late distribution of the deliveries delivered late.
  count(*) FILTER (WHERE date_diff('day', promised_date, delivered_date) BETWEEN 1 AND 3) AS late_1_3_days,
  count(*) FILTER (WHERE date_diff('day', promised_date, delivered_date) BETWEEN 4 AND 7) AS late_4_7_days,
  count(*) FILTER (WHERE date_diff('day', promised_date, delivered_date) BETWEEN 8 AND 14) AS late_8_14_days,
  count(*) FILTER (WHERE date_diff('day', promised_date, delivered_date) >= 15) AS late_15_plus_days,
  -- Spend-weighted views (trust_model.toml `spend_weighted`): the same counts in order value.
  sum(exact(order_value))::DOUBLE AS order_value,  -- exact sums: the same in any order
  count(order_value) AS deliveries_valued,
  sum(exact(order_value)) FILTER (WHERE delivered_date <= promised_date)::DOUBLE AS order_value_on_time,
  coalesce(sum(exact(order_value)) FILTER (WHERE delivered_date <= promised_date + to_days($late_tolerance_days)
                     AND ($early_tolerance_days < 0 OR delivered_date >= promised_date - to_days($early_tolerance_days))), 0)::DOUBLE
    AS order_value_in_tolerance,
  coalesce(sum(exact(order_value)) FILTER (WHERE delivered_date IS NOT NULL AND coalesce(qty_delivered, qty_ordered) >= qty_ordered), 0)::DOUBLE
    AS order_value_in_full,
  coalesce(sum(exact(order_value)) FILTER (WHERE delivered_date IS NOT NULL AND coalesce(qty_rejected, 0) = 0), 0)::DOUBLE
    AS order_value_defect_free
FROM deliveries
WHERE month >= $start AND month < $end
GROUP BY vendor_id, month
ORDER BY vendor_id, month
