-- Housing (issue 6): planned construction, demolition and sales per municipality, year
-- and segment; regions; agreements (woonzorgvisie, prestatieafspraken) with contingents per
-- priority group and the support that comes with each home; placements of households
-- (pseudonymised) with the support organisation's confirmation.
CREATE TABLE housing_plans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    municipality_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    segment TEXT NOT NULL,
    construction INTEGER NOT NULL,
    demolition INTEGER NOT NULL,
    sales INTEGER NOT NULL,
    entered_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX housing_plans_by_municipality ON housing_plans (municipality_code, year);

CREATE TABLE housing_regions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    municipality_codes TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    kind TEXT NOT NULL CHECK (kind IN ('woonzorgvisie', 'prestatieafspraken')),
    title TEXT NOT NULL,
    region_id TEXT REFERENCES housing_regions (id),
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    parties TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE agreement_contingents (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    municipality_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    priority_group TEXT NOT NULL,
    homes INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, municipality_code, year, priority_group)
) STRICT;

CREATE TABLE agreement_support (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    priority_group TEXT NOT NULL,
    organisation TEXT NOT NULL,
    what TEXT NOT NULL,
    months INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, priority_group, organisation)
) STRICT;

CREATE TABLE placements (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    priority_group TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    buurt_code TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    household_pseudonym TEXT NOT NULL,
    corporation_org TEXT NOT NULL,
    support_org TEXT NOT NULL,
    support_description TEXT NOT NULL,
    support_confirmed_on TEXT,
    support_confirmed_by TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX placements_by_agreement ON placements (agreement_id);
