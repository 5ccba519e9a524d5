-- name: departments
-- Every responsible department (主管課) and sheet (対象課) known, with its item count:
-- the vocabulary the question reader matches department names against.
SELECT department, count(DISTINCT (municipality, plan, item_no)) AS items, max(fiscal_year) AS latest_year
FROM (
    SELECT department, municipality, plan, item_no, fiscal_year FROM evaluations
    UNION ALL
    SELECT sheet_department, municipality, plan, item_no, fiscal_year FROM evaluations
)
GROUP BY department
ORDER BY department;
