-- Area programmes (issue 7): parties, goals, reciprocal commitments, interventions with
-- their business-case assumptions, and the pooled budget as an append-only double-entry
-- ledger. No personal data.
CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    area_codes TEXT NOT NULL,
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    lead TEXT NOT NULL,
    horizon_years INTEGER NOT NULL,
    discount_rate REAL NOT NULL,
    scenarios TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE programme_parties (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (programme_id, name)
) STRICT;

CREATE TABLE programme_goals (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    indicator TEXT,
    area_code TEXT,
    baseline REAL NOT NULL,
    baseline_year INTEGER NOT NULL,
    target REAL NOT NULL,
    target_year INTEGER NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('increase', 'decrease')),
    -- The latest value of a programme's own measure, as text (absent for monitor indicators).
    own_value TEXT,
    created_at INTEGER NOT NULL
) STRICT;
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
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX commitments_by_programme ON commitments (programme_id);

CREATE TABLE commitment_history (
    commitment_id TEXT NOT NULL REFERENCES commitments (id),
    at_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    actor_id TEXT NOT NULL
) STRICT;

CREATE TABLE interventions (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('social', 'physical')),
    owner TEXT NOT NULL,
    reach_households REAL NOT NULL,
    reach_people INTEGER NOT NULL,
    goal_id TEXT,
    outcome_measures TEXT NOT NULL,
    costs_per_year TEXT NOT NULL,
    effects TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (programme_id, name)
) STRICT;

-- The pooled budget: every movement a balanced transaction (checked by the domain before
-- it is stored); corrections are new transactions, so rows are never changed.
CREATE TABLE ledger_transactions (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    booked_on TEXT NOT NULL,
    memo TEXT NOT NULL,
    corrects TEXT,
    postings TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (programme_id, seq),
    UNIQUE (programme_id, id)
) STRICT;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_transactions
BEGIN
    SELECT RAISE(ABORT, 'ledger_transactions is append-only: book a correction');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_transactions
BEGIN
    SELECT RAISE(ABORT, 'ledger_transactions is append-only: book a correction');
END;
