-- name: items_graded_over_years
-- Items whose grades over several fiscal years meet a condition, with every one of those
-- years' evaluations (within the question's filters): $over 'every' — one of $grades in
-- each of $years ("3年連続でA", "C or D in both FY2020 and FY2021"); 'any' — in at least
-- one of them ("ever graded D", "一度でもD評価"); 'same' — reported every one of those
-- years with one unchanged grade ("3年連続で同じ評価"). An item is its number in its plan:
-- a department renamed meanwhile does not break its run.
WITH graded AS (
    SELECT *
    FROM matching_between($from_year, $to_year, municipality := $municipality,
                          departments := $departments::VARCHAR[], shared := $shared::BOOLEAN,
                          item_nos := $item_nos::INTEGER[], goal := $goal, parts := $parts::INTEGER[][],
                          policy := $policy, measure := $measure, priority := $priority,
                          categories := $categories::VARCHAR[],
                          targets := $targets::VARCHAR[], topics := len($keywords::VARCHAR[][]))
    WHERE list_contains($years::INTEGER[], fiscal_year)
), per_item AS (
    SELECT municipality, plan, item_no,
           count(DISTINCT fiscal_year) FILTER (
               WHERE $grades::VARCHAR[] IS NULL OR list_contains($grades::VARCHAR[], grade)
           ) AS years_in_grades,
           count(DISTINCT fiscal_year) AS years_reported,
           count(DISTINCT grade) AS grades_given
    FROM graded
    GROUP BY municipality, plan, item_no
    HAVING CASE $over
        WHEN 'every' THEN years_in_grades = len($years::INTEGER[])
        WHEN 'same' THEN years_reported = len($years::INTEGER[]) AND grades_given = 1
                         AND years_in_grades = len($years::INTEGER[])
        ELSE years_in_grades > 0 END
)
SELECT g.municipality, g.plan, g.item_no, g.item_name, g.item_summary, g.category,
       g.target_groups, g.relisted_from, g.goal_no, g.policy_no, g.measure_no, g.priority,
       g.department, g.sheet_department, g.fiscal_year, g.grade, g.plan_text, g.result_text,
       g.next_plan_text, g.source_file, g.source_sheet, g.source_line
FROM graded g
SEMI JOIN per_item p ON p.municipality = g.municipality AND p.plan = g.plan
                    AND p.item_no = g.item_no
ORDER BY g.municipality, g.item_no, g.fiscal_year, g.department
LIMIT $row_limit;
