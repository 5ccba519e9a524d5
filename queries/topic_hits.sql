-- name: topic_hits
-- For each topic word of a question (a group of synonyms, numbered from 1), how many
-- distinct items that the question's other filters select mention it, and as topic 0
-- how many mention every one. Topic words rank and never empty an answer alone: a word
-- no selected item mentions is named in the answer and set aside.
WITH hit AS (
    SELECT t.topic, m.municipality, m.plan, m.item_no, m.doc
    FROM matching($fiscal_year, municipality := $municipality,
                  grades := $grades::VARCHAR[], departments := $departments::VARCHAR[],
                  shared := $shared::BOOLEAN,
                  item_nos := $item_nos::INTEGER[], goal := $goal, parts := $parts::INTEGER[][], policy := $policy,
                  measure := $measure, priority := $priority,
                  categories := $categories::VARCHAR[], targets := $targets::VARCHAR[]) AS m
    JOIN (SELECT topic, fiscal_year, doc FROM topic_found WHERE fiscal_year = $fiscal_year) AS t
      USING (fiscal_year, doc)
), every AS (
    SELECT municipality, plan, item_no FROM hit
    GROUP BY municipality, plan, item_no, doc
    HAVING count(*) = len($keywords::VARCHAR[][])
)
SELECT topic, count(DISTINCT (municipality, plan, item_no)) AS items FROM hit GROUP BY topic
UNION ALL
SELECT 0 AS topic, count(DISTINCT (municipality, plan, item_no)) AS items FROM every
ORDER BY topic;
