-- name: sources
-- The reports behind the warehouse: file, checksum, fiscal year, sheets and row counts.
SELECT source_file, checksum, municipality, plan, fiscal_year, next_fiscal_year, sheets,
       items, evaluations, ingested_at
FROM reports
ORDER BY fiscal_year DESC, source_file;
