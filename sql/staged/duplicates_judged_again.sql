-- Duplicate status of the staged rows whose key is in the temp table `affected_keys` (column _key),
-- judged across every file: after a whole staging the keys written more than once, after a late
-- file the keys of the files restaged or removed (staging.judge_duplicates). Copies of a key whose
-- fingerprints (typed values) differ conflict; equal copies after the first are duplicates. A row
-- that could not be read as a record (ragged, bad bytes: `_row_error`) is no copy: it is judged
-- for its own problem, and a sound copy of its key stands (review: a copy with a trailing comma
-- conflicted with its original, and both were quarantined).
-- {table} and {key} are the feed's staged table and key column (names from the contract, not data).
UPDATE {table} AS s
SET _dup_status = CASE WHEN s._row_error IS NULL THEN dup_status(r._conflict, r._first_at, s._source_file, s._row_number)
                       ELSE 'first' END,
    _dup_places = CASE WHEN s._row_error IS NULL THEN r._places END
FROM (
  SELECT a._key, g._conflict, g._first_at, g._places
  FROM affected_keys a
  LEFT JOIN (
    SELECT {key} AS _key, min(_fingerprint) <> max(_fingerprint) AS _conflict,
           min((_source_file, _row_number)) AS _first_at,
           key_places(_source_file, _row_number) AS _places
    FROM {table} WHERE {key} IN (SELECT _key FROM affected_keys) AND _row_error IS NULL
    GROUP BY {key} HAVING count(*) > 1
  ) g USING (_key)
) r
WHERE s.{key} = r._key
