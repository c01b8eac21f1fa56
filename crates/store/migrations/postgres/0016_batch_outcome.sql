-- What a signal batch did (issue 16, finding 10): a replay with the same Idempotency-Key
-- answers with the original outcome instead of zeros. Batches stored before this
-- migration have no outcome recorded (NULL) and report zeros as before.
ALTER TABLE signal_batches ADD COLUMN cases_opened BIGINT;
ALTER TABLE signal_batches ADD COLUMN cases_stacked BIGINT;
ALTER TABLE signal_batches ADD COLUMN repeats BIGINT;
