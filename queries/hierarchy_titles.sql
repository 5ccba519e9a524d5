-- name: hierarchy_titles
-- The titles of every goal (基本目標), basic policy (基本施策) and measure (施策), with
-- their numbers: a question may name a part of the plan by its title
-- (基本施策「ワーク・ライフ・バランスの普及・啓発」の事業) instead of its number.
SELECT DISTINCT goal_no, goal_title, policy_no, policy_title, measure_no, measure_title
FROM evaluations
ORDER BY goal_no, policy_no, measure_no;
