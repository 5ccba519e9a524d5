-- name: evaluations_matching
-- Every evaluation (item × responsible department) of one fiscal year that matches the
-- question's filters: items whose name contains a keyword first, then the rest, each in
-- item-number order. $row_limit is the runner's row cap plus one (to tell a truncated
-- answer).
-- Two tiers, each read in the files' own order, let DuckDB stop early; ranking every
-- matching row by a computed score cost 2-3x as much at national scale.
SELECT municipality, plan, item_no, item_name, item_summary, category, target_groups, relisted_from,
       goal_no, policy_no, measure_no, priority, department, sheet_department, fiscal_year, grade,
       plan_text, result_text, next_plan_text, source_file, source_sheet, source_line
FROM (
    (SELECT *, 0 AS name_rank
     FROM matching($fiscal_year, $municipality, $grades::VARCHAR[], $departments::VARCHAR[],
                   $item_nos::INTEGER[], $goal, $policy, $measure, $priority,
                   $categories::VARCHAR[], $targets::VARCHAR[], $keywords::VARCHAR[][])
     WHERE name_hits($keywords::VARCHAR[][], name_key) > 0
     ORDER BY municipality, item_no, department
     LIMIT $row_limit)
    UNION ALL
    (SELECT *, 1 AS name_rank
     FROM matching($fiscal_year, $municipality, $grades::VARCHAR[], $departments::VARCHAR[],
                   $item_nos::INTEGER[], $goal, $policy, $measure, $priority,
                   $categories::VARCHAR[], $targets::VARCHAR[], $keywords::VARCHAR[][])
     WHERE name_hits($keywords::VARCHAR[][], name_key) = 0
     ORDER BY municipality, item_no, department
     LIMIT $row_limit)
)
ORDER BY name_rank, municipality, item_no, department
LIMIT $row_limit;
