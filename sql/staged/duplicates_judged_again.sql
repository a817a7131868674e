-- Duplicate status of the staged rows whose key is in the temp table `affected_keys` (column _key),
-- judged across every file (staged/repeated_keys.sql): after a whole staging the keys written more
-- than once, after a late file the keys of the files restaged or removed (staging.judge_duplicates).
-- The table and key column are the feed's (names from the contract, not data); the repeated keys'
-- query (staged/repeated_keys.sql) is put in below by staging.judge_duplicates.
UPDATE {table} AS s
SET _dup_status = copy_status(s._row_error, r._conflict, r._first_at, s._source_file, s._row_number),
    _dup_places = CASE WHEN s._row_error IS NULL THEN r._places END
FROM (
  SELECT a._key, g._conflict, g._first_at, g._places
  FROM affected_keys a LEFT JOIN ({repeated}) g USING (_key)
) r
WHERE s.{key} = r._key
