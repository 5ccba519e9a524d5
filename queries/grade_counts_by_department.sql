-- name: grade_counts_by_department
-- Grade distribution per responsible department for one fiscal year, within the filters:
-- the table behind department summaries, digests and App Home.
SELECT department,
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
GROUP BY department
ORDER BY department;
