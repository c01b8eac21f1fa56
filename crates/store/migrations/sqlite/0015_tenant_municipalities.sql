-- The municipalities a collaboration works in (issue 16, finding 1): planned construction
-- for a municipality is entered by a collaboration that works there, not by any signed-in
-- administrator. A collaboration that already entered plans keeps working where it did.
CREATE TABLE tenant_municipalities (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    municipality_code TEXT NOT NULL,
    PRIMARY KEY (tenant_id, municipality_code)
) STRICT;

INSERT INTO tenant_municipalities (tenant_id, municipality_code)
SELECT DISTINCT tenant_id, municipality_code FROM housing_plans;
