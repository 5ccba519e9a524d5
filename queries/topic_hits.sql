-- name: topic_hits
-- For each topic word of a question (a group of synonyms, numbered from 1), how many
-- distinct items that the question's other filters select mention it. Topic words rank
-- and never empty an answer alone: a word no selected item mentions is named in the
-- answer and set aside.
WITH topics AS (
    SELECT unnest($keywords::VARCHAR[][]) AS grp,
           generate_subscripts($keywords::VARCHAR[][], 1) AS topic
)
SELECT topic, count(DISTINCT (m.municipality, m.plan, m.item_no)) AS items
FROM matching($fiscal_year, $municipality, $grades::VARCHAR[], $departments::VARCHAR[],
              $item_nos::INTEGER[], $goal, $policy, $measure, $priority,
              $categories::VARCHAR[], $targets::VARCHAR[], NULL::VARCHAR[][]) AS m,
     topics
WHERE len(list_filter(topics.grp, lambda w: contains(m.search_text, w))) > 0
GROUP BY topic
ORDER BY topic;
