-- Staged announcement events: typed by the contract. An announcement (all its events) belongs to
-- the month of its first promised ship date: the promised_ship_date of its `announced` event.
WITH typed AS (
  SELECT
    txt(announcement_id) AS announcement_id,
    txt(vendor_id) AS vendor_id,
    txt(product) AS product,
    CASE WHEN lower(txt(event)) IN ('announced', 'revised', 'shipped', 'cancelled') THEN lower(txt(event)) END AS event,
    iso_date(event_date) AS event_date,
    iso_date(promised_ship_date) AS promised_ship_date,
    flag(presold) AS presold,
    first_problem([
      bad('event', event, CASE WHEN lower(txt(event)) IN ('announced', 'revised', 'shipped', 'cancelled') THEN 1 END,
          'not one of announced/revised/shipped/cancelled'),
      bad('event_date', event_date, iso_date(event_date), 'not an ISO date (YYYY-MM-DD)'),
      bad('promised_ship_date', promised_ship_date, iso_date(promised_ship_date), 'not an ISO date (YYYY-MM-DD)'),
      bad('presold', presold, flag(presold), 'not a boolean (true/false, 1/0, yes/no)')
    ]) AS _parse_problem,
    -- Events have no key of their own: only a row repeated exactly is a duplicate here;
    -- contradictory events of one announcement are judged by validation.
    hash(txt(announcement_id), txt(vendor_id), txt(product), lower(txt(event)), txt(event_date),
                   txt(promised_ship_date), txt(presold)) AS _fingerprint,
    _source_file, _row_number, _row_error, _extra, _raw
  FROM landing
)
SELECT
  date_trunc('month', min(promised_ship_date) FILTER (WHERE event = 'announced')
                       OVER (PARTITION BY announcement_id))::DATE AS month,
  * EXCLUDE (_fingerprint),
  dup_status(_fingerprint, _fingerprint, _source_file, _row_number) AS _dup_status,
  NULL::VARCHAR AS _dup_places
FROM typed
