-- The vendors whose PDF a month has (those with a trust score, as in vendors_of_month) and their
-- report_recipients as written in vendors.csv: untrusted text, parsed in pipelines/defs/mail/addresses.py.
SELECT v.vendor_id, v.vendor_name, v.report_recipients
FROM scorecard s JOIN vendors v USING (vendor_id)
WHERE s.month = $month AND s.trust_score IS NOT NULL
ORDER BY v.vendor_id
