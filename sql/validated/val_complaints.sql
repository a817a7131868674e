-- Judge each staged complaint of the window: its first problem, or NULL when it is valid.
SELECT s.* REPLACE (cut_text(s.summary) AS summary),
  coalesce(
    s._row_error,  -- a problem found while reading the file (bad bytes, ragged row, repeated header)
    s._parse_problem,  -- before 'missing': a value that does not parse is not absent
    missing('complaint_id', s.complaint_id),
    missing('vendor_id', s.vendor_id),
    bad_key('complaint_id', s.complaint_id),
    bad_key('vendor_id', s.vendor_id),
    missing('opened_at', s.opened_at),
    CASE WHEN s._dup_status = 'conflict' THEN problem('complaint_id',
      'complaint_id ''' || s.complaint_id || ''' appears with different values in ' || s._dup_places) END,
    CASE WHEN v.vendor_id IS NULL THEN unknown_vendor(s.vendor_id, rv.rejected_at) END,
    CASE WHEN s.acknowledged_at < s.opened_at THEN problem('acknowledged_at',
      'acknowledged ' || s.acknowledged_at || ' before it was opened ' || s.opened_at) END,
    CASE WHEN s.resolved_at < s.opened_at THEN problem('resolved_at',
      'resolved ' || s.resolved_at || ' before it was opened ' || s.opened_at) END,
    CASE WHEN s.promised_resolution_at < s.opened_at THEN problem('promised_resolution_at',
      'promised resolution ' || s.promised_resolution_at || ' is before it was opened ' || s.opened_at) END,
    too_long('category', s.category),
    after_as_of('opened_at', s.opened_at, $as_of),
    after_as_of('acknowledged_at', s.acknowledged_at, $as_of),
    after_as_of('resolved_at', s.resolved_at, $as_of),
    too_far_ahead('promised_resolution_at', s.promised_resolution_at, $as_of, 5)
  ) AS _problem
FROM stg_complaints s
LEFT JOIN vendors v ON v.vendor_id = s.vendor_id
LEFT JOIN (SELECT vendor_id, string_agg(source_file || ':' || row_number, ', ' ORDER BY row_number) AS rejected_at
           FROM quarantine WHERE feed = 'vendors' GROUP BY vendor_id) rv ON rv.vendor_id = s.vendor_id
WHERE in_window(s.month, $start, $end)
