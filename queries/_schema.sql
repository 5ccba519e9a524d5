-- Views and macros every named query builds on. Loaded by the store when it opens a
-- warehouse snapshot; {snapshot} is the snapshot directory, quoted by the store (never
-- user text).

-- doc: the row's number in its fiscal year's file, which the term index refers to.
CREATE OR REPLACE VIEW evaluations AS
SELECT * EXCLUDE (file_row_number), file_row_number::INTEGER AS doc
FROM read_parquet('{snapshot}/evaluations/*/*.parquet', hive_partitioning = true,
                  file_row_number = true);

CREATE OR REPLACE VIEW goals AS
SELECT * FROM read_parquet('{snapshot}/goals.parquet');

CREATE OR REPLACE VIEW reports AS
SELECT * FROM read_parquet('{snapshot}/reports.parquet');

-- A question's topic words as the term index found them (bot/store/topic_search.py):
-- for each topic (a group of synonyms, numbered from 1), the docs of the years asked that
-- hold one of its words, within the municipality asked, with their BM25 score for it and
-- the words they hold (joined by chr(31)). The store registers the rows of the query it
-- runs on its cursor under this name, which shadows this empty table; a query without
-- topics reads none.
CREATE OR REPLACE TABLE topic_found (
    topic INTEGER, fiscal_year INTEGER, doc INTEGER, tf INTEGER, score DOUBLE,
    words VARCHAR);

-- The docs that hold every one of the question's topics (how many: topics).
CREATE OR REPLACE MACRO topic_keys(topics) AS TABLE
SELECT key
FROM (SELECT (fiscal_year::BIGINT << 32) | doc AS key, count(*) AS held
      FROM topic_found GROUP BY fiscal_year, doc)
WHERE held = topics;

-- The filter every question shape shares, over a range of fiscal years. Each filter is a
-- named parameter (bot/ask/filters.py binds each under the same name): NULL, its
-- default, means "no filter on this", so a query passes only the filters it applies
-- (matching_between(2019, 2020, grades := $grades::VARCHAR[])). topics is how many
-- topics (synonym groups) the question has, found in topic_found: every group must
-- match, any synonym in a group. Columns are qualified with e: a bare name is the
-- parameter.
CREATE OR REPLACE MACRO matching_between(
    first_year, last_year, municipality := NULL, grades := NULL, departments := NULL,
    shared := NULL, item_nos := NULL, goal := NULL, policy := NULL, measure := NULL,
    priority := NULL, categories := NULL, targets := NULL, topics := NULL, parts := NULL
) AS TABLE
SELECT e.*
FROM evaluations e
WHERE e.fiscal_year >= first_year AND e.fiscal_year <= last_year
  AND (municipality IS NULL OR e.municipality = municipality)
  AND (grades IS NULL OR list_contains(grades, e.grade))
  AND (departments IS NULL OR list_contains(departments, e.department))
  -- shared: items several departments evaluate in the year (共管); with departments, items
  -- every one of them evaluates ("地域支援課と高齢者支援課が一緒にやっている事業").
  -- Not a correlated EXISTS: DuckDB plans that as a join over every year's evaluations
  -- even when shared is NULL; this subquery folds to nothing unless shared is set.
  AND (shared IS NULL OR (e.fiscal_year, e.municipality, e.plan, e.item_no) IN (
        SELECT (s.fiscal_year, s.municipality, s.plan, s.item_no) FROM evaluations s
        WHERE shared IS NOT NULL
          AND s.fiscal_year >= first_year AND s.fiscal_year <= last_year
          AND (municipality IS NULL OR s.municipality = municipality)
        GROUP BY s.fiscal_year, s.municipality, s.plan, s.item_no
        HAVING count(DISTINCT s.department) >= 2
           AND (departments IS NULL
                OR count(DISTINCT s.department) FILTER (list_contains(departments, s.department))
                   = len(list_distinct(departments)))))
  AND (item_nos IS NULL OR list_contains(item_nos, e.item_no))
  AND (goal IS NULL OR e.goal_no = goal)
  AND (policy IS NULL OR e.policy_no = policy)
  AND (measure IS NULL OR e.measure_no = measure)
  AND (priority IS NULL OR e.priority = priority)
  -- Several parts of the plan, each [goal, policy, measure] with NULL for any: in one of them.
  AND (parts IS NULL OR list_bool_or(list_transform(parts, lambda p:
        coalesce(p[1] = e.goal_no, true) AND coalesce(p[2] = e.policy_no, true)
        AND coalesce(p[3] = e.measure_no, true))))
  AND (categories IS NULL OR list_contains(categories, e.category))
  AND (targets IS NULL OR list_has_any(targets, e.target_groups))
  AND (topics IS NULL OR ((e.fiscal_year::BIGINT << 32) | e.doc) IN (
        SELECT key FROM topic_keys(topics)));

-- The same filter in one fiscal year: what most questions ask.
CREATE OR REPLACE MACRO matching(
    fy, municipality := NULL, grades := NULL, departments := NULL, shared := NULL,
    item_nos := NULL, goal := NULL, policy := NULL, measure := NULL, priority := NULL,
    categories := NULL, targets := NULL, topics := NULL, parts := NULL
) AS TABLE
SELECT * FROM matching_between(
    fy, fy, municipality := municipality, grades := grades, departments := departments,
    shared := shared, item_nos := item_nos, goal := goal, policy := policy, measure := measure,
    priority := priority, categories := categories, targets := targets, topics := topics,
    parts := parts);
