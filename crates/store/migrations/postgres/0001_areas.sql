-- Areas, their figures per year, their boundaries, and a log of imports.
-- Same shape as the SQLite schema; BIGINT and DOUBLE PRECISION so values decode alike.
CREATE TABLE areas (
    year BIGINT NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('land', 'gemeente', 'wijk', 'buurt')),
    name TEXT NOT NULL,
    parent_code TEXT,
    municipality_code TEXT,
    PRIMARY KEY (year, code)
);
CREATE INDEX areas_by_parent ON areas (year, parent_code);
CREATE INDEX areas_by_kind ON areas (year, kind);

CREATE TABLE area_figures (
    year BIGINT NOT NULL,
    code TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value DOUBLE PRECISION,
    missing TEXT CHECK (missing IN ('secret', 'unknown')),
    PRIMARY KEY (year, code, indicator),
    FOREIGN KEY (year, code) REFERENCES areas (year, code) ON DELETE CASCADE,
    CHECK ((value IS NULL) <> (missing IS NULL))
);

CREATE TABLE area_shapes (
    year BIGINT NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_code TEXT,
    shape TEXT NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (year, code)
);
CREATE INDEX area_shapes_by_parent ON area_shapes (year, parent_code);

CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    year BIGINT NOT NULL,
    rows BIGINT NOT NULL,
    finished_at BIGINT NOT NULL
);
