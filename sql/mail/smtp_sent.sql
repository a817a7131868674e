-- Who already received which of a month's reports from the mail server, with the PDF they got.
SELECT report, coalesce(vendor_id, '') AS vendor_id, lower(recipient) AS recipient,
       arg_max(pdf_sha256, sent_at) AS pdf_sha256
FROM mail_log
WHERE month = $month AND mode = 'smtp'
GROUP BY ALL
