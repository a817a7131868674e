-- The judged rows, each with its reason (`_why`): an unknown vendor_id that vendors.csv holds in
-- another case says so (hostile review: 'V002' was unknown beside a vendors.csv holding 'v002',
-- with no hint). Ids are compared exactly, case too: only the reason changes.
SELECT j.*,
       coalesce(replace(j._problem.why, '(not in vendors.csv)',
                        '(not in vendors.csv, which has ''' || va.alike || ''': ids are compared exactly, case too)'),
                j._problem.why) AS _why
FROM judged j
LEFT JOIN (SELECT lower(vendor_id) AS folded, min(vendor_id) AS alike FROM vendors GROUP BY 1) va
  ON starts_with(j._problem.why, 'unknown vendor_id ') AND va.folded = lower(j.vendor_id)
