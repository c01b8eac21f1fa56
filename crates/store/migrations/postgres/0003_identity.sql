-- Tenants (one collaboration each), organisations, teams and the areas they serve, users
-- with one role, database sessions, API clients for partner systems, and the vault of
-- identities behind pseudonyms (BSN encrypted with a key outside the database).
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    covenant_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('gemeente', 'woningcorporatie', 'sociaal_wijkteam', 'schuldhulpverlening',
        'sociaal_werk', 'ggz', 'thuiszorg', 'huisartsenpraktijk', 'politie', 'onderwijs', 'zorgverzekeraar',
        'energieleverancier', 'drinkwaterbedrijf', 'bewonersorganisatie', 'overig')),
    created_at BIGINT NOT NULL
);
CREATE INDEX organisations_by_tenant ON organisations (tenant_id);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL
);

CREATE TABLE team_areas (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    PRIMARY KEY (team_id, area_code)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    team_id TEXT REFERENCES teams (id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('beheerder', 'beleidsmedewerker', 'wijkteammedewerker', 'regisseur',
        'professional', 'privacy_officer')),
    password_hash TEXT,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_by_tenant ON users (tenant_id);

-- The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE person_vault (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    pseudonym TEXT NOT NULL,
    key_id TEXT NOT NULL,
    sealed_bsn TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, pseudonym)
);
