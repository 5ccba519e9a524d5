-- name: grade_counts_by_goal
-- Grade distribution per basic goal (基本目標) for one fiscal year, within the filters.
SELECT goal_no, any_value(goal_numeral) AS goal_numeral, any_value(goal_title) AS goal_title,
       count(DISTINCT (municipality, plan, item_no)) AS items,
       count(*) FILTER (WHERE grade = 'A') AS a,
       count(*) FILTER (WHERE grade = 'B') AS b,
       count(*) FILTER (WHERE grade = 'C') AS c,
       count(*) FILTER (WHERE grade = 'D') AS d
FROM matching($fiscal_year, municipality := $municipality, grades := $grades::VARCHAR[],
              departments := $departments::VARCHAR[],
              shared := $shared::BOOLEAN, item_nos := $item_nos::INTEGER[],
              goal := $goal, parts := $parts::INTEGER[][], policy := $policy, measure := $measure, priority := $priority,
              categories := $categories::VARCHAR[], targets := $targets::VARCHAR[],
              topics := len($keywords::VARCHAR[][]))
GROUP BY goal_no
ORDER BY goal_no;
