-- Single sign-on: pending authorization-code flows (state, nonce, PKCE verifier), each
-- usable once and for ten minutes.
CREATE TABLE oidc_flows (
    state TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
