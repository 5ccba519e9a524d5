-- name: grade_counts_by_goal
-- Grade distribution per basic goal (基本目標) for one fiscal year, within the filters.
SELECT goal_no, any_value(goal_numeral) AS goal_numeral, any_value(goal_title) AS goal_title,
       count(DISTINCT (municipality, plan, item_no)) AS items,
       count(*) FILTER (WHERE grade = 'A') AS a,
       count(*) FILTER (WHERE grade = 'B') AS b,
       count(*) FILTER (WHERE grade = 'C') AS c,
       count(*) FILTER (WHERE grade = 'D') AS d
FROM matching($fiscal_year, $municipality, $grades::VARCHAR[], $departments::VARCHAR[],
              $item_nos::INTEGER[], $goal, $policy, $measure, $priority,
              $categories::VARCHAR[], $targets::VARCHAR[], $keywords::VARCHAR[][])
GROUP BY goal_no
ORDER BY goal_no;
