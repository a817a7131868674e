-- Announcement (promise-keeping) metrics per vendor and month, months [$start, $end).
-- announcements_due: announcements whose first promised ship date falls in the month.
-- The promise score looks back 12 months: each announcement due in [M-11, M] is judged as it
-- stood at the end of M, from the events dated on or before that day (later events unknown then).
-- An announcement still overdue (neither shipped nor cancelled) stays in the window until it is
-- resolved: vaporware does not age out of the score.
-- Each re-date to a later date is a slip (trust-model: "each re-date is itself a slip"; a revision
-- to an earlier date is a pull-in, not a slip): it costs the announcement a quarter of a credit,
-- and an announcement slipped before its first promise fell due is judged from the month of that
-- slip, as broken, not only once the first date has passed; one cancelled before it fell due,
-- from the month it was cancelled.
WITH months AS (
  SELECT unnest(range($start::TIMESTAMP, $end::TIMESTAMP, INTERVAL 1 MONTH))::DATE AS month
),
firsts AS (
  -- The first `announced` event is the first promise; one announced again later re-dates it.
  SELECT announcement_id, any_value(vendor_id) AS vendor_id, any_value(month) AS due_month,
         arg_min(promised_ship_date, (event_date, _source_file, _row_number)) FILTER (WHERE event = 'announced') AS first_promise,
         min(event_date) FILTER (WHERE event = 'announced') AS announced_on,
         bool_or(coalesce(presold, false)) AS presold
  FROM announcement_events GROUP BY announcement_id
),
ended AS (  -- the day it shipped or was cancelled: a "re-date" after that is no slip
  SELECT announcement_id, min(event_date) AS ended_on
  FROM announcement_events WHERE event IN ('shipped', 'cancelled') GROUP BY announcement_id
),
statements AS (
  -- Its promises in the order made (statements of one day in file and line order), each with the
  -- promise it replaced; those made after it shipped or was cancelled do not count.
  SELECT e.announcement_id, e.event_date AS said_on, e.promised_ship_date AS promise,
         (e.event_date, e.event <> 'announced', e._source_file, e._row_number) AS said_at,
         lag(e.promised_ship_date) OVER (PARTITION BY e.announcement_id
           ORDER BY e.event_date, e.event <> 'announced', e._source_file, e._row_number) AS replaced
  FROM announcement_events e LEFT JOIN ended n USING (announcement_id)
  WHERE e.event IN ('announced', 'revised') AND (n.ended_on IS NULL OR e.event_date < n.ended_on)
),
history AS (
  -- Each announcement's history, gathered once: the first day it shipped or was cancelled, the
  -- days of its re-dates and slips (a slip: a statement moving the promise later than the one
  -- before), its promises in the order made, and the first day it was moved past its first date.
  -- Each month below reads them as of its end (list filters, not a lookup per month).
  SELECT f.*, e.first_shipped, e.first_cancelled, coalesce(e.revised_on, []) AS revised_on,
         coalesce(p.said_on, []) AS said_on, coalesce(p.promised, []) AS promised,
         coalesce(p.slipped_on, []) AS slipped_on,
         least(f.due_month, date_trunc('month', p.past_first_on)::DATE, date_trunc('month', e.first_cancelled)::DATE) AS judged_from
  FROM firsts f
  LEFT JOIN (SELECT a.announcement_id,
                    min(a.event_date) FILTER (WHERE a.event = 'shipped') AS first_shipped,
                    min(a.event_date) FILTER (WHERE a.event = 'cancelled') AS first_cancelled,
                    -- re-dates: `revised` events, and `announced` ones on a later day than the first
                    -- (one the same day repeats it: two promises that day are quarantined as a conflict),
                    -- made before it shipped or was cancelled (a "re-date" after that is no promise)
                    list(a.event_date ORDER BY a.event_date) FILTER (WHERE (a.event = 'revised'
                      OR (a.event = 'announced' AND a.event_date > f1.announced_on))
                      AND (n.ended_on IS NULL OR a.event_date < n.ended_on)) AS revised_on
             FROM announcement_events a JOIN firsts f1 USING (announcement_id) LEFT JOIN ended n USING (announcement_id)
             GROUP BY a.announcement_id) e USING (announcement_id)
  LEFT JOIN (SELECT s.announcement_id,
                    list(s.said_on ORDER BY s.said_at) AS said_on, list(s.promise ORDER BY s.said_at) AS promised,
                    list(s.said_on ORDER BY s.said_at) FILTER (WHERE s.promise > s.replaced) AS slipped_on,
                    min(s.said_on) FILTER (WHERE s.promise > f.first_promise) AS past_first_on
             FROM statements s JOIN firsts f USING (announcement_id) GROUP BY s.announcement_id) p
    USING (announcement_id)
),
as_of_month AS (
  SELECT month, * EXCLUDE (month, judged_from, first_shipped, first_cancelled, revised_on, said_on, promised,
                           slipped_on, said_by_then),
    CASE WHEN first_shipped < month + INTERVAL 1 MONTH THEN first_shipped END AS shipped_on,
    CASE WHEN first_cancelled < month + INTERVAL 1 MONTH THEN first_cancelled END AS cancelled_on,
    len(list_filter(revised_on, lambda d: d < month + INTERVAL 1 MONTH)) AS redates,
    len(list_filter(slipped_on, lambda d: d < month + INTERVAL 1 MONTH)) AS slipped,
    CASE WHEN said_by_then > 0 THEN promised[said_by_then] END AS latest_promise  -- the standing one
  FROM (SELECT m.month, h.*, len(list_filter(h.said_on, lambda d: d < m.month + INTERVAL 1 MONTH)) AS said_by_then
        FROM months m
        -- Judged from the month its first promise falls due, or from the month it was first moved
        -- past that promise or cancelled, if earlier: a promise broken is known to be broken then.
        JOIN history h ON h.judged_from <= m.month)
),
judged AS (
  SELECT *,
    CASE WHEN shipped_on IS NOT NULL AND shipped_on <= first_promise THEN 'shipped on time'
         WHEN shipped_on IS NOT NULL THEN 'shipped late'
         WHEN cancelled_on IS NOT NULL THEN 'cancelled'
         WHEN first_promise < month + INTERVAL 1 MONTH THEN 'overdue'
         -- moved past its first date before that date came: the promise is already broken
         WHEN latest_promise > first_promise THEN 'slipped'
         ELSE 'not yet due' END AS status,
    -- Credit for the promise: full when kept, partial when shipped late, none when it died.
    CASE WHEN shipped_on IS NOT NULL AND shipped_on <= first_promise THEN 1.0
         WHEN shipped_on IS NOT NULL AND date_diff('day', first_promise, shipped_on) <= 90 THEN 0.5
         WHEN shipped_on IS NOT NULL THEN 0.25
         ELSE 0.0 END AS base_credit
  FROM as_of_month
  -- Judged in the 12 months from when it fell due (or was cancelled, if before), or while open;
  -- counted as due in its due month whatever happened before (announcements_due, below).
  WHERE least(due_month, date_trunc('month', cancelled_on)::DATE) > month - INTERVAL 12 MONTH
     OR (shipped_on IS NULL AND cancelled_on IS NULL) OR due_month = month
),
credited AS (
  -- Each slip costs a quarter of a credit, down to none. An open one (overdue or slipped) could
  -- still earn: shipped within 90 days of its first date 0.5 (later 0.25), by that date (while still ahead) 1,
  -- less its slips. The other two ways to lose trust (trust-model.md) weigh a promise not kept
  -- more: pre-sold and not delivered (cancelled, overdue or slipped) counts as two announcements
  -- judged, and announced more than a year ahead and not shipped on time as one more.
  SELECT *, greatest(0.0, base_credit - 0.25 * slipped) AS promise_credit,
         base_credit - greatest(0.0, base_credit - 0.25 * slipped) AS slip_penalty,
         -- What it would have earned shipped on the month's last day (explain.py: "shipping ... by
         -- the month's end, even late"; a shipment after the month is judged in later months, not
         -- this one: review): overdue, 1 if that is its first date, 0.5 within 90 days of it, else
         -- 0.25; one due over 12 months ago would leave the window (credit and weight).
         CASE WHEN status = 'overdue' AND NOT aged THEN greatest(0.0, (
                CASE WHEN first_promise >= last_day(month) THEN 1.0
                     WHEN date_diff('day', first_promise, last_day(month)) <= 90 THEN 0.5 ELSE 0.25 END) - 0.25 * slipped)
              WHEN status = 'slipped' THEN greatest(0.0, 1.0 - 0.25 * slipped) ELSE 0.0 END AS open_credit,
         -- the weight shipping it would take off: all of it when it leaves the window, the pre-sold
         -- extra when shipped late, every extra when shipped by its first date
         CASE WHEN status = 'overdue' AND aged THEN promise_weight
              WHEN status = 'overdue' AND first_promise >= last_day(month) THEN promise_weight - 1
              WHEN status = 'overdue' AND presold THEN 1
              WHEN status = 'slipped' THEN promise_weight - 1 ELSE 0 END AS open_weight_cut
  FROM (SELECT *, due_month <= month - INTERVAL 12 MONTH AS aged,
               1 + CASE WHEN presold AND status IN ('cancelled', 'overdue', 'slipped') THEN 1 ELSE 0 END
                 + CASE WHEN date_diff('day', announced_on, first_promise) > 365 AND status <> 'shipped on time' THEN 1 ELSE 0 END
                 AS promise_weight
        FROM judged)
  WHERE status <> 'not yet due'  -- moved past its first date and back again: judged when due
),
due AS (
  SELECT vendor_id, month, count(*) AS announcements_due,
         count(*) FILTER (WHERE status = 'shipped on time') AS announcements_kept
  FROM credited WHERE due_month = month GROUP BY vendor_id, month
),
windowed AS (SELECT
  vendor_id,
  month,
  count(*) AS announcements_due_12m,
  sum(promise_weight)::BIGINT AS promise_weight_12m,
  -- the weight above 1 by outcome: what shipping on time would also take off (explain.py's what-ifs)
  (sum(promise_weight - 1) FILTER (WHERE status = 'shipped late'))::BIGINT AS extra_weight_late_12m,
  (sum(promise_weight - 1) FILTER (WHERE status IN ('overdue', 'slipped')))::BIGINT AS extra_weight_open_12m,
  (sum(promise_weight - 1) FILTER (WHERE status = 'cancelled'))::BIGINT AS extra_weight_cancelled_12m,
  sum(promise_credit) AS promise_credit_12m,
  sum(slip_penalty) AS slip_penalty_12m,
  count(*) FILTER (WHERE status = 'shipped on time') AS kept_12m,
  count(*) FILTER (WHERE status = 'cancelled') AS cancelled_12m,
  count(*) FILTER (WHERE status = 'overdue') AS overdue_12m,
  count(*) FILTER (WHERE status = 'slipped') AS slipped_12m,
  sum(open_credit) AS open_credit_12m,
  sum(open_weight_cut)::BIGINT AS open_weight_cut_12m,
  count(*) FILTER (WHERE status IN ('cancelled', 'overdue', 'slipped') AND presold) AS presold_unshipped_12m,
  count(*) FILTER (WHERE date_diff('day', announced_on, first_promise) > 365 AND status <> 'shipped on time')
    AS far_ahead_unkept_12m,
  sum(redates)::BIGINT AS redates_12m,
  sum(slipped)::BIGINT AS slips_12m,
  -- Lead time: how far ahead the first promise was made (announcing years ahead is a risk sign).
  avg(date_diff('day', announced_on, first_promise)) AS mean_lead_days_12m,
  sum(CASE WHEN shipped_on IS NOT NULL THEN greatest(0, date_diff('day', first_promise, shipped_on))
           WHEN cancelled_on IS NULL AND status = 'overdue' THEN date_diff('day', first_promise, month + INTERVAL 1 MONTH)
           WHEN status = 'slipped' THEN date_diff('day', first_promise, latest_promise)
           ELSE 0 END)::BIGINT AS slip_days_12m,
  max(redates) AS max_redates,
  -- Vaporware: announced and never shipped. Cancelled, overdue by more than 90 days, or still
  -- unshipped after two re-dates or more. A product that shipped is not vaporware, however late
  -- (review: products shipped after two re-dates were flagged); its slips cost it promise credit.
  bool_or(status = 'cancelled'
          OR (status = 'overdue' AND date_diff('day', first_promise, month + INTERVAL 1 MONTH) > 90)
          OR (status IN ('overdue', 'slipped') AND redates >= 2)) AS vaporware
FROM credited
-- an announcement cancelled over 12 months before its due month is due then, but no longer judged
WHERE least(due_month, date_trunc('month', cancelled_on)::DATE) > month - INTERVAL 12 MONTH
   OR (shipped_on IS NULL AND cancelled_on IS NULL)
GROUP BY vendor_id, month
)
SELECT vendor_id, month, coalesce(d.announcements_due, 0) AS announcements_due,
       coalesce(d.announcements_kept, 0) AS announcements_kept, w.* EXCLUDE (vendor_id, month)
FROM windowed w FULL JOIN due d USING (vendor_id, month)
ORDER BY vendor_id, month
