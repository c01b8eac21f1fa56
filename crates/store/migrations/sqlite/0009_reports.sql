-- Public-space reports (issue 8, part 2). A resident files a report without an account;
-- the private status link is stored only as a SHA-256 hash. Contact details are optional
-- and cleared (contact_anonymised_at set) a configured term after closing. The location
-- of the problem (postcode + house number or a point) is kept: it is where the problem
-- is, not where the reporter lives, and the handling team needs it.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    organisation_id TEXT NOT NULL,
    category TEXT NOT NULL,
    top_category TEXT NOT NULL,
    buurt_code TEXT NOT NULL,
    postcode TEXT,
    house_number INTEGER,
    -- "lat,lon" in WGS84 degrees, absent when filed by address (text: a NULL float
    -- cannot be bound through the Any driver).
    point TEXT,
    location_note TEXT,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    status_on TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    contact_anonymised_at INTEGER,
    satisfaction INTEGER,
    satisfaction_comment TEXT,
    satisfaction_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX reports_by_org ON reports (tenant_id, organisation_id, status);
CREATE INDEX reports_by_buurt ON reports (buurt_code, filed_on);

-- Every status change, with its text and who made it ("melder" for the reporter,
-- "system" for the system); the reporter sees these on the status page.
CREATE TABLE report_events (
    report_id TEXT NOT NULL REFERENCES reports (id),
    seq INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
) STRICT;

-- At most one photo per report, stored without its metadata.
CREATE TABLE report_photos (
    report_id TEXT PRIMARY KEY REFERENCES reports (id),
    mime TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Which organisation of which collaboration handles reports of a category in an area:
-- the most specific area (buurt > wijk > gemeente) wins, and a rule for the category
-- before a rule for every category (category NULL).
CREATE TABLE report_routes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    area_code TEXT NOT NULL,
    category TEXT,
    organisation_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX report_routes_by_area ON report_routes (area_code);
