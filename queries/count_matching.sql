-- name: count_matching
-- How many distinct items and evaluations match the filters in one fiscal year, with the
-- grade distribution of the matching evaluations.
SELECT count(DISTINCT (municipality, plan, item_no)) AS items,
       count(*) AS evaluations,
       count(*) FILTER (WHERE grade = 'A') AS a,
       count(*) FILTER (WHERE grade = 'B') AS b,
       count(*) FILTER (WHERE grade = 'C') AS c,
       count(*) FILTER (WHERE grade = 'D') AS d
FROM matching($fiscal_year, municipality := $municipality, grades := $grades::VARCHAR[],
              departments := $departments::VARCHAR[],
              shared := $shared::BOOLEAN, item_nos := $item_nos::INTEGER[],
              goal := $goal, parts := $parts::INTEGER[][], policy := $policy,
              measure := $measure, priority := $priority,
              categories := $categories::VARCHAR[], targets := $targets::VARCHAR[],
              topics := len($keywords::VARCHAR[][]));
