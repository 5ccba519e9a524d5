-- name: evaluation_grades
-- Every evaluation's grade, keyed by fiscal year, item and department, from one fiscal year
-- on, within a digest's scope (municipality, departments, goal): the compact fingerprint a
-- digest stores so that the next one can say what changed.
SELECT municipality, fiscal_year, item_no, department, grade, item_name
FROM evaluations
WHERE fiscal_year >= $from_year
  AND ($municipality IS NULL OR municipality = $municipality)
  AND ($departments::VARCHAR[] IS NULL OR list_contains($departments::VARCHAR[], department))
  AND ($goal IS NULL OR goal_no = $goal)
ORDER BY fiscal_year, item_no, department;
