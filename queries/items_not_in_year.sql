-- name: items_not_in_year
-- Evaluations of one fiscal year, within the question's filters, whose item (municipality,
-- plan, item number) the other year's report does not hold: with the later year, items
-- added since the earlier one ("新しく加わった事業"); with the earlier year, items the
-- later report dropped ("なくなった事業"). Only municipalities that reported the other
-- year count: a city that has not reported yet dropped nothing.
SELECT municipality, plan, item_no, item_name, item_summary, category, target_groups, relisted_from,
       goal_no, policy_no, measure_no, priority, department, sheet_department, fiscal_year, grade,
       plan_text, result_text, next_plan_text, source_file, source_sheet, source_line
FROM matching($fiscal_year, municipality := $municipality, grades := $grades::VARCHAR[],
              departments := $departments::VARCHAR[],
              shared := $shared::BOOLEAN, item_nos := $item_nos::INTEGER[],
              goal := $goal, parts := $parts::INTEGER[][], policy := $policy,
              measure := $measure, priority := $priority,
              categories := $categories::VARCHAR[], targets := $targets::VARCHAR[],
              topics := len($keywords::VARCHAR[][])) m
WHERE (municipality, plan) IN (
        SELECT (municipality, plan) FROM evaluations WHERE fiscal_year = $other_year)
  AND (municipality, plan, item_no) NOT IN (
        SELECT (municipality, plan, item_no) FROM evaluations WHERE fiscal_year = $other_year)
ORDER BY municipality, item_no, department
LIMIT $row_limit;
