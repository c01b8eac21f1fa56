-- The municipalities a collaboration works in (issue 16, finding 1); see the SQLite migration.
CREATE TABLE tenant_municipalities (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    municipality_code TEXT NOT NULL,
    PRIMARY KEY (tenant_id, municipality_code)
);

INSERT INTO tenant_municipalities (tenant_id, municipality_code)
SELECT DISTINCT tenant_id, municipality_code FROM housing_plans;
