-- Views and macros every named query builds on. Loaded by the store when it opens a
-- warehouse snapshot; {snapshot} is the snapshot directory, quoted by the store (never
-- user text).

CREATE OR REPLACE VIEW evaluations AS
SELECT * FROM read_parquet('{snapshot}/evaluations/*/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW goals AS
SELECT * FROM read_parquet('{snapshot}/goals.parquet');

CREATE OR REPLACE VIEW reports AS
SELECT * FROM read_parquet('{snapshot}/reports.parquet');

-- The filter every question shape shares, over a range of fiscal years. A NULL argument
-- means "no filter on this". keywords is a list of synonym groups: every group must
-- match, any synonym in a group.
CREATE OR REPLACE MACRO matching_between(
    first_year, last_year, municipality_, grades, departments, item_nos, goal, policy,
    measure, priority_, categories, targets, keywords
) AS TABLE
SELECT *
FROM evaluations
WHERE fiscal_year >= first_year AND fiscal_year <= last_year
  AND (municipality_ IS NULL OR municipality = municipality_)
  AND (grades IS NULL OR list_contains(grades, grade))
  AND (departments IS NULL OR list_contains(departments, department))
  AND (item_nos IS NULL OR list_contains(item_nos, item_no))
  AND (goal IS NULL OR goal_no = goal)
  AND (policy IS NULL OR policy_no = policy)
  AND (measure IS NULL OR measure_no = measure)
  AND (priority_ IS NULL OR priority = priority_)
  AND (categories IS NULL OR list_contains(categories, category))
  AND (targets IS NULL OR list_has_any(targets, target_groups))
  AND (keywords IS NULL OR list_bool_and(list_transform(
        keywords, lambda grp: len(list_filter(grp, lambda w: contains(search_text, w))) > 0)));

-- The same filter in one fiscal year: what most questions ask.
CREATE OR REPLACE MACRO matching(
    fy, municipality_, grades, departments, item_nos, goal, policy, measure, priority_,
    categories, targets, keywords
) AS TABLE
SELECT * FROM matching_between(fy, fy, municipality_, grades, departments, item_nos, goal,
                               policy, measure, priority_, categories, targets, keywords);

-- How strongly a row matches the keywords: name hits rank first.
CREATE OR REPLACE MACRO name_hits(keywords, key) AS
    CASE WHEN keywords IS NULL THEN 0
         ELSE len(list_filter(keywords, lambda grp:
                  len(list_filter(grp, lambda w: contains(key, w))) > 0)) END;
