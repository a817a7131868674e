-- Staged vendors: the vendor list, typed; is_self defaults to false.
WITH typed AS (
  SELECT
    txt(vendor_id) AS vendor_id,
    txt(vendor_name) AS vendor_name,
    txt(category) AS category,
    flag(is_self) AS is_self,
    txt(report_recipients) AS report_recipients,
    first_problem([
      bad('is_self', is_self, flag(is_self), 'not a boolean (true/false, 1/0, yes/no)')
    ]) AS _parse_problem,
    hash(txt(vendor_id), txt(vendor_name), txt(category), txt(is_self), txt(report_recipients))
      AS _fingerprint,
    _source_file, _row_number, _row_error, _extra, _raw
  FROM landing
)
SELECT
  * EXCLUDE (_fingerprint),
  dup_status(vendor_id, _fingerprint, _source_file, _row_number) AS _dup_status,
  dup_places(vendor_id, _source_file, _row_number) AS _dup_places
FROM typed
