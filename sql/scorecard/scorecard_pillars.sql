-- The month's scorecard before memory: one row per vendor in vendors.csv and month in [$start, $end),
-- the contract's columns, the three pillar scores (0..100, NULL = no data) and their blend.
-- Small samples are shrunk toward their peers' pooled rate ($prior_* = imaginary records).
WITH months AS (
  SELECT unnest(range($start::TIMESTAMP, $end::TIMESTAMP, INTERVAL 1 MONTH))::DATE AS month
),
grid AS (
  -- A vendor without a category has no peers of its own: it is compared with the portfolio (the
  -- blank ones are not a category of their own), and shown as 'uncategorised'.
  SELECT v.vendor_id, coalesce(v.category, 'uncategorised') AS category, v.category IS NOT NULL AS categorised,
         coalesce(v.is_self, false) AS is_self, m.month
  FROM vendors v CROSS JOIN months m
),
joined AS (
  SELECT g.*, d.* EXCLUDE (vendor_id, month), c.* EXCLUDE (vendor_id, month), a.* EXCLUDE (vendor_id, month)
  FROM grid g
  LEFT JOIN delivery_metrics d ON d.vendor_id = g.vendor_id AND d.month = g.month
  LEFT JOIN complaint_metrics c ON c.vendor_id = g.vendor_id AND c.month = g.month
  LEFT JOIN announcement_metrics a ON a.vendor_id = g.vendor_id AND a.month = g.month
),
peers AS (
  -- Pooled sums of the category in the month; the portfolio's below are their totals. `shown`
  -- counts on time as the vendor's own on_time_rate does (by the promised date, no tolerance).
  SELECT category, categorised, month,
    sum(on_time_in_tolerance) AS on_time, sum(on_time) AS shown_on_time, sum(in_full) AS in_full, sum(defect_free) AS defect_free,
    sum(deliveries_due) AS due, sum(promise_credit_12m) AS credit, sum(promise_weight_12m) AS judged,
    sum(exact(complaints_opened * recovery_score)) AS handling, sum(complaints_opened) AS complaints  -- exact: any order
  FROM joined WHERE NOT is_self  -- our own company is scored like a vendor, never a peer of one
  GROUP BY category, categorised, month
),
portfolio AS (
  SELECT month, sum(on_time) AS on_time, sum(shown_on_time) AS shown_on_time, sum(in_full) AS in_full, sum(defect_free) AS defect_free,
    sum(due) AS due, sum(credit) AS credit, sum(judged) AS judged, sum(handling) AS handling,
    sum(complaints) AS complaints
  FROM peers GROUP BY month
),
weighted AS (
  -- The delivery pillar counts deliveries, or with `spend_weighted` their order value (when every
  -- delivery due carries one): n and k are then sums of value instead of counts.
  SELECT *,
    CASE WHEN $spend_weighted AND deliveries_valued = deliveries_due AND order_value > 0 THEN order_value ELSE deliveries_due END AS d_n,
    CASE WHEN $spend_weighted AND deliveries_valued = deliveries_due AND order_value > 0 THEN order_value_in_tolerance ELSE on_time_in_tolerance END AS d_on_time,
    CASE WHEN $spend_weighted AND deliveries_valued = deliveries_due AND order_value > 0 THEN order_value_in_full ELSE in_full END AS d_in_full,
    CASE WHEN $spend_weighted AND deliveries_valued = deliveries_due AND order_value > 0 THEN order_value_defect_free ELSE defect_free END AS d_defect_free
  FROM joined
),
rated AS (
  -- Priors, in three levels, each shrunk toward the one above: a fixed fallback -> the
  -- portfolio's pooled rate -> the category's pooled rate -> the vendor. The fallback weighs
  -- $prior_fallback records only: it stands for no evidence at all, and at the pillars' strength it
  -- pulled a small portfolio's perfect month to 77% (12 of 12 on time) and its vendors to grade D.
  -- A small category (or a vendor alone in its category) is pulled toward the portfolio, so a
  -- vendor is not shrunk toward its own few records alone: 1 of 1 on time is not a perfect pillar
  -- (its records are in the pools too: the only vendor with deliveries is pulled toward its own rate).
  SELECT j.*,
    shrunk(coalesce(p.on_time, 0), coalesce(p.due, 0),
           shrunk(coalesce(o.on_time, 0), coalesce(o.due, 0), 0.5, $prior_fallback), $prior_deliveries) AS prior_on_time,
    shrunk(coalesce(p.in_full, 0), coalesce(p.due, 0),
           shrunk(coalesce(o.in_full, 0), coalesce(o.due, 0), 0.5, $prior_fallback), $prior_deliveries) AS prior_in_full,
    shrunk(coalesce(p.defect_free, 0), coalesce(p.due, 0),
           shrunk(coalesce(o.defect_free, 0), coalesce(o.due, 0), 0.5, $prior_fallback), $prior_deliveries) AS prior_defect_free,
    shrunk(coalesce(p.credit, 0), coalesce(p.judged, 0),
           shrunk(coalesce(o.credit, 0), coalesce(o.judged, 0), 0.5, $prior_fallback), $prior_announcements) AS prior_promise,
    shrunk(coalesce(p.handling, 0), coalesce(p.complaints, 0),
           shrunk(coalesce(o.handling, 0), coalesce(o.complaints, 0), 65, $prior_fallback), $prior_recovery) AS prior_recovery,
    -- What the vendor is shown as its peers' on-time rate: the category's pooled rate, else the
    -- portfolio's; NULL, not a fallback, when no peer had a delivery due.
    coalesce(p.shown_on_time / nullif(p.due, 0), o.shown_on_time / nullif(o.due, 0)) AS peer_on_time_seen,
    -- The pooled counts the delivery priors come from (NULL: no category pool), kept for the
    -- explanation's what-ifs: a vendor that is much of its pool moves its own prior.
    p.due::BIGINT AS pool_category_due, p.on_time::BIGINT AS pool_category_on_time, p.in_full::BIGINT AS pool_category_in_full,
    p.defect_free::BIGINT AS pool_category_defect_free, o.due::BIGINT AS pool_portfolio_due,
    o.on_time::BIGINT AS pool_portfolio_on_time, o.in_full::BIGINT AS pool_portfolio_in_full,
    o.defect_free::BIGINT AS pool_portfolio_defect_free,
    -- and those of the promise prior: shipping an overdue announcement moves it too (review: +1.6
    -- printed, +1.9 on a rerun)
    p.credit::DOUBLE AS pool_category_credit, p.judged::BIGINT AS pool_category_judged,
    o.credit::DOUBLE AS pool_portfolio_credit, o.judged::BIGINT AS pool_portfolio_judged
  FROM weighted j
  LEFT JOIN peers p ON j.categorised AND p.categorised AND p.category = j.category AND p.month = j.month
  LEFT JOIN portfolio o ON o.month = j.month
),
pillars AS (
  SELECT *,
    -- The blended rate, stretched so that $delivery_floor scores 0 and 100% scores 100.
    CASE WHEN deliveries_due > 0 THEN 100 * greatest(0, (
        $w_on_time * shrunk(d_on_time, d_n, prior_on_time, $prior_deliveries * d_n / deliveries_due)
      + $w_in_full * shrunk(d_in_full, d_n, prior_in_full, $prior_deliveries * d_n / deliveries_due)
      + $w_defect_free * shrunk(d_defect_free, d_n, prior_defect_free, $prior_deliveries * d_n / deliveries_due)
      - $delivery_floor) / (1 - $delivery_floor)) END AS delivery_score,
    CASE WHEN announcements_due_12m > 0 THEN
      100 * shrunk(promise_credit_12m, promise_weight_12m, prior_promise, $prior_announcements) END AS promise_score,
    -- Recovery: complaints scored by how they were handled (40..90), shrunk toward the category's
    -- handling as if $prior_recovery average complaints were added. A month without a complaint
    -- has nothing to recover from: no data, never 100 (trust-model: "no data is not a score"). It
    -- costs nothing in the month score, where recovery is a deduction (below).
    CASE WHEN complaints_opened > 0 THEN
           (complaints_opened * recovery_score + $prior_recovery * prior_recovery) / (complaints_opened + $prior_recovery)
         END AS recovery_pillar,
    -- The same pillars on the vendor's own records alone, not shrunk: they decide which way the
    -- month moves trust (shrinkage says how far, never the direction: a month of promises kept
    -- cannot lower trust because its peers did worse).
    CASE WHEN deliveries_due > 0 THEN 100 * greatest(0, (
        ($w_on_time * d_on_time + $w_in_full * d_in_full + $w_defect_free * d_defect_free) / d_n
      - $delivery_floor) / (1 - $delivery_floor)) END AS own_delivery,
    CASE WHEN announcements_due_12m > 0 THEN
      100 * coalesce(promise_credit_12m / nullif(promise_weight_12m, 0), prior_promise) END AS own_promise,
    CASE WHEN complaints_opened > 0 THEN recovery_score END AS own_recovery
  FROM rated
),
blended AS (
  -- The weight of the pillars that blend (delivery and promises) where they have data.
  SELECT *, CASE WHEN delivery_score IS NOT NULL THEN $w_delivery ELSE 0 END
            + CASE WHEN promise_score IS NOT NULL THEN $w_promise ELSE 0 END AS blend_weight
  FROM pillars
)
SELECT
  vendor_id, month, category,
  coalesce(deliveries_due, 0) AS deliveries_due,
  on_time / nullif(deliveries_due, 0) AS on_time_rate,
  wilson_low(on_time, deliveries_due) AS on_time_low,
  wilson_high(on_time, deliveries_due) AS on_time_high,
  in_full / nullif(deliveries_due, 0) AS in_full_rate,
  on_time_in_full / nullif(deliveries_due, 0) AS otif_rate,
  defect_free / nullif(deliveries_due, 0) AS defect_free_rate,
  coalesce(open_past_due, 0) AS open_past_due,
  coalesce(delivered_late, 0) AS delivered_late,
  -- Where the pillar's on time differs from on_time_rate (a tolerance in the trust model).
  coalesce(too_early, 0) AS deliveries_too_early,
  coalesce(late_in_tolerance, 0) AS late_within_tolerance,
  median_days_late,
  mean_days_late,
  coalesce(late_1_3_days, 0) AS late_1_3_days,
  coalesce(late_4_7_days, 0) AS late_4_7_days,
  coalesce(late_8_14_days, 0) AS late_8_14_days,
  coalesce(late_15_plus_days, 0) AS late_15_plus_days,
  coalesce(complaints_opened, 0) AS complaints_opened,
  median_hours_to_acknowledge,
  resolved_on_time / nullif(complaints_opened, 0) AS resolved_on_time_rate,
  coalesce(still_open, 0) AS complaints_still_open,
  coalesce(repeats, 0) AS repeat_complaints,
  coalesce(announcements_due, 0) AS announcements_due,
  coalesce(announcements_due_12m, 0) AS announcements_due_12m,
  coalesce(promise_weight_12m, 0) AS promise_weight_12m,
  coalesce(extra_weight_late_12m, 0) AS extra_weight_late_12m,
  coalesce(extra_weight_open_12m, 0) AS extra_weight_open_12m,
  coalesce(extra_weight_cancelled_12m, 0) AS extra_weight_cancelled_12m,
  coalesce(kept_12m, 0) AS announcements_kept_12m,
  coalesce(cancelled_12m, 0) + coalesce(overdue_12m, 0) + coalesce(slipped_12m, 0) AS announcements_broken_12m,
  coalesce(slipped_12m, 0) AS announcements_slipped_12m,
  coalesce(cancelled_12m, 0) AS announcements_cancelled_12m,
  coalesce(promise_credit_12m, 0)::DOUBLE AS promise_credit_12m,
  coalesce(redates_12m, 0) AS redates_12m,
  coalesce(slips_12m, 0) AS slips_12m,
  coalesce(slip_penalty_12m, 0)::DOUBLE AS slip_penalty_12m,
  coalesce(open_credit_12m, 0)::DOUBLE AS open_credit_12m,
  coalesce(open_weight_cut_12m, 0) AS open_weight_cut_12m,
  mean_lead_days_12m,
  coalesce(slip_days_12m, 0) AS slip_days_12m,
  coalesce(presold_unshipped_12m, 0) AS presold_unshipped_12m,
  coalesce(far_ahead_unkept_12m, 0) AS far_ahead_unkept_12m,
  coalesce(vaporware, false) AS vaporware,
  peer_on_time_seen AS peer_on_time_rate,
  -- What small samples are pulled toward (the category's pooled figures, a small category's
  -- pulled toward the portfolio's): printed on the vendor's page, so each pillar can be recomputed.
  prior_on_time AS prior_on_time_rate,
  prior_in_full AS prior_in_full_rate,
  prior_defect_free AS prior_defect_free_rate,
  prior_promise AS prior_promise_rate,
  prior_recovery AS prior_recovery_points,
  -- Whether the vendor's own deliveries are in the pools above (our own company is in none).
  NOT is_self AS in_peer_pools,
  pool_category_due, pool_category_on_time, pool_category_in_full, pool_category_defect_free,
  pool_portfolio_due, pool_portfolio_on_time, pool_portfolio_in_full, pool_portfolio_defect_free,
  pool_category_credit, pool_category_judged, pool_portfolio_credit, pool_portfolio_judged,
  delivery_score,
  promise_score,
  recovery_pillar AS recovery_score,
  -- The month: delivery and promises blended by weight, less what complaints cost: recovery's
  -- weight times its shortfall from 100. A complaint can only lower the month (a failure handled
  -- well never beats no failure), and a clean month scores the same whether or not the vendor
  -- was ever complained about. A month of complaints alone scores its recovery pillar.
  month_blend(delivery_score, promise_score, recovery_pillar, blend_weight, $w_delivery, $w_promise, $w_recovery) AS month_score,
  -- The month on its own records (the pillars above, not shrunk, blended alike): the direction
  -- of the month's move of trust (scorecard/model.py, trust_path).
  month_blend(own_delivery, own_promise, own_recovery, blend_weight, $w_delivery, $w_promise, $w_recovery) AS own_month_score,
  -- Recovery figures mature: complaints opened in a month whose response window has not passed
  -- by the latest date in the data are provisional and recomputed on later runs.
  is_provisional(month, $maturity_days, $data_as_of) AS provisional
FROM blended
ORDER BY vendor_id, month
