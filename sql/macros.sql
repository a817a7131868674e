-- Macros of the SQL models, created per connection (TEMP: they are not stored in the database).
-- Typing macros for staging: strict parsing of the contract's text values.
-- A value that does not parse becomes NULL; bad_* says so, so validation can quarantine the row.
-- Text in Unicode NFC: 'Café' typed on macOS (e + U+0301) and elsewhere (U+00E9) print alike and
-- are one id (nfc_normalize costs nothing measurable on ASCII text: 10M ids 1.05 s either way).
CREATE OR REPLACE TEMP MACRO txt(x) AS nfc_normalize(nullif(trim(x), ''));
-- Strict ISO: the format is exactly YYYY-MM-DD (no time part, no other order, no tab or other
-- space inside: `trim` takes spaces only, and strptime would read '2026-9-9' padded with tabs),
-- year 0001 on (DuckDB reads year 0000 as 1 BC).
CREATE OR REPLACE TEMP MACRO iso_date(x) AS
  CASE WHEN regexp_full_match(trim(x), '\d{4}-\d\d-\d\d') AND trim(x) >= '0001'
       THEN TRY_STRPTIME(trim(x), '%Y-%m-%d')::DATE END;
-- Timestamps: ISO 8601 with or without an offset; no offset means UTC (session TimeZone is UTC).
-- Offsets exist from -12:00 to +14:00 (DuckDB would read +99:99). Between 0001-01-02 and
-- 9999-12-30, so that no offset carries the instant out of the years 1 to 9999 in UTC.
-- RFC 3339 allows 't' and 'z' in lower case ('2025-05-05t10:00:00z'): read as 'T' and 'Z'.
CREATE OR REPLACE TEMP MACRO iso_ts(x) AS
  CASE WHEN regexp_full_match(upper(trim(x)), '\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|\+(0\d|1[0-3])(:?[0-5]\d)?|\+14(:?00)?|-(0\d|1[01])(:?[0-5]\d)?|-12(:?00)?)?')
            AND trim(x) >= '0001-01-02' AND trim(x) < '9999-12-31'
       THEN timezone('UTC', TRY_CAST(upper(trim(x)) AS TIMESTAMPTZ)) END;
-- The month a row belongs to, from its date or UTC instant. A date in the year 9000 or later (a
-- placeholder such as 9999-12-31) has no month to be scored in: the row is of unknown month, judged
-- in every window, and quarantined by the check on dates too far ahead.
CREATE OR REPLACE TEMP MACRO month_of(d) AS CASE WHEN d < DATE '9000-01-01' THEN date_trunc('month', d)::DATE END;
-- DuckDB's cast also reads '1_000' (digit separators): not a number in a data file, so refused.
CREATE OR REPLACE TEMP MACRO num(x) AS
  CASE WHEN isfinite(TRY_CAST(trim(x) AS DOUBLE)) AND NOT contains(x, '_') THEN TRY_CAST(trim(x) AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO flag(x) AS
  CASE WHEN lower(trim(x)) IN ('true', '1', 'yes') THEN true
       WHEN lower(trim(x)) IN ('false', '0', 'no') THEN false END;
CREATE OR REPLACE TEMP MACRO given(x) AS txt(x) IS NOT NULL;
-- A value quoted in a reason: its first 80 characters, line breaks and tabs written as \n, \r, \t,
-- so that a value holding lines cannot print lines of its own in `trustcard validate`'s output.
CREATE OR REPLACE TEMP MACRO quoted(x) AS
  replace(replace(replace(left(x, 80), chr(10), '\n'), chr(13), '\r'), chr(9), '\t');
-- A number quoted in a reason as a file would write it: a whole number without a decimal point
-- ("got 0", not "got 0.0", for a quantity written 0; review).
CREATE OR REPLACE TEMP MACRO quoted_number(x) AS
  CASE WHEN x = trunc(x) AND abs(x) < 1e15 THEN x::HUGEINT::VARCHAR ELSE x::VARCHAR END;
-- One parse problem as a struct, or NULL when the value is empty or parses.
CREATE OR REPLACE TEMP MACRO bad(col, x, parsed, expected) AS
  CASE WHEN given(x) AND parsed IS NULL
       THEN {'col': col, 'why': expected || ', got ''' || quoted(x) || ''''} END;
-- Duplicate status of a row among all landing files, from its key's group in the staging model's
-- `repeated` CTE (keys seen more than once; NULLs for a key seen once): the same key with the same
-- values is an exact duplicate (the first by file and line is kept), the same key with different
-- values a conflict (all quarantined). A GROUP BY of the few repeated keys, joined back, is several
-- times cheaper than windows partitioned over every row.
CREATE OR REPLACE TEMP MACRO dup_status(conflict, first_at, f, r) AS
  CASE WHEN conflict THEN 'conflict' WHEN first_at IS NULL OR (f, r) = first_at THEN 'first' ELSE 'duplicate' END;
-- The same for a row of a keyed feed, with its key's copies among rows read whole
-- (staged/repeated_keys.sql): a row read with a problem of its own stands alone.
CREATE OR REPLACE TEMP MACRO copy_status(row_error, conflict, first_at, f, r) AS
  CASE WHEN row_error IS NOT NULL THEN 'first' ELSE dup_status(conflict, first_at, f, r) END;
-- Where the rows of one repeated key are, for a conflict message: 'deliveries/a.csv:3, deliveries/b.csv:7'
-- (an aggregate over the key's rows).
CREATE OR REPLACE TEMP MACRO key_places(f, r) AS array_to_string(list_sort(list(f || ':' || r)), ', ');
CREATE OR REPLACE TEMP MACRO problem(col, why) AS {'col': col, 'why': why};
-- Two JSON objects (text) as one, the keys of `j` first: a row's values and its extra columns
-- (`_extra`, NULL when there are none) as quarantine shows them.
CREATE OR REPLACE TEMP MACRO json_with(j, more) AS
  '{' || concat_ws(',', nullif(substr(j, 2, length(j) - 2), ''), nullif(substr(more, 2, length(more) - 2), '')) || '}';
-- A row's first problem is coalesce(check, check, ...) over its checks in contract column order:
-- the first that is not NULL (a list filtered for it cost twice as much over 10M rows).
-- A row whose vendor is not a valid vendor: either vendors.csv lacks it, or it is there but was
-- itself rejected (rejected_at: where, from the vendors' quarantine), which 'unknown' would hide.
CREATE OR REPLACE TEMP MACRO unknown_vendor(vid, rejected_at) AS problem('vendor_id', CASE
  WHEN rejected_at IS NOT NULL THEN 'vendor_id ''' || vid || ''' is rejected in vendors.csv (' || rejected_at || ')'
  ELSE 'unknown vendor_id ''' || vid || ''' (not in vendors.csv)' END);
CREATE OR REPLACE TEMP MACRO missing(col, x) AS CASE WHEN x IS NULL THEN problem(col, 'required value is missing') END;
-- A complaint's summary past the limit is cut there, ending in '…', not quarantined: the complaint
-- it describes stands (review: a 100,000-character summary left the complaint out of the score, and
-- the vendor scored better for it). The landing file keeps the text whole.
CREATE OR REPLACE TEMP MACRO cut_text(x) AS CASE WHEN length(x) > 10000 THEN left(x, 9999) || '…' ELSE x END;
CREATE OR REPLACE TEMP MACRO too_long(col, x) AS
  CASE WHEN length(x) > 10000 THEN problem(col, 'value is ' || length(x) || ' characters long (in Unicode NFC, as stored); the limit is 10000') END;
-- Keys (ids) are names a person reads and the reports print whole: a long one is not an id, and
-- one holding an invisible or control character ('D1' + a zero-width space) would print like
-- another id while being a different key. Invisible: control (Cc), format (Cf: soft hyphen, bidi
-- marks, tags), line and paragraph separators, and Unicode's other default-ignorable characters
-- (combining grapheme joiner, Hangul fillers, Khmer and Mongolian vowel marks, variation selectors).
CREATE OR REPLACE TEMP MACRO invisible_character() AS
  '[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\x{034F}\x{115F}\x{1160}\x{17B4}\x{17B5}\x{180B}-\x{180F}\x{3164}\x{FE00}-\x{FE0F}\x{FFA0}\x{E0000}-\x{E0FFF}]';
CREATE OR REPLACE TEMP MACRO bad_key(col, x) AS
  CASE WHEN length(x) > 256 THEN problem(col, 'id is ' || length(x) || ' characters long (in Unicode NFC, as stored); the limit is 256')
       WHEN regexp_matches(x, invisible_character())
       THEN problem(col, 'id contains an invisible or control character ('
            || printf('U+%04X', unicode(regexp_extract(x, invisible_character())))
            || '): it would print like another id') END;
-- What makes two categories one (vendor peer groups; a complaint's repeat): case, invisible
-- characters and runs of spaces aside. 'packaging' with a zero-width space split a peer group and
-- 'qu<soft hyphen>ality' went uncounted as a repeat of 'quality' while both printed alike (hostile
-- review). NULL when nothing visible is left.
CREATE OR REPLACE TEMP MACRO category_key(x) AS
  nullif(trim(regexp_replace(lower(regexp_replace(x, invisible_character(), '', 'g')), '[\s\p{Z}]+', ' ', 'g')), '');
-- A required name that holds only invisible characters and spaces (a zero-width space, a bidi
-- override) prints as nothing: a vendor with a blank name in every report, an announcement with a
-- blank product (hostile review). Missing, as an empty value is, naming the first such character.
CREATE OR REPLACE TEMP MACRO invisible_only(col, x) AS
  -- U+2800 (Braille pattern blank) is a symbol that prints as a space (hostile review)
  CASE WHEN regexp_full_match(x, '(?:' || invisible_character() || '|[\s\p{Z}\x{2800}])+')
       THEN problem(col, 'required value is missing: it holds only invisible characters and spaces ('
            || printf('U+%04X', unicode(x)) || ' first)') END;
-- The reasons do not quote the as-of date: a row rejected alike on two days reads alike, so a run
-- on a later day re-judges only the months holding a date the move of the as-of date reaches
-- (quality/changed_months.py); the run prints its as-of date.
-- A timestamp is judged by its UTC date, so the reason says so (10 p.m. at -05:00 is the next day).
CREATE OR REPLACE TEMP MACRO after_as_of(col, d, as_of) AS
  CASE WHEN d::DATE > as_of THEN problem(col, 'date ' || d::DATE || CASE WHEN typeof(d) LIKE 'TIMESTAMP%' THEN ' (in UTC)' ELSE '' END
                                              || ' is after the run''s as-of date (TRUSTCARD_AS_OF, default today)') END;
-- Promises may lie ahead, but not absurdly far: a typo such as 2206 for 2026.
CREATE OR REPLACE TEMP MACRO too_far_ahead(col, d, as_of, years) AS
  CASE WHEN d::DATE > as_of + to_years(years) THEN problem(col, 'date ' || d::DATE || ' is more than ' || years || ' years after the run''s as-of date') END;
CREATE OR REPLACE TEMP MACRO in_window(m, start_month, end_month) AS (m >= start_month AND m < end_month) OR m IS NULL;
-- Wilson score interval (95%) for k successes out of n: honest bounds for small samples.
-- Clamped to [0, 1]: at k = 0 or k = n the formula gives 0 or 1 up to floating-point error.
CREATE OR REPLACE TEMP MACRO wilson_low(k, n) AS CASE WHEN n > 0 THEN greatest(0.0,
  ((k / n + 1.96 ^ 2 / (2 * n)) - 1.96 * sqrt((k / n) * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2))) / (1 + 1.96 ^ 2 / n)) END;
CREATE OR REPLACE TEMP MACRO wilson_high(k, n) AS CASE WHEN n > 0 THEN least(1.0,
  ((k / n + 1.96 ^ 2 / (2 * n)) + 1.96 * sqrt((k / n) * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2))) / (1 + 1.96 ^ 2 / n)) END;
-- Beta-prior shrinkage: k of n pulled toward the peer rate p with the weight of m imaginary records.
CREATE OR REPLACE TEMP MACRO shrunk(k, n, p, m) AS (k + m * p) / (n + m);
-- A sum of doubles depends on the order rows are added, which parallel aggregation does not fix:
-- a rerun could differ in the last bit. Summed as exact decimals (9 places) it is the same in any
-- order, so every rerun gives the same numbers (values are bounded by validation: order_value).
CREATE OR REPLACE TEMP MACRO exact(x) AS x::DECIMAL(38, 9);
-- A quarantine reason with the values it quotes masked, so that rows failing one check group
-- together: quoted text, numbers, dates and times, code points and file lines ('acknowledged
-- 2025-09-01 09:00:00 before it was opened 2025-09-01 10:00:00' and 'must be > 0, got -1.0' each
-- read as one kind). The numbers of the rules themselves (the reasons of sql/ and
-- ingest/landing.py) are set aside first and put back after.
CREATE OR REPLACE TEMP MACRO reason_rules() AS
  list_transform(['10^15', '>= 0', '> 0', 'ISO 8601', 'UTF-8', '1/0', 'the limit is 10000', 'the limit is 256',
                  'more than 5 years', 'more than 10 years'], lambda rule, i: [rule, chr(i::INTEGER)]);
CREATE OR REPLACE TEMP MACRO reason_kind(reason) AS
  list_reduce(reason_rules(), lambda text, k: replace(text, k[2], k[1]),
    regexp_replace(regexp_replace(regexp_replace(
      list_reduce(reason_rules(), lambda text, k: replace(text, k[1], k[2]), reason),
      '''[^'']*''', '''…''', 'g'),
      'U\+[0-9A-F]{4,6}', 'U+…', 'g'),
      '[-+]?[0-9][0-9.:eE+-]*( [0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?', '…', 'g'));
-- Scorecard: a month is provisional while its end + the maturity days is after the latest date in
-- the data (scorecard_pillars.sql computes the flag, provisional_moved.sql corrects stored months).
CREATE OR REPLACE TEMP MACRO is_provisional(month, maturity_days, data_as_of) AS
  month + INTERVAL 1 MONTH + to_days(maturity_days) > data_as_of;
-- The month score from its pillars (NULL: no data): delivery and promises blended by weight over
-- those with data (`blend_weight`), less recovery's weight times its shortfall from 100; a month of
-- complaints alone scores its recovery. Shared by the shrunk and the own-records month scores.
CREATE OR REPLACE TEMP MACRO month_blend(d, p, r, blend_weight, w_d, w_p, w_r) AS
  CASE WHEN blend_weight = 0 THEN r
       ELSE greatest(0, (coalesce(w_d * d, 0) + coalesce(w_p * p, 0)) / blend_weight
                        - coalesce(w_r * (100 - r), 0) / (blend_weight + w_r)) END;
