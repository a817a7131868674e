-- Judge each staged announcement event of the window. A problem of one event is that event's;
-- a problem of the announcement as a whole (no valid first promise, contradictory events), judged
-- on its sound events, or one of its events rejected, quarantines every event of it, since its
-- history can no longer be trusted.
WITH judged AS (
  SELECT s.*,
    coalesce(
      s._row_error,  -- a problem found while reading the file (bad bytes, ragged row, repeated header)
      s._parse_problem,  -- before 'missing': a value that does not parse is not absent
      missing('announcement_id', s.announcement_id),
      missing('vendor_id', s.vendor_id),
      bad_key('announcement_id', s.announcement_id),
      bad_key('vendor_id', s.vendor_id),
      missing('event', s.event),
      missing('event_date', s.event_date),
      CASE WHEN s.event IN ('announced', 'revised') AND s.promised_ship_date IS NULL
        THEN problem('promised_ship_date', 'required when event is ''' || s.event || '''') END,
      -- A first promise of a day already past would fall due in a month before it was made, and
      -- mark the vendor down for months it had promised nothing (a re-date to a past day is kept:
      -- trackers such as Kubernetes' KEPs record a release already made that way; docs/data-contract.md).
      CASE WHEN s.event = 'announced' AND s.promised_ship_date < s.event_date
        THEN problem('promised_ship_date', 'promised ' || s.promised_ship_date
                     || ', before the announcement was made on ' || s.event_date || ': a ship date already past is no promise') END,
      -- The contract asks for `product` on the first event; a re-announcement may leave it empty.
      CASE WHEN s.event = 'announced' AND s.product IS NULL AND (s.event_date, s._source_file, s._row_number) = s._first_said_at
        THEN problem('product', 'required on the first announced event') END,
      CASE WHEN s.event = 'announced' AND (s.event_date, s._source_file, s._row_number) = s._first_said_at
        THEN invisible_only('product', s.product) END,
      CASE WHEN v.vendor_id IS NULL THEN unknown_vendor(s.vendor_id, rv.rejected_at) END,
      too_long('product', s.product),
      after_as_of('event_date', s.event_date, $as_of),
      too_far_ahead('promised_ship_date', s.promised_ship_date, $as_of, 10)
    ) AS _row_problem
  FROM (SELECT *,
          -- where its first `announced` event read whole was made (as in stg_announcements.sql)
          min((event_date, _source_file, _row_number)) FILTER (
            WHERE event = 'announced' AND event_date IS NOT NULL AND promised_ship_date IS NOT NULL
              AND _row_error IS NULL AND _parse_problem IS NULL) OVER (PARTITION BY announcement_id) AS _first_said_at
        FROM stg_announcements) s
  LEFT JOIN vendors v ON v.vendor_id = s.vendor_id
  LEFT JOIN (SELECT vendor_id, string_agg(source_file || ':' || row_number, ', ' ORDER BY row_number) AS rejected_at
             FROM quarantine WHERE feed = 'vendors' GROUP BY vendor_id) rv ON rv.vendor_id = s.vendor_id
  WHERE in_window(s.month, $start, $end)
),
first_statement AS (
  -- Its first `announced` event read whole, which dates the announcement (stg_announcements.sql):
  -- when that event is rejected here (no product, an unknown vendor, a date too far ahead), the
  -- first promise is unknown.
  SELECT announcement_id,
         arg_min(_row_problem IS NOT NULL, (event_date, _source_file, _row_number)) AS rejected,
         arg_min(_source_file || ':' || _row_number, (event_date, _source_file, _row_number)) AS place
  FROM judged
  WHERE event = 'announced' AND event_date IS NOT NULL AND promised_ship_date IS NOT NULL
    AND _row_error IS NULL AND _parse_problem IS NULL
    AND _dup_status <> 'duplicate' AND announcement_id IS NOT NULL
  GROUP BY announcement_id
),
per_announcement AS (
  -- Judged on its sound events (an event with a problem of its own is quarantined for it). An
  -- announcement announced again later is re-announced: the first `announced` event is its first
  -- promise, and a later one a re-date, like a `revised` event (trust-model: "an announcement
  -- re-announced is judged against the first date promised"). Two `announced` events on its first
  -- day, with different promises, leave the first promise unknown.
  SELECT announcement_id, coalesce(
    CASE WHEN count(DISTINCT vendor_id) > 1 THEN problem('vendor_id',
      'events of this announcement name different vendors: ' || string_agg(DISTINCT vendor_id, ', ' ORDER BY vendor_id)) END,
    CASE WHEN count(DISTINCT promised_ship_date) FILTER (WHERE event = 'announced' AND event_date = first_announced_on) > 1
      THEN problem('event', 'conflicting announced events on ' || first_announced_on || ' (promising '
        || string_agg(DISTINCT promised_ship_date::VARCHAR, ', ' ORDER BY promised_ship_date::VARCHAR)
             FILTER (WHERE event = 'announced' AND event_date = first_announced_on)
        || '): the first promise is unknown') END,
    CASE WHEN count(*) FILTER (WHERE event IN ('shipped', 'cancelled')) > 1 THEN problem('event',
      'conflicting shipped/cancelled events (' || count(*) FILTER (WHERE event IN ('shipped', 'cancelled')) || ')') END,
    CASE WHEN count(*) FILTER (WHERE event = 'announced') = 0 THEN problem('event',
      'announcement has no valid ''announced'' event, so its first promise is unknown') END,
    CASE WHEN min(event_date) FILTER (WHERE event <> 'announced') < first_announced_on THEN problem('event',
      'the first event is ''' || arg_min(event, event_date) || ''' on ' || min(event_date) || ', not ''announced''') END
  ) AS _announcement_problem
  FROM (SELECT *, min(event_date) FILTER (WHERE event = 'announced') OVER (PARTITION BY announcement_id) AS first_announced_on
        FROM judged WHERE _dup_status <> 'duplicate' AND announcement_id IS NOT NULL AND _row_problem IS NULL)
  GROUP BY announcement_id, first_announced_on
),
rejected_event AS (
  -- An event rejected for a problem of its own leaves the announcement's history incomplete: a
  -- shipment dated '2025-05-2O' would leave a kept promise scored as broken, a re-date without its
  -- date a slip uncounted. The announcement is left out whole, as for the problems above, unless
  -- a sound copy of the event (the same event, date and promise) says what it said.
  SELECT announcement_id, arg_min(_source_file || ':' || _row_number, (_source_file, _row_number)) AS place
  FROM judged r
  WHERE _row_problem IS NOT NULL AND _dup_status <> 'duplicate' AND announcement_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM judged k
                    WHERE k._row_problem IS NULL AND k._dup_status <> 'duplicate'  -- a duplicate is not judged
                      AND k.announcement_id = r.announcement_id AND k.event = r.event
                      AND k.event_date = r.event_date AND k.promised_ship_date IS NOT DISTINCT FROM r.promised_ship_date)
  GROUP BY announcement_id
),
same_day AS (
  -- Statements of one day after the first promise (re-dates: `revised` events, and `announced`
  -- ones after the first day) that promise different dates: which was made last, and so stands,
  -- is unknown (file and line order would decide it), as for two first promises on one day.
  SELECT announcement_id, min(event_date) AS on_day, arg_min(promised, event_date) AS promised
  FROM (SELECT announcement_id, event_date,
               string_agg(DISTINCT promised_ship_date::VARCHAR, ', ' ORDER BY promised_ship_date::VARCHAR) AS promised
        FROM (SELECT *, min(event_date) FILTER (WHERE event = 'announced') OVER (PARTITION BY announcement_id) AS first_on
              FROM judged WHERE _dup_status <> 'duplicate' AND announcement_id IS NOT NULL AND _row_problem IS NULL)
        WHERE event = 'revised' OR (event = 'announced' AND event_date > first_on)
        GROUP BY announcement_id, event_date
        HAVING count(DISTINCT promised_ship_date) > 1)
  GROUP BY announcement_id
)
SELECT j.* EXCLUDE (_row_problem, _first_said_at),
  coalesce(j._row_problem,
    CASE WHEN f.rejected THEN problem('event', 'its first announced event (' || f.place
                                               || ') is rejected, so its first promise is unknown') END,
    CASE WHEN r.place IS NOT NULL THEN problem('event', 'another event of this announcement (' || r.place
                                               || ') is rejected, so its history is incomplete') END,
    a._announcement_problem,
    CASE WHEN d.on_day IS NOT NULL THEN problem('event', 'conflicting re-dates on ' || d.on_day || ' (promising '
                                                || d.promised || '): which stands is unknown') END) AS _problem
FROM judged j
LEFT JOIN first_statement f USING (announcement_id)
LEFT JOIN per_announcement a USING (announcement_id)
LEFT JOIN rejected_event r USING (announcement_id)
LEFT JOIN same_day d USING (announcement_id)
