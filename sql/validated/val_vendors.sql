-- Judge each staged vendor row: its first problem, or NULL when it is valid.
-- A category is one category whatever its case, invisible characters and spaces (category_key):
-- 'Packaging' beside 'packaging' split the peer group in two, shrinking one vendor toward a
-- category of its own (hostile review). Each is written the way most vendors write it, a spelling
-- without invisible characters first (ties: the first in byte order); vendor_categories_folded.sql
-- tells. A category of invisible characters alone is none.
SELECT NULL::DATE AS month,
  s.* REPLACE (CASE WHEN category_key(s.category) IS NOT NULL THEN coalesce(c.spelling, s.category) END AS category),
  coalesce(
    s._row_error,  -- a problem found while reading the file (bad bytes, ragged row, repeated header)
    s._parse_problem,  -- before 'missing': a value that does not parse is not absent
    missing('vendor_id', s.vendor_id),
    missing('vendor_name', s.vendor_name),
    invisible_only('vendor_name', s.vendor_name),
    bad_key('vendor_id', s.vendor_id),
    CASE WHEN s._dup_status = 'conflict' THEN problem('vendor_id',
      'vendor_id ''' || s.vendor_id || ''' appears with different values in ' || s._dup_places) END,
    too_long('vendor_name', s.vendor_name),
    too_long('category', s.category),
    too_long('report_recipients', s.report_recipients)
  ) AS _problem
FROM stg_vendors s
LEFT JOIN (SELECT folded, first(category ORDER BY regexp_matches(category, invisible_character()), n DESC, category) AS spelling
           FROM (SELECT category_key(category) AS folded, category, count(*) AS n
                 FROM stg_vendors WHERE category_key(category) IS NOT NULL GROUP BY ALL)
           GROUP BY folded) c ON c.folded = category_key(s.category)
