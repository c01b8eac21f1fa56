-- Indicators named from a StatLine codebook (issue 15); see the SQLite migration.
CREATE TABLE indicator_definitions (
    key TEXT PRIMARY KEY,
    stem TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    description TEXT NOT NULL
);
