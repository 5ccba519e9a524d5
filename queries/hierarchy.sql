-- name: hierarchy
-- The plan's goals, basic policies and measures as the latest report states them, with
-- item counts: used for help text and for reading "基本目標Ⅲ" or "goal 3".
SELECT goal_no, any_value(goal_numeral) AS goal_numeral, any_value(goal_title) AS goal_title,
       policy_no, any_value(policy_title) AS policy_title,
       measure_no, any_value(measure_title) AS measure_title, bool_or(priority) AS priority,
       count(DISTINCT (municipality, plan, item_no)) AS items
FROM evaluations
WHERE fiscal_year = $fiscal_year
GROUP BY goal_no, policy_no, measure_no
ORDER BY goal_no, policy_no, measure_no;
