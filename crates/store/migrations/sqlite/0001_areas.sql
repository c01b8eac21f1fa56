-- Areas, their figures per year, their boundaries, and a log of imports.
-- Portable types: TEXT ids and codes, INTEGER years and milliseconds, REAL values.
CREATE TABLE areas (
    year INTEGER NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('land', 'gemeente', 'wijk', 'buurt')),
    name TEXT NOT NULL,
    parent_code TEXT,
    municipality_code TEXT,
    PRIMARY KEY (year, code)
) STRICT;
CREATE INDEX areas_by_parent ON areas (year, parent_code);
CREATE INDEX areas_by_kind ON areas (year, kind);

-- One row per area, year and indicator. A withheld value has value NULL and says why.
CREATE TABLE area_figures (
    year INTEGER NOT NULL,
    code TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value REAL,
    missing TEXT CHECK (missing IN ('secret', 'unknown')),
    PRIMARY KEY (year, code, indicator),
    FOREIGN KEY (year, code) REFERENCES areas (year, code) ON DELETE CASCADE,
    CHECK ((value IS NULL) <> (missing IS NULL))
) STRICT;

-- Simplified boundaries for drawing, as JSON polygons in the source's coordinates.
CREATE TABLE area_shapes (
    year INTEGER NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_code TEXT,
    shape TEXT NOT NULL,
    points INTEGER NOT NULL,
    PRIMARY KEY (year, code)
) STRICT;
CREATE INDEX area_shapes_by_parent ON area_shapes (year, parent_code);

CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    year INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    finished_at INTEGER NOT NULL
) STRICT;
