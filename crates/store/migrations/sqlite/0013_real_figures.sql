-- The real Netherlands beside the fictional demo (issue 15).
-- * `areas.fictional`: made-up demo areas; never ranked, averaged or listed with real ones.
-- * `data_sources`: who published a figure, in which table and year, under which licence;
--   every figure row names its source so each value can say "Bron: …" truthfully.
-- * Imports now add to a year (one source at a time) instead of replacing it, so CBS key
--   figures, RIVM health estimates and a municipality's own table can share a year.
ALTER TABLE areas ADD COLUMN fictional INTEGER NOT NULL DEFAULT 0;

CREATE TABLE data_sources (
    id TEXT PRIMARY KEY,
    attribution TEXT NOT NULL,
    licence TEXT NOT NULL,
    fictional INTEGER NOT NULL DEFAULT 0
) STRICT;

ALTER TABLE area_figures ADD COLUMN source TEXT;
CREATE INDEX area_figures_by_source ON area_figures (year, source);
