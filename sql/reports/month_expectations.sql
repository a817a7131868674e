-- The Great Expectations suites' results for a month, per feed and expectation.
SELECT feed, expectation, column_name, rule, rows_checked, unexpected_count,
       unexpected_count = 0 AS passed
FROM expectation_results
WHERE month = $month
ORDER BY feed, passed, expectation, column_name
