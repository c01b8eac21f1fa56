-- Indicators named from a StatLine codebook (issue 15). A column of a newer CBS table that
-- Leefwijk has no definition of is imported as an indicator of its own, under the
-- codebook's title, unit and description, instead of being dropped. Every process reads
-- these back, so a serving instance knows an indicator another process imported.
CREATE TABLE indicator_definitions (
    key TEXT PRIMARY KEY,
    stem TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    description TEXT NOT NULL
) STRICT;
