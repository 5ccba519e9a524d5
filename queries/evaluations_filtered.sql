-- name: evaluations_filtered
-- Every evaluation (item × responsible department) of one fiscal year that matches the
-- question's filters, in item-number order: evaluations_matching for questions without
-- keywords, where there are no name hits to rank first. $row_limit is the runner's row
-- cap plus one (to tell a truncated answer).
-- One ordered pass instead of two tiers halves the planning, which is most of the cost
-- of a question on a city's warehouse (4.5 → 2 ms on the seed).
SELECT municipality, plan, item_no, item_name, item_summary, category, target_groups, relisted_from,
       goal_no, policy_no, measure_no, priority, department, sheet_department, fiscal_year, grade,
       plan_text, result_text, next_plan_text, source_file, source_sheet, source_line
FROM matching($fiscal_year, municipality := $municipality, grades := $grades::VARCHAR[],
              departments := $departments::VARCHAR[],
              shared := $shared::BOOLEAN, item_nos := $item_nos::INTEGER[],
              goal := $goal, parts := $parts::INTEGER[][], policy := $policy,
              measure := $measure, priority := $priority,
              categories := $categories::VARCHAR[], targets := $targets::VARCHAR[],
              topics := len($keywords::VARCHAR[][]))
ORDER BY municipality, item_no, department
LIMIT $row_limit;
