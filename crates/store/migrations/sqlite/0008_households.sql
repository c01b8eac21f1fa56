-- Households with stacked problems (issue 5): the involvement index (only that an
-- organisation is involved, never why), matches with their coordinator, notices, consent
-- per member, purpose and organisation, and the joint plan with goals, actions, reviews
-- and ZRM assessments. Persons and households appear only as pseudonyms.
CREATE TABLE involvements (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    subject TEXT NOT NULL,
    household_key TEXT,
    parent_subject TEXT,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    professional_id TEXT NOT NULL,
    start_on TEXT NOT NULL,
    expected_end_on TEXT,
    turns_23_on TEXT,
    deceased_on TEXT,
    informed_on TEXT,
    deferral_reason TEXT,
    deferral_until TEXT,
    ended_on TEXT,
    match_id TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX involvements_by_subject ON involvements (tenant_id, subject);
CREATE INDEX involvements_by_household ON involvements (tenant_id, household_key);

CREATE TABLE involvement_matches (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    matched_on TEXT NOT NULL,
    area_code TEXT,
    coordinator_org TEXT,
    coordinator_user TEXT,
    escalated_on TEXT,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE match_notices (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    match_id TEXT NOT NULL REFERENCES involvement_matches (id),
    organisation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
) STRICT;
CREATE INDEX match_notices_by_org ON match_notices (tenant_id, organisation_id);

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    member TEXT NOT NULL,
    purpose TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    given_on TEXT NOT NULL,
    scope TEXT NOT NULL,
    withdrawn_on TEXT,
    recorded_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX consents_by_member ON consents (tenant_id, member);

CREATE TABLE joint_plans (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    match_id TEXT NOT NULL REFERENCES involvement_matches (id),
    member TEXT NOT NULL,
    -- The member's early-signalling pseudonym, linked with consent when the plan is made,
    -- so the household's signals appear on the plan's timeline.
    signals_subject TEXT,
    coordinator_org TEXT NOT NULL,
    own_goals TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    closed_on TEXT,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE plan_items (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES joint_plans (id),
    kind TEXT NOT NULL CHECK (kind IN ('goal', 'action', 'review')),
    domain TEXT,
    text TEXT NOT NULL,
    owner_org TEXT,
    due_on TEXT,
    done_on TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX plan_items_by_plan ON plan_items (plan_id);

CREATE TABLE zrm_assessments (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES joint_plans (id),
    assessed_on TEXT NOT NULL,
    instrument_version TEXT NOT NULL,
    scores TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX zrm_by_plan ON zrm_assessments (plan_id);

-- An organisation's licensed ZRM criteria texts (they belong to GGD Amsterdam and are not
-- shipped): shown beside the levels to that organisation only.
CREATE TABLE zrm_criteria (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    domain TEXT NOT NULL,
    level INTEGER NOT NULL,
    text TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, domain, level)
) STRICT;
