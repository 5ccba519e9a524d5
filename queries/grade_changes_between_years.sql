-- name: grade_changes_between_years
-- Evaluations compared between two fiscal years, within the filters applied to the later
-- year. An item's history follows its number, not its department's name: where the same
-- department grades the item in both years they are compared, and where the item moved
-- (a department renamed, split or merged) the later evaluation is compared with the
-- earlier one of the department that no longer grades it.
-- direction: 'up', 'down', 'changed' (any change), 'same' (the same grade in both years:
-- "2年連続でA評価") or 'any' (both: "D評価だった事業は今年どうなった？").
-- grades (optional): only those from or to one of them ("D評価の推移": into and out of D).
-- from_grades / to_grades (optional): the earlier / the later year's grade ("B→A").
-- $row_limit is the runner's row cap plus one: the changes are found on the filter columns
-- alone, and only the rows returned are read whole.
WITH later AS (
    -- The filter columns alone: the texts of the rows listed are read at the end.
    SELECT municipality, plan, item_no, department, grade, doc FROM matching($to_year, municipality := $municipality,
                           departments := $departments::VARCHAR[], shared := $shared::BOOLEAN,
                           item_nos := $item_nos::INTEGER[], goal := $goal, parts := $parts::INTEGER[][],
                           policy := $policy, measure := $measure, priority := $priority,
                           categories := $categories::VARCHAR[],
                           targets := $targets::VARCHAR[],
                           topics := len($keywords::VARCHAR[][]))
), later_departments AS (
    -- Every department grading the item in the later year, whatever the filters keep.
    SELECT municipality, plan, item_no, list(department) AS departments
    FROM evaluations
    WHERE fiscal_year = $to_year
      AND ($municipality IS NULL OR municipality = $municipality)
      AND (municipality, plan, item_no) IN (SELECT (municipality, plan, item_no) FROM later)
    GROUP BY municipality, plan, item_no
), earlier AS (
    SELECT municipality, plan, item_no, department, grade
    FROM evaluations
    WHERE fiscal_year = $from_year
      AND ($municipality IS NULL OR municipality = $municipality)
), earlier_departments AS (
    -- (A grouped list, not a window: DuckDB 2.0's list() over a window of a filtered
    -- scan saw other years' rows.)
    SELECT municipality, plan, item_no, list(department) AS departments
    FROM earlier
    GROUP BY municipality, plan, item_no
), changed AS (
    SELECT l.doc, l.municipality, l.item_no, l.department,
           e.department AS from_department, e.grade AS from_grade
    FROM later l
    JOIN earlier e USING (municipality, plan, item_no)
    JOIN earlier_departments ed USING (municipality, plan, item_no)
    JOIN later_departments d USING (municipality, plan, item_no)
    WHERE (e.department = l.department
           OR (NOT list_contains(ed.departments, l.department)
               AND NOT list_contains(d.departments, e.department)))
      AND ($direction = 'any' OR ($direction = 'same') = (e.grade = l.grade))
      AND ($from_grades IS NULL OR list_contains($from_grades::VARCHAR[], e.grade))
      AND ($to_grades IS NULL OR list_contains($to_grades::VARCHAR[], l.grade))
      AND ($grades IS NULL OR list_contains($grades::VARCHAR[], e.grade)
           OR list_contains($grades::VARCHAR[], l.grade))
      AND ($direction IN ('changed', 'same', 'any')
           OR ($direction = 'up' AND l.grade < e.grade)
           OR ($direction = 'down' AND l.grade > e.grade))
    -- Only the rows the runner returns ($row_limit: its cap plus one) are read whole.
    ORDER BY l.municipality, l.item_no, l.department, l.doc, e.department
    LIMIT $row_limit
)
SELECT l.municipality, l.plan, l.item_no, l.item_name, l.department, l.sheet_department,
       c.from_department, c.from_grade, l.grade AS to_grade, l.fiscal_year AS to_year,
       l.category, l.target_groups, l.relisted_from,
       l.goal_no, l.policy_no, l.measure_no, l.priority, l.item_summary,
       l.plan_text, l.result_text, l.next_plan_text,
       l.source_file, l.source_sheet, l.source_line
FROM changed c
JOIN evaluations l ON l.fiscal_year = $to_year AND l.doc = c.doc
-- Again, so that a city's question reads only its row groups for the rows listed.
WHERE $municipality IS NULL OR l.municipality = $municipality
ORDER BY c.municipality, c.item_no, c.department, c.doc, c.from_department;
