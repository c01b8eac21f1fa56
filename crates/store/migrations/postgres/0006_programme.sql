-- Area programmes (issue 7): parties, goals, reciprocal commitments, interventions with
-- their business-case assumptions, and the pooled budget as an append-only double-entry
-- ledger. No personal data.
CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    area_codes TEXT NOT NULL,
    start_year BIGINT NOT NULL,
    end_year BIGINT NOT NULL,
    lead TEXT NOT NULL,
    horizon_years BIGINT NOT NULL,
    discount_rate DOUBLE PRECISION NOT NULL,
    scenarios TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE programme_parties (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (programme_id, name)
);

CREATE TABLE programme_goals (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    indicator TEXT,
    area_code TEXT,
    baseline DOUBLE PRECISION NOT NULL,
    baseline_year BIGINT NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    target_year BIGINT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('increase', 'decrease')),
    -- The latest value of a programme's own measure, as text (absent for monitor indicators).
    own_value TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX programme_goals_by_programme ON programme_goals (programme_id);

CREATE TABLE commitments (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    amount TEXT NOT NULL,
    in_return TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX commitments_by_programme ON commitments (programme_id);

CREATE TABLE commitment_history (
    commitment_id TEXT NOT NULL REFERENCES commitments (id),
    at_ms BIGINT NOT NULL,
    status TEXT NOT NULL,
    actor_id TEXT NOT NULL
);

CREATE TABLE interventions (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('social', 'physical')),
    owner TEXT NOT NULL,
    reach_households DOUBLE PRECISION NOT NULL,
    reach_people BIGINT NOT NULL,
    goal_id TEXT,
    outcome_measures TEXT NOT NULL,
    costs_per_year TEXT NOT NULL,
    effects TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (programme_id, name)
);

-- The pooled budget: every movement a balanced transaction (checked by the domain before
-- it is stored); corrections are new transactions, so rows are never changed.
CREATE TABLE ledger_transactions (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    seq BIGINT NOT NULL,
    id TEXT NOT NULL,
    booked_on TEXT NOT NULL,
    memo TEXT NOT NULL,
    corrects TEXT,
    postings TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (programme_id, seq),
    UNIQUE (programme_id, id)
);
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: book a correction', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
