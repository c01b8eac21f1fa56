-- The real Netherlands beside the fictional demo (issue 15); see the SQLite migration.
ALTER TABLE areas ADD COLUMN fictional BIGINT NOT NULL DEFAULT 0;

CREATE TABLE data_sources (
    id TEXT PRIMARY KEY,
    attribution TEXT NOT NULL,
    licence TEXT NOT NULL,
    fictional BIGINT NOT NULL DEFAULT 0
);

ALTER TABLE area_figures ADD COLUMN source TEXT;
CREATE INDEX area_figures_by_source ON area_figures (year, source);
