-- Rows left out of a month, by feed, column and kind of reason (`reason_kind` in sql/macros.sql:
-- the values a reason quotes masked, so that rows failing one check group together), for the
-- reports: one vendor's ($vendor: the vendor's page, which goes to the vendor) or every vendor's
-- ($vendor NULL: the executive's summary, the data-quality page). $month NULL: the rows that have
-- no month (no valid date), which no month's figures count.
--
-- The vendor's page must not name another vendor. Four reasons name other rows: a key's rows
-- with different values ("... appears with different values in f:3, g:9"), an announcement's
-- rejected first event ("its first announced event (f:3) is rejected ..."), another of its events
-- rejected ("another event of this announcement (f:3) is rejected ..."), and an announcement
-- whose events name several vendors (the vendor ids). On the page, such a reason is shown as
-- written only when every place it names is one of the vendor's own rows left out (every row of
-- a conflicting key is left out, so each place is one); else it is told without the places, and
-- the vendor list never. The places are read after the LAST "appears with different values in":
-- the key before it is data, and may hold that phrase itself. A place that cannot be read back
-- (a file name holding ', ') counts as not the vendor's: the page then says less, never more.
-- The `quarantine` table keeps every reason as written.
WITH rows AS (
  SELECT * FROM quarantine
  WHERE month IS NOT DISTINCT FROM $month AND ($vendor IS NULL OR vendor_id = $vendor)
), listed AS (  -- the places the page's reasons name (none across vendors: nothing to tell apart)
  SELECT feed, source_file, row_number, unnest(CASE
      WHEN starts_with(reason, 'its first announced event (')
        THEN [regexp_extract(reason, '^its first announced event \((.*)\) is rejected', 1)]
      WHEN starts_with(reason, 'another event of this announcement (')
        THEN [regexp_extract(reason, '^another event of this announcement \((.*)\) is rejected', 1)]
      WHEN contains(reason, ' appears with different values in ')
        THEN string_split(regexp_extract(reason, '.* appears with different values in (.*)$', 1), ', ')
    END) AS place
  FROM rows WHERE $vendor IS NOT NULL
), own AS (
  SELECT feed, source_file || ':' || row_number AS place FROM quarantine WHERE $vendor IS NOT NULL AND vendor_id = $vendor
), naming_others AS (
  SELECT DISTINCT l.feed, l.source_file, l.row_number FROM listed l ANTI JOIN own o ON o.feed = l.feed AND o.place = l.place
), shown AS (
  SELECT r.* REPLACE (CASE
    WHEN $vendor IS NOT NULL AND starts_with(r.reason, 'events of this announcement name different vendors: ')
      THEN 'events of this announcement name another vendor too (which one: ask us)'
    WHEN n.feed IS NULL THEN r.reason
    WHEN starts_with(r.reason, 'its first announced event (')
      THEN 'its first announced event is a row not yours to see, and is rejected, so its first promise is unknown (which one: ask us)'
    WHEN starts_with(r.reason, 'another event of this announcement (')
      THEN 'another event of this announcement, a row not yours to see, is rejected, so its history is incomplete (which one: ask us)'
    -- told from the row itself (its key as read), never from the reason's text, which may hold
    -- other rows' places anywhere (a file name can hold the phrase the places follow)
    ELSE r.column_name || ' ''' || coalesce(txt(json_extract_string(r.raw_record, '$."' || r.column_name || '"')), '')
         || ''' appears with different values in other rows too, not all of them yours to see (which ones: ask us)'
    END AS reason)
  FROM rows r LEFT JOIN naming_others n USING (feed, source_file, row_number)
)
SELECT feed, $vendor AS vendor_id, coalesce(column_name, '(row)') AS column_name,
       reason_kind(reason) AS reason, count(*) AS rows, count(DISTINCT vendor_id) AS vendors,
       arg_min(source_file || ':' || row_number, (source_file, row_number)) AS first_at,
       arg_min(reason, (source_file, row_number)) AS first_reason  -- as written for the first row
FROM shown
GROUP BY ALL
ORDER BY rows DESC, feed, reason
