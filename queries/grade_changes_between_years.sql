-- name: grade_changes_between_years
-- Evaluations whose grade differs between two fiscal years (same item and department),
-- within the filters applied to the later year. direction: 'up', 'down' or 'changed'.
-- grades (optional): only changes from or to one of them ("D評価の推移": into and out of D).
WITH later AS (
    SELECT * FROM matching($to_year, $municipality, NULL::VARCHAR[], $departments::VARCHAR[],
                           $item_nos::INTEGER[], $goal, $policy, $measure, $priority,
                           $categories::VARCHAR[], $targets::VARCHAR[], $keywords::VARCHAR[][])
), earlier AS (
    SELECT municipality, plan, item_no, department, grade
    FROM evaluations WHERE fiscal_year = $from_year
)
SELECT l.municipality, l.item_no, l.item_name, l.department, l.sheet_department,
       e.grade AS from_grade, l.grade AS to_grade, l.fiscal_year AS to_year, l.category, l.target_groups, l.relisted_from,
       l.goal_no, l.policy_no, l.measure_no, l.priority, l.item_summary,
       l.plan_text, l.result_text, l.next_plan_text,
       l.source_file, l.source_sheet, l.source_line
FROM later l
JOIN earlier e USING (municipality, plan, item_no, department)
WHERE e.grade <> l.grade
  AND ($grades IS NULL OR list_contains($grades::VARCHAR[], e.grade)
       OR list_contains($grades::VARCHAR[], l.grade))
  AND ($direction = 'changed'
       OR ($direction = 'up' AND l.grade < e.grade)
       OR ($direction = 'down' AND l.grade > e.grade))
ORDER BY l.municipality, l.item_no, l.department;
