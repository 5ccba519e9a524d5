-- name: evaluation_grades
-- Every evaluation's grade from one fiscal year on, within a digest's scope (municipality,
-- departments, goal), keyed "fiscal_year|item_no|department|municipality|plan": the compact
-- fingerprint a digest stores so that the next one can say what changed. The key is built
-- here so that the fingerprint is one dict of two columns (Store.mapping), not a dict per
-- row: a national digest compares ~340,000 grades.
SELECT fiscal_year || '|' || item_no || '|' || department || '|' || municipality || '|' || plan
       AS key, grade
FROM evaluations
WHERE fiscal_year >= $from_year
  AND ($municipality IS NULL OR municipality = $municipality)
  AND ($departments::VARCHAR[] IS NULL OR list_contains($departments::VARCHAR[], department))
  AND ($goal IS NULL OR goal_no = $goal);
