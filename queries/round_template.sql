-- name: round_template
-- Every evaluation (item × responsible department) of one plan's fiscal year, in the
-- report's order, with what an evaluation round needs to ask next year: the item's
-- hierarchy and wording, and the department's 次年度予定, which becomes the prefilled
-- plan of the year asked for.
SELECT e.item_no, e.item_name, e.item_summary, e.category, e.target_groups, e.relisted_from,
       e.goal_no, e.goal_numeral, e.goal_title, g.category_counts,
       e.policy_no, e.policy_title, e.measure_no, e.measure_title, e.priority,
       e.department, e.sheet_department, e.next_plan_text
FROM evaluations e
LEFT JOIN goals g
  ON g.municipality = e.municipality AND g.plan = e.plan
 AND g.fiscal_year = e.fiscal_year AND g.goal_no = e.goal_no
WHERE e.fiscal_year = $fiscal_year
  AND ($municipality IS NULL OR e.municipality = $municipality)
  AND ($plan IS NULL OR e.plan = $plan)
ORDER BY e.item_no, e.source_file, e.source_line
LIMIT $row_limit;
