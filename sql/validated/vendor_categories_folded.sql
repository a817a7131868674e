-- Vendor categories written differently only in case, invisible characters or spaces
-- (category_key): one line per category, its spellings with how many vendors write each, and the
-- one they are all read as (val_vendors.sql: the commonest without invisible characters, ties the
-- first in byte order).
SELECT string_agg('''' || category || ''' by ' || n, ', ' ORDER BY n DESC, category) AS spellings,
       first(category ORDER BY regexp_matches(category, invisible_character()), n DESC, category) AS read_as
FROM (SELECT category_key(category) AS folded, category, count(*) AS n
      FROM stg_vendors WHERE category_key(category) IS NOT NULL GROUP BY ALL)
GROUP BY folded HAVING count(*) > 1
ORDER BY folded
