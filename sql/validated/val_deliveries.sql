-- Judge each staged delivery of the window: its first problem, or NULL when it is valid.
-- Parameters: $start, $end (the window's months), $as_of (the run's as-of date).
SELECT s.*,
  coalesce(
    s._row_error,  -- a problem found while reading the file (bad bytes, ragged row, repeated header)
    s._parse_problem,  -- before 'missing': a value that does not parse is not absent
    missing('delivery_id', s.delivery_id),
    missing('vendor_id', s.vendor_id),
    bad_key('delivery_id', s.delivery_id),
    bad_key('vendor_id', s.vendor_id),
    missing('promised_date', s.promised_date),
    missing('qty_ordered', s.qty_ordered),
    CASE WHEN s._dup_status = 'conflict' THEN problem('delivery_id',
      'delivery_id ''' || s.delivery_id || ''' appears with different values in ' || s._dup_places) END,
    CASE WHEN v.vendor_id IS NULL THEN unknown_vendor(s.vendor_id, rv.rejected_at) END,
    CASE WHEN s.qty_ordered <= 0 THEN problem('qty_ordered', 'must be > 0, got ' || quoted_number(s.qty_ordered)) END,
    CASE WHEN s.qty_delivered < 0 THEN problem('qty_delivered', 'must be >= 0, got ' || quoted_number(s.qty_delivered)) END,
    CASE WHEN s.qty_rejected < 0 THEN problem('qty_rejected', 'must be >= 0, got ' || quoted_number(s.qty_rejected)) END,
    CASE WHEN s.qty_rejected > coalesce(s.qty_delivered, CASE WHEN s.delivered_date IS NOT NULL THEN s.qty_ordered ELSE 0 END)
      THEN problem('qty_rejected', 'rejected ' || quoted_number(s.qty_rejected) || ' is more than delivered '
                   || quoted_number(coalesce(s.qty_delivered, CASE WHEN s.delivered_date IS NOT NULL THEN s.qty_ordered ELSE 0 END))) END,
    CASE WHEN s.order_value < 0 THEN problem('order_value', 'must be >= 0, got ' || quoted_number(s.order_value)) END,
    -- Values are summed exactly (macro `exact`): beyond 10^15 an order value is no price but a typo.
    CASE WHEN s.order_value > 1e15 THEN problem('order_value', 'must be at most 10^15, got ' || quoted_number(s.order_value)) END,
    after_as_of('delivered_date', s.delivered_date, $as_of),
    too_far_ahead('promised_date', s.promised_date, $as_of, 5),
    -- 1900-01-01, 0001-01-01, Excel's 1899-12-30: a placeholder read as delivered long before the
    -- promise, on time, as 9999-12-31 is a placeholder rejected as too far ahead.
    CASE WHEN s.delivered_date < s.promised_date - INTERVAL 5 YEAR THEN problem('delivered_date',
      'delivered ' || s.delivered_date || ', more than 5 years before the promised date ' || s.promised_date
      || ': a placeholder, not a delivery') END
  ) AS _problem
FROM stg_deliveries s
LEFT JOIN vendors v ON v.vendor_id = s.vendor_id
LEFT JOIN (SELECT vendor_id, string_agg(source_file || ':' || row_number, ', ' ORDER BY row_number) AS rejected_at
           FROM quarantine WHERE feed = 'vendors' GROUP BY vendor_id) rv ON rv.vendor_id = s.vendor_id
WHERE in_window(s.month, $start, $end)
