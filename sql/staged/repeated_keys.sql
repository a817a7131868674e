-- The keys of {table} held by more than one row read whole, among those {keys} selects: whether
-- their copies conflict (their fingerprints, the typed values, differ), where the first is, and
-- where they all are (for a conflict's message). A row that could not be read as a record
-- (ragged, bad bytes: `_row_error`) is no copy: it is judged for its own problem, and a sound copy
-- of its key stands (review: a copy with a trailing comma conflicted with its original, and both
-- were quarantined). Each row's status is then copy_status (sql/macros.sql).
-- {table}, {key} and {keys} are the feed's staged rows, key column and a filter on it (names
-- from the contract and SQL of ours, not data).
SELECT {key} AS _key, min(_fingerprint) <> max(_fingerprint) AS _conflict,
       min((_source_file, _row_number)) AS _first_at,
       key_places(_source_file, _row_number) AS _places
FROM {table} WHERE {key} IS NOT NULL AND _row_error IS NULL AND ({keys})
GROUP BY {key} HAVING count(*) > 1
