-- name: evaluations_matching
-- Every evaluation (item × responsible department) of one fiscal year that matches the
-- question's filters, ranked by keyword hits in the item name, then by item number.
-- $row_limit is the runner's row cap plus one (to tell a truncated answer).
SELECT municipality, item_no, item_name, item_summary, category, target_groups, relisted_from,
       goal_no, goal_numeral, goal_title, policy_no, policy_title, measure_no, measure_title,
       priority, department, sheet_department, fiscal_year, grade,
       plan_text, result_text, next_plan_text, source_file, source_sheet, source_line
FROM matching($fiscal_year, $municipality, $grades::VARCHAR[], $departments::VARCHAR[],
              $item_nos::INTEGER[], $goal, $policy, $measure, $priority,
              $categories::VARCHAR[], $targets::VARCHAR[], $keywords::VARCHAR[][])
ORDER BY name_hits($keywords::VARCHAR[][], name_key) DESC, municipality, item_no, department
LIMIT $row_limit;
