-- name: evaluations_matching
-- Every evaluation (item × responsible department) of one fiscal year that matches the
-- question's filters and topic words, best first: ranked by BM25 over the term index
-- (an item's name counts three times, its goal, policy and measure titles and its texts
-- once), ties in item-number order. matched_words: the words of the question each row
-- holds (without topic words: every row, in item-number order). A row scoring under a quarter of the best selected row's score is a weak tail
-- (a passing mention in one long text where others are about the topic) and is left
-- out. $row_limit is the runner's row cap plus one (to tell a truncated answer).
-- Scores use the year's documents in the asked municipality (all of them when none is
-- pinned): how rare a word is there, how long each document is against the average
-- (bot/store/topic_search.py computes them with the lookup).
WITH scored AS (
    -- Each topic's BM25 score (k1 = 1.2, b = 0.75), summed over the topics a doc holds
    -- every one of.
    SELECT doc, sum(score) AS score,
           list_sort(list_distinct(flatten(list(string_split(words, chr(31)))))) AS matched_words
    FROM topic_found
    WHERE fiscal_year = $fiscal_year
    GROUP BY doc
    HAVING count(*) = len($keywords::VARCHAR[][])
), ranked AS (
    -- The rows to list, found on the filter columns alone; their texts are read after.
    SELECT m.doc, m.municipality, m.item_no, m.department, s.score, s.matched_words
    FROM matching($fiscal_year, municipality := $municipality, grades := $grades::VARCHAR[],
                  departments := $departments::VARCHAR[],
                  shared := $shared::BOOLEAN, item_nos := $item_nos::INTEGER[],
                  goal := $goal, parts := $parts::INTEGER[][], policy := $policy, measure := $measure,
                  priority := $priority, categories := $categories::VARCHAR[],
                  targets := $targets::VARCHAR[]) AS m
    LEFT JOIN scored s USING (doc)
    WHERE $keywords IS NULL OR s.doc IS NOT NULL
    QUALIFY $keywords IS NULL OR s.score >= 0.25 * max(s.score) OVER ()
    ORDER BY s.score DESC NULLS LAST, m.municipality, m.item_no, m.department
    LIMIT $row_limit
)
SELECT e.municipality, e.plan, e.item_no, e.item_name, e.item_summary, e.category,
       e.target_groups, e.relisted_from, e.goal_no, e.policy_no, e.measure_no, e.priority,
       e.department, e.sheet_department, e.fiscal_year, e.grade, e.plan_text, e.result_text,
       e.next_plan_text, e.source_file, e.source_sheet, e.source_line,
       r.score, r.matched_words
FROM ranked r
JOIN evaluations e ON e.fiscal_year = $fiscal_year AND e.doc = r.doc
ORDER BY r.score DESC NULLS LAST, r.municipality, r.item_no, r.department;
