-- name: round_sources
-- The reports an evaluation round can start from: per municipality and plan, the latest
-- fiscal year up to $fiscal_year (the year before the round's), with the report's title.
-- A round's items and prefilled plans come from that year.
SELECT municipality, plan, max(fiscal_year) AS fiscal_year, arg_max(title, fiscal_year) AS title
FROM reports
WHERE fiscal_year <= $fiscal_year
  AND ($municipality IS NULL OR municipality = $municipality)
GROUP BY municipality, plan
ORDER BY municipality, plan;
