-- name: grade_counts_by_part
-- Grade distribution per part of the plan for one fiscal year, within the filters: per
-- basic goal ($depth 1), basic policy (2) or measure (3), with the part's title. Ranks the
-- parts a question asks which of ("評価が一番よい基本目標は？", "基本施策ごとに一番遅れて
-- いるのは？").
SELECT goal_no,
       CASE WHEN $depth >= 2 THEN policy_no END AS policy_no,
       CASE WHEN $depth >= 3 THEN measure_no END AS measure_no,
       any_value(CASE WHEN $depth >= 3 THEN measure_title
                      WHEN $depth = 2 THEN policy_title
                      ELSE goal_title END) AS title,
       count(DISTINCT (municipality, plan, item_no)) AS items,
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
              topics := len($keywords::VARCHAR[][]))
GROUP BY ALL
ORDER BY goal_no, policy_no, measure_no;
