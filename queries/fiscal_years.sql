-- name: fiscal_years
-- The fiscal years the warehouse holds, newest first, with their evaluation counts.
SELECT fiscal_year, count(*) AS evaluations, count(DISTINCT (municipality, plan, item_no)) AS items
FROM evaluations
WHERE $municipality IS NULL OR municipality = $municipality
GROUP BY fiscal_year
ORDER BY fiscal_year DESC;
