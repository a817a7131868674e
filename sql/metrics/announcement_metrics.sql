-- Announcement (promise-keeping) metrics per vendor and month, months [$start, $end).
-- announcements_due: announcements whose first promised ship date falls in the month.
-- The promise score looks back 12 months: each announcement due in [M-11, M] is judged as it
-- stood at the end of M, from the events dated on or before that day (later events unknown then).
-- An announcement still overdue (neither shipped nor cancelled) stays in the window until it is
-- resolved: vaporware does not age out of the score.
-- Each re-date to a later date is a slip (trust-model: "each re-date is itself a slip"; a revision
-- to an earlier date is a pull-in, not a slip): it costs the announcement a quarter of a credit,
-- and an announcement slipped before its first promise fell due is judged from the month of that
-- slip, as broken, not only once the first date has passed.
WITH months AS (
  SELECT unnest(range($start::TIMESTAMP, $end::TIMESTAMP, INTERVAL 1 MONTH))::DATE AS month
),
firsts AS (
  SELECT announcement_id, any_value(vendor_id) AS vendor_id, any_value(month) AS due_month,
         min(promised_ship_date) FILTER (WHERE event = 'announced') AS first_promise,
         min(event_date) FILTER (WHERE event = 'announced') AS announced_on,
         bool_or(coalesce(presold, false)) AS presold
  FROM announcement_events GROUP BY announcement_id
),
slips AS (
  -- Re-dates that moved the promise later than the statement before them, in the order made.
  SELECT announcement_id, event_date AS slipped_on, promised_ship_date AS slipped_to
  FROM (SELECT announcement_id, event, event_date, promised_ship_date,
               lag(promised_ship_date) OVER (PARTITION BY announcement_id
                                            ORDER BY event_date, event <> 'announced', _source_file, _row_number) AS before
        FROM announcement_events WHERE event IN ('announced', 'revised'))
  WHERE event = 'revised' AND promised_ship_date > before
),
as_of_month AS (
  SELECT m.month, f.* EXCLUDE (judged_from),
    (SELECT min(e.event_date) FROM announcement_events e WHERE e.announcement_id = f.announcement_id
       AND e.event = 'shipped' AND e.event_date < m.month + INTERVAL 1 MONTH) AS shipped_on,
    (SELECT min(e.event_date) FROM announcement_events e WHERE e.announcement_id = f.announcement_id
       AND e.event = 'cancelled' AND e.event_date < m.month + INTERVAL 1 MONTH) AS cancelled_on,
    (SELECT count(*) FROM announcement_events e WHERE e.announcement_id = f.announcement_id
       AND e.event = 'revised' AND e.event_date < m.month + INTERVAL 1 MONTH) AS redates,
    (SELECT count(*) FROM slips s WHERE s.announcement_id = f.announcement_id
       AND s.slipped_on < m.month + INTERVAL 1 MONTH) AS slipped,
    (SELECT arg_max(s.slipped_to, s.slipped_on) FROM slips s WHERE s.announcement_id = f.announcement_id
       AND s.slipped_on < m.month + INTERVAL 1 MONTH) AS slipped_to
  FROM months m
  JOIN (SELECT f.*, least(f.due_month, (SELECT date_trunc('month', min(s.slipped_on))::DATE FROM slips s
                                        WHERE s.announcement_id = f.announcement_id)) AS judged_from
        FROM firsts f) f ON f.judged_from <= m.month
),
judged AS (
  SELECT *,
    CASE WHEN shipped_on IS NOT NULL AND shipped_on <= first_promise THEN 'shipped on time'
         WHEN shipped_on IS NOT NULL THEN 'shipped late'
         WHEN cancelled_on IS NOT NULL THEN 'cancelled'
         WHEN first_promise < month + INTERVAL 1 MONTH THEN 'overdue'
         WHEN slipped > 0 THEN 'slipped'  -- moved later before the first date came: already broken
         ELSE 'not yet due' END AS status,
    -- Credit for the promise: full when kept, partial when shipped late, none when it died.
    CASE WHEN shipped_on IS NOT NULL AND shipped_on <= first_promise THEN 1.0
         WHEN shipped_on IS NOT NULL AND date_diff('day', first_promise, shipped_on) <= 90 THEN 0.5
         WHEN shipped_on IS NOT NULL THEN 0.25
         ELSE 0.0 END AS base_credit
  FROM as_of_month
  WHERE due_month > month - INTERVAL 12 MONTH OR (shipped_on IS NULL AND cancelled_on IS NULL)
),
credited AS (
  -- Each slip costs a quarter of a credit, down to none.
  SELECT *, greatest(0.0, base_credit - 0.25 * slipped) AS promise_credit,
         base_credit - greatest(0.0, base_credit - 0.25 * slipped) AS slip_penalty
  FROM judged
)
SELECT
  vendor_id,
  month,
  count(*) FILTER (WHERE due_month = month) AS announcements_due,
  count(*) FILTER (WHERE due_month = month AND status = 'shipped on time') AS announcements_kept,
  count(*) AS announcements_due_12m,
  sum(promise_credit) AS promise_credit_12m,
  sum(slip_penalty) AS slip_penalty_12m,
  count(*) FILTER (WHERE status = 'shipped on time') AS kept_12m,
  count(*) FILTER (WHERE status = 'cancelled') AS cancelled_12m,
  count(*) FILTER (WHERE status IN ('overdue', 'slipped')) AS overdue_12m,
  count(*) FILTER (WHERE status IN ('cancelled', 'overdue') AND presold) AS presold_unshipped_12m,
  sum(redates)::BIGINT AS redates_12m,
  sum(slipped)::BIGINT AS slips_12m,
  -- Lead time: how far ahead the first promise was made (announcing years ahead is a risk sign).
  avg(date_diff('day', announced_on, first_promise)) AS mean_lead_days_12m,
  sum(CASE WHEN shipped_on IS NOT NULL THEN greatest(0, date_diff('day', first_promise, shipped_on))
           WHEN cancelled_on IS NULL AND status = 'overdue' THEN date_diff('day', first_promise, month + INTERVAL 1 MONTH)
           WHEN cancelled_on IS NULL AND status = 'slipped' THEN date_diff('day', first_promise, slipped_to)
           ELSE 0 END)::BIGINT AS slip_days_12m,
  max(redates) AS max_redates,
  -- Vaporware: an announcement re-dated twice or more, overdue by more than 90 days, or cancelled
  -- after customers had paid for it.
  bool_or(redates >= 2 OR (status = 'overdue' AND date_diff('day', first_promise, month + INTERVAL 1 MONTH) > 90)
          OR (status = 'cancelled' AND presold)) AS vaporware
FROM credited
GROUP BY vendor_id, month
ORDER BY vendor_id, month
