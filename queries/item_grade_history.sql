-- name: item_grade_history
-- One or more items' grades in every fiscal year the warehouse holds (or from $from_year
-- to $to_year, either NULL for no bound), per department: the rows behind "how did
-- item 16 do over the years?". A plan's successor renumbers its items: the plan is part
-- of an item's identity, so two plans' item 16 are two histories.
SELECT municipality, plan, item_no, item_name, department, sheet_department, fiscal_year, grade,
       category, target_groups, relisted_from, goal_no, policy_no, measure_no, priority,
       item_summary, plan_text, result_text, next_plan_text,
       source_file, source_sheet, source_line
FROM evaluations
WHERE list_contains($item_nos::INTEGER[], item_no)
  AND ($municipality IS NULL OR municipality = $municipality)
  AND ($from_year IS NULL OR fiscal_year >= $from_year)
  AND ($to_year IS NULL OR fiscal_year <= $to_year)
-- Plans in the order they ran (names do not sort by age: 第五次 < 第四次); an item's
-- departments likewise, so a renamed one's years follow its predecessor's.
ORDER BY municipality, min(fiscal_year) OVER (PARTITION BY municipality, plan), plan, item_no,
         min(fiscal_year) OVER (PARTITION BY municipality, plan, item_no, department),
         department, fiscal_year;
