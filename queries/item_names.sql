-- name: item_names
-- Each plan item's name from one fiscal year on, within a digest's scope, keyed
-- "municipality|plan|item_no" (item numbers repeat across municipalities and restart with
-- a new plan); the latest year's name where an item was renamed. What a digest's change
-- lines call the items.
SELECT municipality || '|' || plan || '|' || item_no AS key,
       arg_max(item_name, fiscal_year) AS item_name
FROM evaluations
WHERE fiscal_year >= $from_year
  AND ($municipality IS NULL OR municipality = $municipality)
  AND ($departments::VARCHAR[] IS NULL OR list_contains($departments::VARCHAR[], department))
  AND ($goal IS NULL OR goal_no = $goal)
GROUP BY municipality, plan, item_no;
