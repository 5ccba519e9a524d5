-- name: municipalities
-- Every municipality the warehouse holds, with its item count and latest fiscal year: the
-- names a question may pick one city by ("三鷹市のD評価") in a warehouse of several.
SELECT municipality, count(DISTINCT (plan, item_no)) AS items, max(fiscal_year) AS latest_year
FROM evaluations
GROUP BY municipality
ORDER BY municipality;
