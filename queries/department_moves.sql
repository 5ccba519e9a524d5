-- name: department_moves
-- Departments reorganised between one fiscal year and the next one a municipality's plan
-- reported: items graded in the later year by a department that did not exist the year
-- before, and in the earlier year by one that no longer exists. One row per (former,
-- new) department with the number of items that moved; kind says whether the former
-- department's items went one way (rename), several ways (split), or several former
-- departments' items went to one (merge). Run at ingest for the municipalities it
-- touched ($municipalities NULL: all of them).
WITH graded AS (
    SELECT DISTINCT municipality, plan, fiscal_year, item_no, department
    FROM evaluations
    WHERE $municipalities::VARCHAR[] IS NULL
       OR list_contains($municipalities::VARCHAR[], municipality)
), departments AS (
    SELECT DISTINCT municipality, plan, fiscal_year, department FROM graded
), years AS (
    SELECT DISTINCT municipality, plan, fiscal_year FROM graded
), pairs AS (
    SELECT a.municipality, a.plan, max(b.fiscal_year) AS from_year, a.fiscal_year AS to_year
    FROM years a
    JOIN years b ON b.municipality = a.municipality AND b.plan = a.plan
                AND b.fiscal_year < a.fiscal_year
    GROUP BY a.municipality, a.plan, a.fiscal_year
), moved AS (
    SELECT p.municipality, p.plan, p.to_year AS fiscal_year,
           e.department AS from_department, l.department AS to_department,
           count(DISTINCT l.item_no) AS items
    FROM pairs p
    JOIN graded e ON e.municipality = p.municipality AND e.plan = p.plan
                 AND e.fiscal_year = p.from_year
    JOIN graded l ON l.municipality = p.municipality AND l.plan = p.plan
                 AND l.fiscal_year = p.to_year AND l.item_no = e.item_no
    -- the former department is gone in the later year, the new one absent the year before
    ANTI JOIN departments gone ON gone.municipality = p.municipality AND gone.plan = p.plan
                 AND gone.fiscal_year = p.to_year AND gone.department = e.department
    ANTI JOIN departments new ON new.municipality = p.municipality AND new.plan = p.plan
                 AND new.fiscal_year = p.from_year AND new.department = l.department
    GROUP BY ALL
)
SELECT municipality, plan, fiscal_year, from_department, to_department, items,
       CASE WHEN count(*) OVER (PARTITION BY municipality, plan, fiscal_year, from_department) > 1
                 THEN 'split'
            WHEN count(*) OVER (PARTITION BY municipality, plan, fiscal_year, to_department) > 1
                 THEN 'merge'
            ELSE 'rename' END AS kind
FROM moved
ORDER BY municipality, plan, fiscal_year, from_department, to_department;
