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

-- A search key's terms as the index holds them: its bigrams of term characters
-- (bot/ingest/term_index.py's TERM_CHARS and term_code).
CREATE OR REPLACE MACRO is_term(bigram) AS
    regexp_full_match(bigram, '[0-9a-z々-〇ぁ-ゟァ-ヿ㐀-䶿一-鿿豈-﫿]{2}');

CREATE OR REPLACE MACRO word_terms(word) AS list_distinct(list_transform(
    list_filter(range(1, length(word)), lambda i: is_term(substr(word, i, 2))),
    lambda i: (unicode(substr(word, i, 1))::BIGINT << 21) | unicode(substr(word, i + 1, 1))));

-- The term index (views term_postings and term_docs): _term_index.sql, or
-- _term_index_missing.sql for a snapshot written before there was one.
{term_index}

-- For each topic (a group of synonyms, numbered from 1): the docs of the years asked that
-- hold one of its words, how often (a word's least frequent term stands for it) and which
-- words, within one municipality's documents when one is given. A doc holds a word when
-- it has every one of the word's terms; a word of one character has none and is looked
-- for in the texts instead. The titles
-- of a goal, policy or measure stand for the items under them only in a plan none of
-- whose items speaks of the topic itself: "ワークライフバランス" is the one item about it,
-- not everything under a policy of that name, while a word only a title uses still finds
-- the items under it.
CREATE OR REPLACE MACRO topic_docs(keywords, first_year, last_year, municipality_) AS TABLE
WITH words AS (
    SELECT topic, word, word_terms(word) AS terms
    FROM (SELECT topic, unnest(grp) AS word
          FROM (SELECT unnest(keywords) AS grp, generate_subscripts(keywords, 1) AS topic))
), wanted AS (
    SELECT topic, word, len(terms) AS n, unnest(terms) AS term FROM words WHERE len(terms) > 0
), docs AS MATERIALIZED (
    SELECT * FROM term_docs
    WHERE fiscal_year >= first_year AND fiscal_year <= last_year
      AND (municipality_ IS NULL OR municipality = municipality_)
), span AS (
    -- A municipality's rows are consecutive in its year's file (sorted by municipality).
    SELECT fiscal_year, min(doc) AS lo, max(doc) AS hi FROM docs GROUP BY fiscal_year
), candidates AS MATERIALIZED (
    SELECT w.topic, w.word, p.fiscal_year, p.field, p.doc, min(p.tf) AS tf
    FROM term_postings p
    JOIN wanted w ON p.term = w.term
    JOIN span s ON p.fiscal_year = s.fiscal_year AND p.doc >= s.lo AND p.doc <= s.hi
    GROUP BY w.topic, w.word, p.fiscal_year, p.field, p.doc
    HAVING count(*) = any_value(w.n)
), indexed AS (
    -- Bigrams say nothing of order: a word of three characters or more is checked
    -- against the texts of the docs that have all its bigrams (障害者 is not
    -- 障害のある被害者). A title is short and stands only in for the item's own words.
    SELECT * FROM candidates WHERE length(word) <= 2 OR field = 1
    UNION ALL
    SELECT c.*
    FROM (SELECT * FROM candidates WHERE length(word) > 2 AND field = 0) c
    SEMI JOIN (SELECT fiscal_year, doc, search_text FROM evaluations
               WHERE fiscal_year >= first_year AND fiscal_year <= last_year
                 AND (municipality_ IS NULL OR municipality = municipality_)) e
      ON e.fiscal_year = c.fiscal_year AND e.doc = c.doc AND contains(e.search_text, c.word)
), scanned AS (
    SELECT w.topic, w.word, e.fiscal_year, 0 AS field, e.doc, 1 AS tf
    FROM evaluations e JOIN (SELECT * FROM words WHERE len(terms) = 0) w
      ON contains(e.search_text, w.word)
    WHERE e.fiscal_year >= first_year AND e.fiscal_year <= last_year
      AND (municipality_ IS NULL OR e.municipality = municipality_)
), held AS (
    SELECT h.topic, h.fiscal_year, h.doc, d.municipality, d.plan, d.length,
           max(h.tf) FILTER (WHERE h.field = 0) AS own_tf,
           max(h.tf) FILTER (WHERE h.field = 1) AS title_tf,
           list(DISTINCT h.word) FILTER (WHERE h.field = 0) AS own_words,
           list(DISTINCT h.word) FILTER (WHERE h.field = 1) AS title_words
    FROM (SELECT * FROM indexed UNION ALL SELECT * FROM scanned) h
    JOIN docs d USING (fiscal_year, doc)
    GROUP BY h.topic, h.fiscal_year, h.doc, d.municipality, d.plan, d.length
)
SELECT topic, fiscal_year, doc, coalesce(own_tf, title_tf) AS tf,
       CASE WHEN own_tf IS NULL THEN title_words ELSE own_words END AS words, length
FROM held
QUALIFY own_tf IS NOT NULL
     OR NOT bool_or(own_tf IS NOT NULL) OVER (PARTITION BY topic, fiscal_year, municipality, plan);

-- The docs that hold every topic: one key per (fiscal year, doc).
CREATE OR REPLACE MACRO topic_keys(keywords, first_year, last_year, municipality_) AS TABLE
SELECT (fiscal_year::BIGINT << 32) | doc AS key
FROM topic_docs(keywords, first_year, last_year, municipality_)
GROUP BY fiscal_year, doc
HAVING count(*) = len(keywords);

-- The filter every question shape shares, over a range of fiscal years. Each filter is a
-- named parameter (bot/ask/filters.py binds each under the same name): NULL, its
-- default, means "no filter on this", so a query passes only the filters it applies
-- (matching_between(2019, 2020, grades := $grades::VARCHAR[])). keywords is a list of
-- synonym groups: every group must match, any synonym in a group (looked up in the term
-- index). Columns are qualified with e: a bare name is the parameter.
CREATE OR REPLACE MACRO matching_between(
    first_year, last_year, municipality := NULL, grades := NULL, departments := NULL,
    item_nos := NULL, goal := NULL, policy := NULL, measure := NULL, priority := NULL,
    categories := NULL, targets := NULL, keywords := NULL
) AS TABLE
SELECT e.*
FROM evaluations e
WHERE e.fiscal_year >= first_year AND e.fiscal_year <= last_year
  AND (municipality IS NULL OR e.municipality = municipality)
  AND (grades IS NULL OR list_contains(grades, e.grade))
  AND (departments IS NULL OR list_contains(departments, e.department))
  AND (item_nos IS NULL OR list_contains(item_nos, e.item_no))
  AND (goal IS NULL OR e.goal_no = goal)
  AND (policy IS NULL OR e.policy_no = policy)
  AND (measure IS NULL OR e.measure_no = measure)
  AND (priority IS NULL OR e.priority = priority)
  AND (categories IS NULL OR list_contains(categories, e.category))
  AND (targets IS NULL OR list_has_any(targets, e.target_groups))
  AND (keywords IS NULL OR ((e.fiscal_year::BIGINT << 32) | e.doc) IN (
        SELECT key FROM topic_keys(keywords, first_year, last_year, municipality)));

-- The same filter in one fiscal year: what most questions ask.
CREATE OR REPLACE MACRO matching(
    fy, municipality := NULL, grades := NULL, departments := NULL, item_nos := NULL,
    goal := NULL, policy := NULL, measure := NULL, priority := NULL, categories := NULL,
    targets := NULL, keywords := NULL
) AS TABLE
SELECT * FROM matching_between(
    fy, fy, municipality := municipality, grades := grades, departments := departments,
    item_nos := item_nos, goal := goal, policy := policy, measure := measure,
    priority := priority, categories := categories, targets := targets, keywords := keywords);
