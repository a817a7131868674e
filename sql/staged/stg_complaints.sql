-- Staged complaints: typed by the contract; a complaint belongs to the month of opened_at in UTC.
WITH typed AS (
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
    first_problem([
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
    ]) AS _parse_problem,
    hash(txt(complaint_id), txt(vendor_id), txt(opened_at), txt(acknowledged_at), txt(resolved_at),
                   txt(promised_resolution_at), txt(severity), txt(category), txt(disclosed_by),
                   txt(apologized), txt(explained), txt(restitution), txt(summary)) AS _fingerprint,
    _source_file, _row_number, _row_error, _extra, _raw
  FROM landing
)
SELECT
  date_trunc('month', opened_at)::DATE AS month,
  * EXCLUDE (_fingerprint),
  dup_status(complaint_id, _fingerprint, _source_file, _row_number) AS _dup_status,
  dup_places(complaint_id, _source_file, _row_number) AS _dup_places
FROM typed
