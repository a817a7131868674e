-- Staged vendors: the vendor list, typed; is_self defaults to false.
WITH typed AS (
  -- Copies of a key conflict when their typed values differ ('TRUE' and 'yes' are one flag, an empty
  -- is_self is false as the contract defaults it); a value that does not parse counts by its problem.
  SELECT *, hash(vendor_name, category, coalesce(is_self, false), report_recipients, _parse_problem, _row_error) AS _fingerprint
  FROM (
  SELECT
    txt(vendor_id) AS vendor_id,
    txt(vendor_name) AS vendor_name,
    txt(category) AS category,
    flag(is_self) AS is_self,
    txt(report_recipients) AS report_recipients,
    coalesce(
      bad('is_self', is_self, flag(is_self), 'not a boolean (true/false, 1/0, yes/no)')
    ) AS _parse_problem,
    _source_file, _row_number, _row_error, _extra
  FROM landing)
)
SELECT
  t.*,  -- with _fingerprint, as every staged table
  -- A repeated key's status and places are judged after the write, over the stored key column
  -- (staged/duplicates_judged_again.sql, as after a late file): typing 10M rows once, not twice.
  'first' AS _dup_status,
  NULL::VARCHAR AS _dup_places
FROM typed t
