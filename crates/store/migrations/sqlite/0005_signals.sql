-- Early signalling (issue 4): partner batches, signals (pseudonymised), cases per household
-- and month, contact attempts, case events, routing rules and a postcode lookup.
-- Dates are ISO text (YYYY-MM-DD); booleans are 0/1.
CREATE TABLE signal_batches (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    sender_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    idempotency_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    format TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (tenant_id, sender_id, idempotency_key)
) STRICT;

CREATE TABLE signal_cases (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    household_key TEXT NOT NULL,
    case_month TEXT NOT NULL,
    buurt_code TEXT NOT NULL,
    team_id TEXT REFERENCES teams (id),
    opened_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    priority INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    outcome TEXT,
    closed_on TEXT,
    first_contact_on TEXT,
    reached INTEGER NOT NULL DEFAULT 0,
    recurrent INTEGER NOT NULL DEFAULT 0,
    signal_count INTEGER NOT NULL,
    sealed_address TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX signal_cases_by_household ON signal_cases (tenant_id, household_key);
CREATE INDEX signal_cases_worklist ON signal_cases (tenant_id, team_id, status, due_on);

CREATE TABLE signals (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    batch_id TEXT NOT NULL REFERENCES signal_batches (id),
    row_number INTEGER NOT NULL,
    case_id TEXT NOT NULL REFERENCES signal_cases (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    person_pseudonym TEXT,
    household_key TEXT NOT NULL,
    buurt_code TEXT NOT NULL,
    arrears_cents INTEGER NOT NULL,
    arrears_since TEXT,
    signal_date TEXT NOT NULL,
    received_on TEXT NOT NULL,
    customer_key TEXT,
    reference TEXT,
    crisis INTEGER NOT NULL,
    preconditions INTEGER NOT NULL,
    is_multiple INTEGER NOT NULL,
    is_recurrent INTEGER NOT NULL,
    is_repeat INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX signals_by_household ON signals (tenant_id, household_key, signal_date);
CREATE INDEX signals_by_batch ON signals (batch_id);
CREATE INDEX signals_by_case ON signals (case_id);

CREATE TABLE contact_attempts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    case_id TEXT NOT NULL REFERENCES signal_cases (id),
    attempted_on TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('letter', 'phone', 'home_visit', 'email', 'text_message', 'card')),
    part_of_day TEXT NOT NULL CHECK (part_of_day IN ('morning', 'afternoon', 'evening')),
    reached INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX contact_attempts_by_case ON contact_attempts (case_id);

-- What happened to a case besides attempts: assignment, outcome. Details are codes, never
-- free text about the household.
CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    case_id TEXT NOT NULL REFERENCES signal_cases (id),
    at_ms INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;
CREATE INDEX case_events_by_case ON case_events (case_id);

CREATE TABLE routing_rules (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    area_code TEXT NOT NULL,
    kind TEXT,
    team_id TEXT NOT NULL REFERENCES teams (id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX routing_rules_by_tenant ON routing_rules (tenant_id);

-- Postcode (6 positions) to buurt, as published by CBS ("buurt, wijk en gemeente bij
-- postcode en huisnummer"); lets a partner send an address without a buurt code.
CREATE TABLE postcode_areas (
    postcode TEXT PRIMARY KEY,
    buurt_code TEXT NOT NULL
) STRICT;
