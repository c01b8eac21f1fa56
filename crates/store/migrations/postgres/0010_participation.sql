-- Initiatives and participatory budgeting (issue 8, part 3). Residents appear only as a
-- voter pseudonym (a keyed hash of their e-mail address, per collaboration); the plain
-- address is never stored. A ballot is stored apart from who cast it: ballot_voters says
-- that a pseudonym voted in a round (unique: one vote per resident, even under races),
-- ballots holds the choices without the pseudonym, so the choices stay secret.
CREATE TABLE initiatives (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    area_code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    cost_cents BIGINT NOT NULL,
    -- Optional contact the proposer left for the municipality (never shown in public).
    contact TEXT,
    status TEXT NOT NULL,
    supporters BIGINT NOT NULL DEFAULT 0,
    assessment TEXT,
    round_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX initiatives_by_area ON initiatives (area_code, created_at);

CREATE TABLE initiative_supports (
    initiative_id TEXT NOT NULL REFERENCES initiatives (id),
    voter TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (initiative_id, voter)
);

CREATE TABLE budget_rounds (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    area_code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    budget_cents BIGINT NOT NULL,
    -- The vote rule as JSON, e.g. {"kind":"max_projects","k":2}.
    vote_rule TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('ideas', 'assessment', 'voting', 'result')),
    programme_id TEXT,
    -- The counted outcome as JSON, once the result is published.
    outcome TEXT,
    published_at BIGINT,
    handed_over_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX budget_rounds_by_area ON budget_rounds (area_code);

CREATE TABLE budget_projects (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES budget_rounds (id),
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    cost_cents BIGINT NOT NULL,
    initiative_id TEXT,
    intervention_id TEXT
);
CREATE INDEX budget_projects_by_round ON budget_projects (round_id, position);

-- E-mail verification codes: only a keyed hash of the code, an expiry and a try counter.
CREATE TABLE participation_codes (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    voter TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    tries BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX participation_codes_by_voter ON participation_codes (scope, voter, created_at);

CREATE TABLE ballot_voters (
    round_id TEXT NOT NULL REFERENCES budget_rounds (id),
    voter TEXT NOT NULL,
    PRIMARY KEY (round_id, voter)
);

CREATE TABLE ballots (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES budget_rounds (id),
    -- Chosen project ids, comma-separated.
    choices TEXT NOT NULL
);
CREATE INDEX ballots_by_round ON ballots (round_id);
