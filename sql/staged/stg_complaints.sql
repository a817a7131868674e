-- Staged complaints: typed by the contract; a complaint belongs to the month of opened_at in UTC.
WITH typed AS (
  -- Copies of a key conflict when their typed values differ ('Z' and '+00:00' are one instant, an
  -- empty severity is 'medium' as the contract defaults it, an empty recovery step is one not
  -- taken as every metric reads it); a value that does not parse counts by its problem, which quotes it.
  SELECT *, hash(vendor_id, opened_at, acknowledged_at, resolved_at, promised_resolution_at,
                coalesce(severity, 'medium'), category, disclosed_by, coalesce(apologized, false),
                coalesce(explained, false), coalesce(restitution, false), summary, _parse_problem, _row_error) AS _fingerprint
  FROM (
  SELECT
    txt(complaint_id) AS complaint_id,
    txt(vendor_id) AS vendor_id,
    iso_ts(opened_at) AS opened_at,
    iso_ts(acknowledged_at) AS acknowledged_at,
    iso_ts(resolved_at) AS resolved_at,
    iso_ts(promised_resolution_at) AS promised_resolution_at,
    CASE WHEN lower(txt(severity)) IN ('low', 'medium', 'high', 'critical') THEN lower(txt(severity)) END AS severity,
    txt(category) AS category,
    CASE WHEN lower(txt(disclosed_by)) IN ('vendor', 'customer') THEN lower(txt(disclosed_by)) END AS disclosed_by,
    flag(apologized) AS apologized,
    flag(explained) AS explained,
    flag(restitution) AS restitution,
    txt(summary) AS summary,
    coalesce(
      bad('opened_at', opened_at, iso_ts(opened_at), 'not an ISO 8601 timestamp'),
      bad('acknowledged_at', acknowledged_at, iso_ts(acknowledged_at), 'not an ISO 8601 timestamp'),
      bad('resolved_at', resolved_at, iso_ts(resolved_at), 'not an ISO 8601 timestamp'),
      bad('promised_resolution_at', promised_resolution_at, iso_ts(promised_resolution_at), 'not an ISO 8601 timestamp'),
      bad('severity', severity, CASE WHEN lower(txt(severity)) IN ('low', 'medium', 'high', 'critical') THEN 1 END,
          'not one of low/medium/high/critical'),
      bad('disclosed_by', disclosed_by, CASE WHEN lower(txt(disclosed_by)) IN ('vendor', 'customer') THEN 1 END,
          'not one of vendor/customer'),
      bad('apologized', apologized, flag(apologized), 'not a boolean (true/false, 1/0, yes/no)'),
      bad('explained', explained, flag(explained), 'not a boolean (true/false, 1/0, yes/no)'),
      bad('restitution', restitution, flag(restitution), 'not a boolean (true/false, 1/0, yes/no)')
    ) AS _parse_problem,
    _source_file, _row_number, _row_error, _extra
  FROM landing)
)
SELECT
  month_of(opened_at) AS month,
  t.*,  -- _fingerprint kept: a late file's keys are judged again against it (duplicates_judged_again)
  -- A repeated key's status and places are judged after the write, over the stored key column
  -- (staged/duplicates_judged_again.sql, as after a late file): typing 10M rows once, not twice.
  'first' AS _dup_status,
  NULL::VARCHAR AS _dup_places
FROM typed t
