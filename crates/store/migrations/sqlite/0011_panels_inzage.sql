-- Residents (issue 8), parts 4 and 5. Panels: surveys for residents and experience
-- experts, linked to an area programme's evaluation; answers are anonymous (no person,
-- no address, no IP), invitation codes are kept only as hashes. Own-data requests (AVG
-- inzage): pseudonyms per purpose and the sealed name and contact address, never a BSN.
CREATE TABLE panels (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('residents', 'experience_experts')),
    area_code TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    panel_id TEXT NOT NULL REFERENCES panels (id),
    title TEXT NOT NULL,
    intro TEXT NOT NULL,
    programme_id TEXT REFERENCES programmes (id),
    area_code TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('open', 'invitation')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX surveys_by_programme ON surveys (programme_id);
CREATE INDEX surveys_by_area ON surveys (area_code, status);

CREATE TABLE survey_questions (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('single_choice', 'scale', 'open_text')),
    text TEXT NOT NULL,
    -- Options of a single-choice question as a JSON array.
    options TEXT NOT NULL,
    UNIQUE (survey_id, position)
) STRICT;

-- One row per submitted form; nothing about who sent it.
CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    submitted_at INTEGER NOT NULL
) STRICT;
CREATE INDEX survey_responses_by_survey ON survey_responses (survey_id);

CREATE TABLE survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses (id),
    question_id TEXT NOT NULL REFERENCES survey_questions (id),
    value TEXT NOT NULL,
    PRIMARY KEY (response_id, question_id)
) STRICT;
CREATE INDEX survey_answers_by_question ON survey_answers (question_id);

-- One-time invitation codes: the hash only; used_at set once, in the same transaction
-- as the response, so a code answers exactly once.
CREATE TABLE survey_codes (
    survey_id TEXT NOT NULL REFERENCES surveys (id),
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (survey_id, code_hash)
) STRICT;

CREATE TABLE access_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    received_at INTEGER NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- The person's pseudonyms under each purpose key (JSON object purpose -> pseudonym).
    pseudonyms TEXT NOT NULL,
    -- Name and where to send the answer, sealed with the tenant's vault key.
    sealed_contact TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'identity_verified', 'export_ready', 'answered', 'refused')),
    identity_note TEXT,
    refusal_reason TEXT,
    closed_on TEXT,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX access_requests_by_tenant ON access_requests (tenant_id, status, due_on);

CREATE TABLE access_request_steps (
    request_id TEXT NOT NULL REFERENCES access_requests (id),
    at_ms INTEGER NOT NULL,
    step TEXT NOT NULL,
    note TEXT NOT NULL,
    actor_id TEXT NOT NULL
) STRICT;
CREATE INDEX access_request_steps_by_request ON access_request_steps (request_id);
