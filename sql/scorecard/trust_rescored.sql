-- What scoring the run's months again changed in the stored trust scores: `scorecard_new` (the
-- months just scored) against `scorecard` (as stored before), as the reports print it (one
-- decimal); trust appearing or gone is a change. The largest change, named.
SELECT count(*) FILTER (WHERE was) AS stored, count(*) FILTER (WHERE moved) AS changed,
       arg_max(vendor_id, (size, vendor_id, month)) FILTER (WHERE moved) AS vendor_id,
       arg_max(month, (size, vendor_id, month)) FILTER (WHERE moved) AS month,
       arg_max(old, (size, vendor_id, month)) FILTER (WHERE moved) AS old,
       arg_max(new, (size, vendor_id, month)) FILTER (WHERE moved) AS new
FROM (
  SELECT n.vendor_id, n.month, o.vendor_id IS NOT NULL AS was, o.trust_score AS old, n.trust_score AS new,
         o.vendor_id IS NOT NULL AND coalesce((n.trust_score IS NULL) <> (o.trust_score IS NULL)
           OR round(n.trust_score, 1) <> round(o.trust_score, 1), false) AS moved,
         coalesce(abs(n.trust_score - o.trust_score), 100) AS size
  FROM scorecard_new n
  LEFT JOIN scorecard o ON o.vendor_id = n.vendor_id AND o.month = n.month
)
