-- The term index written at ingest (bot/ingest/term_index.py): per fiscal year, which
-- docs hold which terms how often, and each doc's length. Part of _schema.sql.
CREATE OR REPLACE VIEW term_postings AS
SELECT * FROM read_parquet('{snapshot}/terms/*/postings.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW term_docs AS
SELECT * FROM read_parquet('{snapshot}/terms/*/docs.parquet', hive_partitioning = true);
