-- name: plans
-- Every plan the warehouse holds, by municipality: a plan's own name in a question
-- ("推進計画の進捗について") says which plan, never a topic to search items for.
SELECT DISTINCT municipality, plan
FROM reports
ORDER BY municipality, plan;
