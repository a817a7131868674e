-- Each complaint of months [$start, $end) with how it was handled: the records behind the
-- recovery pillar (complaint_metrics aggregates them; the vendor PDF lists them as evidence).
-- Resolution target: promised_resolution_at, else opened_at + the severity's default target.
-- A repeat is a complaint of the same vendor and category as one opened in the 365 days before it
-- (the contract: "a repeat is the same vendor and category again"): the same failure came back,
-- whether or not the earlier one had been resolved. Complaints opened at the same instant are not
-- each other's repeat; a complaint without a category is never one.
WITH targets AS (
  SELECT severity, target_days, weight::DOUBLE AS weight
  FROM (VALUES ('critical', 2, 4.0), ('high', 5, 2.0), ('medium', 15, 1.0), ('low', 30, 0.5))
    AS t(severity, target_days, weight)
),
-- How many complaints of its vendor and category were opened in the year before each: the
-- window's complaints and those of the year before it (a month's rerun reads its own year).
earlier AS (
  SELECT complaint_id,
         -- 'Quality', 'quality' and 'qu<soft hyphen>ality' are one category (category_key; hostile
         -- review: a repeat went uncounted)
         count(*) OVER (PARTITION BY vendor_id, category_key(category) ORDER BY opened_at
                        RANGE BETWEEN INTERVAL 365 DAY PRECEDING AND INTERVAL 1 MICROSECOND PRECEDING) AS opened_before
  FROM complaints
  WHERE category_key(category) IS NOT NULL AND opened_at >= $start - INTERVAL 365 DAY AND month < $end
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
    coalesce(e.opened_before, 0) > 0 AS is_repeat
  FROM complaints c
  JOIN targets t ON t.severity = coalesce(c.severity, 'medium')
  LEFT JOIN earlier e USING (complaint_id)
  WHERE c.month >= $start AND c.month < $end
),
-- A deployment whose complaint source never records a step (the trust model's
-- [recovery] unscored_steps: $score_<step> false) leaves it out of every complaint's points,
-- which are then a share of the steps scored: still 0..1, so a complaint still scores 40..90.
pointed AS (
  SELECT *,
    (CASE WHEN $score_acknowledgement THEN
       CASE WHEN hours_to_acknowledge <= 24 THEN 0.25 WHEN hours_to_acknowledge <= 72 THEN 0.10 ELSE 0 END ELSE 0 END
    + CASE WHEN resolved_on_time THEN 0.30 ELSE 0 END
    + CASE WHEN $score_apology AND apologized THEN 0.10 ELSE 0 END
    + CASE WHEN $score_explanation AND explained THEN 0.10 ELSE 0 END
    + CASE WHEN $score_restitution AND restitution THEN 0.05 ELSE 0 END
    + CASE WHEN $score_self_disclosure AND disclosed_by = 'vendor' THEN 0.10 ELSE 0 END
    + CASE WHEN $score_no_repeat AND NOT is_repeat THEN 0.10 ELSE 0 END)
    / (0.30 + CASE WHEN $score_acknowledgement THEN 0.25 ELSE 0 END + CASE WHEN $score_apology THEN 0.10 ELSE 0 END
       + CASE WHEN $score_explanation THEN 0.10 ELSE 0 END + CASE WHEN $score_restitution THEN 0.05 ELSE 0 END
       + CASE WHEN $score_self_disclosure THEN 0.10 ELSE 0 END + CASE WHEN $score_no_repeat THEN 0.10 ELSE 0 END)
    AS recovery_points
  FROM scored
)
SELECT vendor_id, month, complaint_id, opened_at, acknowledged_at, resolved_at, due_at, severity, category,
       disclosed_by, apologized, explained, restitution, summary, weight, hours_to_acknowledge,
       resolved_on_time, is_repeat, recovery_points, _source_file, _row_number
FROM pointed
ORDER BY vendor_id, month, opened_at, complaint_id
