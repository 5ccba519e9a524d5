-- name: year_docs
-- Each evaluation of one fiscal year in doc order (its row in the year's file, as the term
-- index numbers them): its item number and grade (0–3 for A–D, 4 for anything else). A
-- topic question without structured filters is counted from these and the term index
-- alone (bot/store/topic_answers.py).
SELECT item_no,
       (coalesce(list_position(['A', 'B', 'C', 'D'], grade), 5) - 1)::TINYINT AS grade
FROM evaluations
WHERE fiscal_year = $fiscal_year
ORDER BY doc;
