-- name: grade_changes_between_years
-- Evaluations compared between two fiscal years (same item and department), within the
-- filters applied to the later year. direction: 'up', 'down', 'changed' (any change),
-- 'same' (the same grade in both years: "2年連続でA評価") or 'any' (both: "D評価だった事業は
-- 今年どうなった？").
-- grades (optional): only those from or to one of them ("D評価の推移": into and out of D).
-- from_grades / to_grades (optional): the earlier / the later year's grade ("B→A").
WITH later AS (
    SELECT * FROM matching($to_year, $municipality, NULL::VARCHAR[], $departments::VARCHAR[],
                           $item_nos::INTEGER[], $goal, $policy, $measure, $priority,
                           $categories::VARCHAR[], $targets::VARCHAR[], $keywords::VARCHAR[][])
), earlier AS (
    SELECT municipality, plan, item_no, department, grade
    FROM evaluations WHERE fiscal_year = $from_year
)
SELECT l.municipality, l.plan, l.item_no, l.item_name, l.department, l.sheet_department,
       e.grade AS from_grade, l.grade AS to_grade, l.fiscal_year AS to_year, l.category, l.target_groups, l.relisted_from,
       l.goal_no, l.policy_no, l.measure_no, l.priority, l.item_summary,
       l.plan_text, l.result_text, l.next_plan_text,
       l.source_file, l.source_sheet, l.source_line
FROM later l
JOIN earlier e USING (municipality, plan, item_no, department)
WHERE ($direction = 'any' OR ($direction = 'same') = (e.grade = l.grade))
  AND ($from_grades IS NULL OR list_contains($from_grades::VARCHAR[], e.grade))
  AND ($to_grades IS NULL OR list_contains($to_grades::VARCHAR[], l.grade))
  AND ($grades IS NULL OR list_contains($grades::VARCHAR[], e.grade)
       OR list_contains($grades::VARCHAR[], l.grade))
  AND ($direction IN ('changed', 'same', 'any')
       OR ($direction = 'up' AND l.grade < e.grade)
       OR ($direction = 'down' AND l.grade > e.grade))
ORDER BY l.municipality, l.item_no, l.department;
