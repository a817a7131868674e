-- Each complaint of months [$start, $end) with how it was handled: the records behind the
-- recovery pillar (complaint_metrics aggregates them; the vendor PDF lists them as evidence).
-- Resolution target: promised_resolution_at, else opened_at + the severity's default target.
-- A repeat is a complaint of the same vendor and category opened within 90 days after an
-- earlier one of that category was resolved: the same mistake made twice.
WITH targets AS (
  SELECT severity, target_days, weight::DOUBLE AS weight
  FROM (VALUES ('critical', 2, 4.0), ('high', 5, 2.0), ('medium', 15, 1.0), ('low', 30, 0.5))
    AS t(severity, target_days, weight)
),
-- Per vendor and category, how many complaints had been resolved by each resolution time: two
-- as-of lookups then count the resolutions in the 90 days before an opening (an inequality join
-- of every complaint with every other of its vendor and category cost 22 s at 1M complaints).
resolutions AS (
  SELECT vendor_id, category, resolved_at,
         count(*) OVER (PARTITION BY vendor_id, category ORDER BY resolved_at
                        RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS resolved_by
  FROM complaints WHERE resolved_at IS NOT NULL AND category IS NOT NULL
    -- Only the two lookups' difference is read, so resolutions before the window's 90-day lead
    -- shift both counts alike and can be left out (a month's rerun reads its own 90 days).
    AND resolved_at > $start - INTERVAL 90 DAY
),
scored AS (
  SELECT
    c.*,
    t.weight,
    coalesce(c.promised_resolution_at, c.opened_at + to_days(t.target_days)) AS due_at,
    -- acknowledged_at - opened_at in hours, exactly: date_diff('second') counts whole-second
    -- boundaries crossed (0.75 s -> 1.25 s gives 1, 0.25 s -> 0.95 s gives 0), so fractional
    -- timestamps were off by up to a second; microseconds are the timestamps' own precision.
    date_diff('microsecond', c.opened_at, c.acknowledged_at) / 3600e6 AS hours_to_acknowledge,
    c.resolved_at IS NOT NULL
      AND c.resolved_at <= coalesce(c.promised_resolution_at, c.opened_at + to_days(t.target_days)) AS resolved_on_time,
    -- resolved in (opened_at - 90 days, opened_at], not counting the complaint itself
    coalesce(upto.resolved_by, 0) - coalesce(before.resolved_by, 0)
      - CASE WHEN c.category IS NOT NULL AND c.resolved_at <= c.opened_at
                  AND c.resolved_at > c.opened_at - INTERVAL 90 DAY THEN 1 ELSE 0 END > 0 AS is_repeat
  FROM complaints c
  JOIN targets t ON t.severity = coalesce(c.severity, 'medium')
  ASOF LEFT JOIN resolutions upto ON upto.vendor_id = c.vendor_id AND upto.category = c.category
    AND upto.resolved_at <= c.opened_at
  ASOF LEFT JOIN resolutions before ON before.vendor_id = c.vendor_id AND before.category = c.category
    AND before.resolved_at <= c.opened_at - INTERVAL 90 DAY
  WHERE c.month >= $start AND c.month < $end
),
pointed AS (
  SELECT *,
    CASE WHEN hours_to_acknowledge <= 24 THEN 0.25 WHEN hours_to_acknowledge <= 72 THEN 0.10 ELSE 0 END
    + CASE WHEN resolved_on_time THEN 0.30 ELSE 0 END
    + CASE WHEN apologized THEN 0.10 ELSE 0 END
    + CASE WHEN explained THEN 0.10 ELSE 0 END
    + CASE WHEN restitution THEN 0.05 ELSE 0 END
    + CASE WHEN disclosed_by = 'vendor' THEN 0.10 ELSE 0 END
    + CASE WHEN NOT is_repeat THEN 0.10 ELSE 0 END AS recovery_points
  FROM scored
)
SELECT vendor_id, month, complaint_id, opened_at, acknowledged_at, resolved_at, due_at, severity, category,
       disclosed_by, apologized, explained, restitution, summary, weight, hours_to_acknowledge,
       resolved_on_time, is_repeat, recovery_points, _source_file, _row_number
FROM pointed
ORDER BY vendor_id, month, opened_at, complaint_id
