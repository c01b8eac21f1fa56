-- Logboek Dataverwerkingen (issue 20): one row per processing of personal data, in the
-- fields of the Logius standard, written in the same transaction as the processing and
-- beside the hash-chained audit log (audit_seq links the two). Holds ids, pseudonyms and
-- codes only, never a BSN, name or address. Append-only like the audit log.
CREATE TABLE processing_log (
    operation_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    parent_operation_id TEXT,
    foreign_trace_id TEXT,
    foreign_operation_id TEXT,
    foreign_entity TEXT,
    name TEXT NOT NULL,
    status_code BIGINT NOT NULL CHECK (status_code IN (0, 1, 2)),
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    processing_activity_id TEXT NOT NULL,
    data_subject_id TEXT,
    audit_seq BIGINT
);
CREATE INDEX processing_log_by_subject ON processing_log (tenant_id, data_subject_id, start_ms);
CREATE INDEX processing_log_by_trace ON processing_log (trace_id);

CREATE TRIGGER processing_log_no_update BEFORE UPDATE OR DELETE ON processing_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER processing_log_no_truncate BEFORE TRUNCATE ON processing_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
