-- A snapshot written before the term index existed (the next ingest indexes every year):
-- no word has terms, so every topic word is looked for in the texts, and a document's
-- length is its search text's.
CREATE OR REPLACE MACRO word_terms(word) AS []::BIGINT[];

CREATE OR REPLACE VIEW term_postings AS
SELECT NULL::BIGINT AS term, NULL::TINYINT AS field, NULL::INTEGER AS doc,
       NULL::SMALLINT AS tf, NULL::INTEGER AS fiscal_year
WHERE false;

CREATE OR REPLACE VIEW term_docs AS
SELECT doc, municipality, plan, length(search_text)::INTEGER AS length, fiscal_year
FROM evaluations;
