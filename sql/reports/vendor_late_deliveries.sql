-- Evidence: a vendor's deliveries due in a month that were late, short or rejected, or arrived
-- earlier than the trust model's early tolerance allows (not on time in the score), worst first.
SELECT * EXCLUDE (_timing, _units) FROM (
SELECT delivery_id, promised_date, delivered_date,
       CASE WHEN delivered_date IS NULL THEN NULL ELSE date_diff('day', promised_date, delivered_date) END AS days_late,
       qty_ordered, coalesce(qty_delivered, CASE WHEN delivered_date IS NOT NULL THEN qty_ordered END) AS qty_delivered,
       coalesce(qty_rejected, 0) AS qty_rejected,
       -- the file left it empty: read as in full (the contract), shown so, not as a number the
       -- vendor would not find on the cited line
       qty_delivered IS NULL AND delivered_date IS NOT NULL AS qty_delivered_blank,
       concat_ws('; ',
         CASE WHEN delivered_date IS NULL THEN 'not delivered' END,
         CASE WHEN delivered_date > promised_date + to_days($late_tolerance_days) THEN 'late'
              WHEN delivered_date > promised_date THEN 'late, within the tolerance' END,
         CASE WHEN $early_tolerance_days >= 0 AND delivered_date < promised_date - to_days($early_tolerance_days)
              THEN 'too early' END,
         CASE WHEN delivered_date IS NOT NULL AND coalesce(qty_delivered, qty_ordered) < qty_ordered THEN 'short' END,
         CASE WHEN coalesce(qty_rejected, 0) > 0 THEN 'rejected' END) AS problem,
       _source_file || ':' || _row_number AS source,
       -- days off the promise that count against it: late or early beyond the tolerances ('on time'
       -- deliveries a day early ranked above short ones delivered on the day: review)
       CASE WHEN delivered_date > promised_date + to_days($late_tolerance_days)
            THEN date_diff('day', promised_date, delivered_date)
            WHEN $early_tolerance_days >= 0 AND delivered_date < promised_date - to_days($early_tolerance_days)
            THEN date_diff('day', delivered_date, promised_date) ELSE 0 END AS _timing,
       -- the share of the units ordered not delivered or rejected
       (qty_ordered - coalesce(qty_delivered, qty_ordered) + coalesce(qty_rejected, 0)) / nullif(qty_ordered, 0) AS _units
FROM deliveries
WHERE vendor_id = $vendor AND month = $month
  AND (delivered_date IS NULL OR delivered_date > promised_date
       OR ($early_tolerance_days >= 0 AND delivered_date < promised_date - to_days($early_tolerance_days))
       OR coalesce(qty_delivered, qty_ordered) < qty_ordered OR coalesce(qty_rejected, 0) > 0)
)
-- Worst first: never delivered, then furthest from the promise where that counts (one 130 days
-- early before one 3 days late), then the largest share of units short or rejected.
ORDER BY delivered_date IS NULL DESC, _timing DESC, _units DESC NULLS LAST, delivery_id
