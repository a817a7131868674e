-- The floor: the contract's base columns of the scorecard, per vendor and month, in one
-- hand-written DuckDB query straight over the landing files (docs/data-contract.md, docs/metrics.md).
-- {landing} is the landing folder (substituted by bench/scale_bench.py); parameters: $start and
-- $end (the months [start, end)), $as_of (facts dated after it are rejected).
--
-- It reads typed Parquet as bench/scale_data.py writes it (NULL = blank) and applies the contract's
-- row rules: rows failing validation, rows of unknown vendors and every row of a key that appears
-- with conflicting values are left out; an exact duplicate row counts once. It keeps nothing of
-- what it rejects (no quarantine, no provenance): that is what makes it the floor.
WITH
vendor_rows AS (  -- an empty is_self is false: a copy that writes it out is the same row
  SELECT DISTINCT nullif(trim(vendor_id), '') AS vendor_id, nullif(trim(vendor_name), '') AS vendor_name,
         nullif(trim(category), '') AS category,
         CASE WHEN lower(trim(is_self)) IN ('true', '1', 'yes') THEN 'true'
              WHEN coalesce(lower(trim(is_self)), '') IN ('', 'false', '0', 'no') THEN 'false'
              ELSE trim(is_self) END AS is_self,
         nullif(trim(report_recipients), '') AS report_recipients
  FROM read_csv('{landing}/vendors.csv', all_varchar = true, header = true)
),
vendors AS (  -- valid vendors: id and name given, a boolean is_self, no conflicting rows, no oversized text
  SELECT vendor_id FROM vendor_rows WHERE vendor_id IS NOT NULL GROUP BY vendor_id
  HAVING count(*) = 1
     AND bool_and(vendor_name IS NOT NULL AND coalesce(lower(is_self) IN ('true', 'false', '1', '0', 'yes', 'no'), true)
                  AND coalesce(length(vendor_name) <= 10000 AND length(category) <= 10000
                               AND length(report_recipients) <= 10000, true))
),
months AS (
  SELECT unnest(range($start::TIMESTAMP, $end::TIMESTAMP, INTERVAL 1 MONTH))::DATE AS month
),

-- Deliveries: one row per delivery_id whose copies are all identical (an exact duplicate counts
-- once, a conflict drops the key), then the row rules.
delivery_keys AS (
  SELECT delivery_id, any_value(vendor_id) AS vendor_id, any_value(promised_date) AS promised_date,
         any_value(delivered_date) AS delivered_date, any_value(qty_ordered) AS qty_ordered,
         any_value(qty_delivered) AS qty_delivered, any_value(qty_rejected) AS qty_rejected,
         any_value(order_value) AS order_value
  FROM read_parquet('{landing}/deliveries/*.parquet')
  WHERE delivery_id IS NOT NULL
  GROUP BY delivery_id
  -- a default written out equals it left empty (the contract's defaults, as staging compares copies)
  HAVING min(hash(vendor_id, promised_date, delivered_date, qty_ordered,
                  coalesce(qty_delivered, CASE WHEN delivered_date IS NOT NULL THEN qty_ordered ELSE 0 END),
                  coalesce(qty_rejected, 0), order_value))
       = max(hash(vendor_id, promised_date, delivered_date, qty_ordered,
                  coalesce(qty_delivered, CASE WHEN delivered_date IS NOT NULL THEN qty_ordered ELSE 0 END),
                  coalesce(qty_rejected, 0), order_value))
),
deliveries AS (
  SELECT * FROM delivery_keys
  WHERE vendor_id IN (SELECT vendor_id FROM vendors)
    AND promised_date IS NOT NULL AND isfinite(qty_ordered) AND qty_ordered > 0
    AND coalesce(isfinite(qty_delivered) AND qty_delivered >= 0, true)
    AND coalesce(isfinite(qty_rejected) AND qty_rejected >= 0, true)
    AND coalesce(qty_rejected <= coalesce(qty_delivered, CASE WHEN delivered_date IS NOT NULL THEN qty_ordered ELSE 0 END), true)
    AND coalesce(isfinite(order_value) AND order_value >= 0, true)
    AND coalesce(delivered_date <= $as_of, true)
    AND coalesce(delivered_date >= promised_date - INTERVAL 5 YEAR, true)
    AND promised_date <= $as_of + INTERVAL 5 YEAR
),
delivery_columns AS (
  SELECT vendor_id, date_trunc('month', promised_date)::DATE AS month,
         count(*) AS deliveries_due,
         count(*) FILTER (WHERE delivered_date <= promised_date) / count(*) AS on_time_rate,
         count(*) FILTER (WHERE delivered_date IS NOT NULL AND coalesce(qty_delivered, qty_ordered) >= qty_ordered)
           / count(*) AS in_full_rate,
         count(*) FILTER (WHERE delivered_date IS NULL) AS open_past_due,
         median(delivered_date - promised_date) FILTER (WHERE delivered_date > promised_date) AS median_days_late
  FROM deliveries
  WHERE promised_date >= $start AND promised_date < $end
  GROUP BY ALL
),

-- Complaints: the same key rule, then the row rules; the month is opened_at's (UTC).
complaint_keys AS (
  SELECT complaint_id, any_value(vendor_id) AS vendor_id, any_value(opened_at) AS opened_at,
         any_value(acknowledged_at) AS acknowledged_at, any_value(resolved_at) AS resolved_at,
         any_value(promised_resolution_at) AS promised_resolution_at, any_value(severity) AS severity,
         any_value(category) AS category, any_value(disclosed_by) AS disclosed_by, any_value(summary) AS summary
  FROM read_parquet('{landing}/complaints/*.parquet')
  WHERE complaint_id IS NOT NULL
  GROUP BY complaint_id
  HAVING min(hash(vendor_id, opened_at, acknowledged_at, resolved_at, promised_resolution_at, coalesce(severity, 'medium'),
                  category, disclosed_by, coalesce(apologized, false), coalesce(explained, false),
                  coalesce(restitution, false), summary))
       = max(hash(vendor_id, opened_at, acknowledged_at, resolved_at, promised_resolution_at, coalesce(severity, 'medium'),
                  category, disclosed_by, coalesce(apologized, false), coalesce(explained, false),
                  coalesce(restitution, false), summary))
),
complaints AS (
  SELECT * FROM complaint_keys
  WHERE vendor_id IN (SELECT vendor_id FROM vendors)
    AND opened_at IS NOT NULL AND opened_at::DATE <= $as_of
    AND coalesce(acknowledged_at >= opened_at AND acknowledged_at::DATE <= $as_of, true)
    AND coalesce(resolved_at >= opened_at AND resolved_at::DATE <= $as_of, true)
    AND coalesce(promised_resolution_at >= opened_at AND promised_resolution_at::DATE <= $as_of + INTERVAL 5 YEAR, true)
    AND coalesce(severity IN ('low', 'medium', 'high', 'critical'), true)
    AND coalesce(disclosed_by IN ('vendor', 'customer'), true)
    AND coalesce(length(category) <= 10000, true)
),
complaint_columns AS (
  SELECT vendor_id, date_trunc('month', opened_at)::DATE AS month,
         count(*) AS complaints_opened,
         median(date_diff('microsecond', opened_at, acknowledged_at) / 3600e6) AS median_hours_to_acknowledge,
         -- resolved by the promise, else by the severity's default target (docs/metrics.md)
         count(*) FILTER (WHERE resolved_at <= coalesce(promised_resolution_at, opened_at + to_days(
           CASE coalesce(severity, 'medium') WHEN 'critical' THEN 2 WHEN 'high' THEN 5 WHEN 'medium' THEN 15 ELSE 30 END)))
           / count(*) AS resolved_on_time_rate
  FROM complaints
  WHERE opened_at >= $start AND opened_at < $end
  GROUP BY ALL
),

-- Announcements: events have no key, so an exact duplicate event counts once; an announcement
-- counts when its history holds (one valid `announced` event, no event rejected, one vendor, at
-- most one shipment or cancellation, nothing before the announcement), in the month of its first promise.
events AS (
  SELECT * REPLACE (CASE WHEN event IN ('announced', 'revised', 'shipped', 'cancelled') THEN event END AS event)
  FROM (SELECT DISTINCT * FROM read_parquet('{landing}/announcements/*.parquet'))
  WHERE announcement_id IS NOT NULL
),
announcements AS (
  SELECT announcement_id,
         any_value(vendor_id) FILTER (WHERE event = 'announced') AS vendor_id,
         min(promised_ship_date) FILTER (WHERE event = 'announced') AS first_promise
  FROM events
  GROUP BY announcement_id
  HAVING count(DISTINCT vendor_id) <= 1
     AND count(*) FILTER (WHERE event = 'announced') = 1
     AND count(*) FILTER (WHERE event = 'announced' AND vendor_id IN (SELECT vendor_id FROM vendors)
                            AND promised_ship_date IS NOT NULL AND product IS NOT NULL AND event_date IS NOT NULL
                            AND length(product) <= 10000 AND event_date <= $as_of
                            AND promised_ship_date <= $as_of + INTERVAL 10 YEAR
                            AND promised_ship_date >= event_date) = 1
     AND count(*) FILTER (WHERE event IN ('shipped', 'cancelled')) <= 1
     -- no event rejected for a problem of its own (the product spares one with a sound copy, an
     -- event repeated with other values; the bench data repeats events only exactly)
     AND count(*) FILTER (WHERE NOT coalesce(vendor_id IN (SELECT vendor_id FROM vendors) AND event IS NOT NULL
                            AND event_date IS NOT NULL AND event_date <= $as_of
                            AND NOT (event IN ('announced', 'revised') AND promised_ship_date IS NULL)
                            AND coalesce(promised_ship_date <= $as_of + INTERVAL 10 YEAR, true)
                            AND NOT coalesce(event = 'announced' AND promised_ship_date < event_date, false)
                            AND coalesce(length(product) <= 10000, true), false)) = 0
     AND coalesce(min(event_date) FILTER (WHERE event <> 'announced')
                  >= min(event_date) FILTER (WHERE event = 'announced'), true)
),
announcement_columns AS (
  SELECT vendor_id, date_trunc('month', first_promise)::DATE AS month, count(*) AS announcements_due
  FROM announcements
  WHERE first_promise >= $start AND first_promise < $end
  GROUP BY ALL
)

-- A row for every valid vendor and month, even when nothing happened.
SELECT v.vendor_id, m.month,
       coalesce(d.deliveries_due, 0) AS deliveries_due, d.on_time_rate, d.in_full_rate,
       coalesce(d.open_past_due, 0) AS open_past_due, d.median_days_late,
       coalesce(c.complaints_opened, 0) AS complaints_opened, c.median_hours_to_acknowledge, c.resolved_on_time_rate,
       coalesce(a.announcements_due, 0) AS announcements_due
FROM vendors v CROSS JOIN months m
LEFT JOIN delivery_columns d ON d.vendor_id = v.vendor_id AND d.month = m.month
LEFT JOIN complaint_columns c ON c.vendor_id = v.vendor_id AND c.month = m.month
LEFT JOIN announcement_columns a ON a.vendor_id = v.vendor_id AND a.month = m.month
ORDER BY v.vendor_id, m.month
