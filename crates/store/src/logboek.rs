//! Repository of the Logboek Dataverwerkingen (`processing_log`): written only inside the
//! transaction of the processing it records, read by trace and by data subject.

use crate::{Result, Store, StoreTx};
use leefwijk_domain::access::logboek::{ForeignOperation, Operation, OperationId, OperationName, StatusCode, TraceId};
use sqlx::Row;

const COLUMNS: &str = "operation_id, tenant_id, organisation_id, trace_id, parent_operation_id, foreign_trace_id, \
     foreign_operation_id, foreign_entity, name, status_code, start_ms, end_ms, processing_activity_id, \
     data_subject_id, audit_seq";
const COLUMN_COUNT: usize = 15;
/// Rows per INSERT: 500 × 15 parameters stays under both databases' limits.
const ROWS_PER_INSERT: usize = 500;

fn decode(r: &sqlx::any::AnyRow) -> Result<Operation> {
    let corrupt = |what: &str| crate::StoreError::Corrupt(format!("processing_log holds an invalid {what}"));
    let op_id = |column: &str| -> Result<Option<OperationId>> {
        match r.try_get::<Option<String>, _>(column)? {
            Some(s) => OperationId::parse(&s).map(Some).map_err(|_| corrupt(column)),
            None => Ok(None),
        }
    };
    let trace: String = r.try_get("trace_id")?;
    let foreign = match (
        r.try_get::<Option<String>, _>("foreign_trace_id")?,
        op_id("foreign_operation_id")?,
        r.try_get::<Option<String>, _>("foreign_entity")?,
    ) {
        (Some(t), Some(operation_id), Some(entity)) => Some(ForeignOperation {
            trace_id: TraceId::parse(&t).map_err(|_| corrupt("foreign_trace_id"))?,
            operation_id,
            entity,
        }),
        _ => None,
    };
    let name: String = r.try_get("name")?;
    Ok(Operation {
        tenant: r.try_get("tenant_id")?,
        organisation: r.try_get("organisation_id")?,
        trace_id: TraceId::parse(&trace).map_err(|_| corrupt("trace_id"))?,
        operation_id: op_id("operation_id")?.ok_or_else(|| corrupt("operation_id"))?,
        parent_operation_id: op_id("parent_operation_id")?,
        foreign_operation: foreign,
        name: OperationName::from_code(&name).ok_or_else(|| corrupt("name"))?,
        status: StatusCode::from_number(r.try_get("status_code")?),
        start_ms: r.try_get("start_ms")?,
        end_ms: r.try_get("end_ms")?,
        processing_activity_id: r.try_get("processing_activity_id")?,
        data_subject_id: r.try_get("data_subject_id")?,
        audit_seq: r.try_get("audit_seq")?,
    })
}

impl StoreTx {
    /// Appends operations to the Logboek in this transaction: they land with the
    /// processing they record, or not at all.
    pub async fn append_processing(&mut self, ops: &[Operation]) -> Result<()> {
        for chunk in ops.chunks(ROWS_PER_INSERT) {
            let mut sql = format!("INSERT INTO processing_log ({COLUMNS}) VALUES ");
            for i in 0..chunk.len() {
                let base = i * COLUMN_COUNT;
                let params: Vec<String> = (1..=COLUMN_COUNT).map(|n| format!("${}", base + n)).collect();
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                sql.push_str(&params.join(", "));
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for op in chunk {
                let foreign = op.foreign_operation.as_ref();
                q = q
                    .bind(op.operation_id.to_hex())
                    .bind(op.tenant.clone())
                    .bind(op.organisation.clone())
                    .bind(op.trace_id.to_hex())
                    .bind(op.parent_operation_id.map(OperationId::to_hex))
                    .bind(foreign.map(|f| f.trace_id.to_hex()))
                    .bind(foreign.map(|f| f.operation_id.to_hex()))
                    .bind(foreign.map(|f| f.entity.clone()))
                    .bind(op.name.code())
                    .bind(op.status.number())
                    .bind(op.start_ms)
                    .bind(op.end_ms)
                    .bind(op.processing_activity_id.clone())
                    .bind(op.data_subject_id.clone())
                    .bind(op.audit_seq);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// The operation that opened a data subject's current signal case (its newest intake
    /// or matching), so later processing of the case continues that trace.
    pub async fn case_trace_of(&mut self, tenant: &str, subject: &str) -> Result<Option<(TraceId, OperationId)>> {
        let row = sqlx::query(
            "SELECT trace_id, operation_id FROM processing_log \
             WHERE tenant_id = $1 AND data_subject_id = $2 AND name IN ($3, $4) \
             ORDER BY start_ms DESC, operation_id DESC LIMIT 1",
        )
        .bind(tenant.to_string())
        .bind(subject.to_string())
        .bind(OperationName::SignalIntake.code())
        .bind(OperationName::Matching.code())
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (trace, op): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        match (TraceId::parse(&trace), OperationId::parse(&op)) {
            (Ok(t), Ok(o)) => Ok(Some((t, o))),
            _ => Err(crate::StoreError::Corrupt("processing_log holds an invalid id".into())),
        }
    }
}

impl StoreTx {
    /// The household keys a person's signals were filed under: a data subject's history
    /// includes what was done with their household. Only for an access request of the
    /// person themselves (purpose `data_subject_access`).
    pub async fn households_of_person(
        &mut self,
        handle: &crate::AccessHandle,
        tenant: &str,
        person: &str,
    ) -> Result<Vec<String>> {
        if handle.purpose != "data_subject_access" {
            return Err(crate::StoreError::Forbidden(format!(
                "a person's households are read for their own access request only, not for {}",
                handle.purpose
            )));
        }
        handle.permits(tenant, &handle.category, "read", person)?;
        let rows = sqlx::query(
            "SELECT DISTINCT household_key FROM signals WHERE tenant_id = $1 AND person_pseudonym = $2 \
             ORDER BY household_key",
        )
        .bind(tenant.to_string())
        .bind(person.to_string())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
    }
}

impl Store {
    /// Every operation on any of these data subjects in a collaboration, oldest first:
    /// a data subject's processing history (AVG art. 15).
    pub async fn processing_of_subjects(
        &self,
        tenant: &str,
        subjects: &[String],
        limit: i64,
    ) -> Result<Vec<Operation>> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let params: Vec<String> = (0..subjects.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM processing_log WHERE tenant_id = $1 AND data_subject_id IN ({}) \
             ORDER BY start_ms, operation_id LIMIT ${}",
            params.join(", "),
            subjects.len() + 2
        );
        let mut q = sqlx::query(&sql).bind(tenant.to_string());
        for s in subjects {
            q = q.bind(s.clone());
        }
        let rows = q.bind(limit.clamp(1, 100_000)).fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    /// Every operation of one trace in a collaboration, oldest first.
    pub async fn processing_of_trace(&self, tenant: &str, trace: TraceId) -> Result<Vec<Operation>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM processing_log WHERE tenant_id = $1 AND trace_id = $2 ORDER BY start_ms, operation_id"
        ))
        .bind(tenant.to_string())
        .bind(trace.to_hex())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    /// Operations recorded after the cursor (`end_ms`, `operation_id`), in that order, at
    /// most `limit`: for exporting the Logboek to a central one page by page without
    /// skipping operations that end in the same millisecond.
    pub async fn processing_after(&self, end_ms: i64, operation_id: &str, limit: i64) -> Result<Vec<Operation>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM processing_log WHERE end_ms > $1 OR (end_ms = $1 AND operation_id > $2) \
             ORDER BY end_ms, operation_id LIMIT $3"
        ))
        .bind(end_ms)
        .bind(operation_id.to_string())
        .bind(limit.clamp(1, 100_000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{backend_urls, fresh_store};
    use leefwijk_domain::access::logboek::*;

    fn op(i: u8, name: OperationName, subject: Option<&str>) -> Operation {
        Operation {
            tenant: "t1".into(),
            organisation: "org".into(),
            trace_id: TraceId([9; 16]),
            operation_id: OperationId([i; 8]),
            parent_operation_id: (i > 1).then_some(OperationId([1; 8])),
            foreign_operation: (i == 1).then(|| ForeignOperation {
                trace_id: TraceId([7; 16]),
                operation_id: OperationId([7; 8]),
                entity: "urn:leefwijk:organisatie:partner".into(),
            }),
            name,
            status: StatusCode::Ok,
            start_ms: 1_000 + i64::from(i),
            end_ms: 1_001 + i64::from(i),
            processing_activity_id: processing_activity_uri("c", "early_signalling"),
            data_subject_id: subject.map(String::from),
            audit_seq: Some(i64::from(i)),
        }
    }

    #[tokio::test]
    async fn stores_reads_back_and_refuses_changes() {
        let subject = "ab".repeat(32);
        for url in backend_urls() {
            let store = fresh_store(&url).await.expect("store");
            let ops = vec![op(1, OperationName::BatchIntake, None), op(2, OperationName::SignalIntake, Some(&subject))];
            let mut tx = store.begin().await.expect("tx");
            tx.append_processing(&ops).await.expect("append");
            assert_eq!(
                tx.case_trace_of("t1", &subject).await.expect("trace"),
                Some((TraceId([9; 16]), OperationId([2; 8])))
            );
            tx.commit().await.expect("commit");
            // Rolled back with its transaction: nothing stays behind.
            let mut tx = store.begin().await.expect("tx");
            tx.append_processing(&[op(3, OperationName::Read, Some(&subject))]).await.expect("append");
            tx.rollback().await.expect("rollback");

            assert_eq!(store.processing_of_trace("t1", TraceId([9; 16])).await.expect("trace"), ops, "{url}");
            assert_eq!(
                store.processing_of_subjects("t1", std::slice::from_ref(&subject), 10).await.expect("s"),
                ops[1..]
            );
            assert!(store
                .processing_of_subjects("t2", std::slice::from_ref(&subject), 10)
                .await
                .expect("s")
                .is_empty());
            assert_eq!(
                store.processing_after(1_003, "", 10).await.expect("after").len(),
                1,
                "{url}: from the start of a millisecond"
            );
            let first = &ops[0];
            let rest = store.processing_after(first.end_ms, &first.operation_id.to_hex(), 10).await.expect("after");
            assert_eq!(rest, ops[1..], "{url}: the cursor skips exactly what was exported");
            for sql in ["UPDATE processing_log SET name = 'x'", "DELETE FROM processing_log"] {
                let err = sqlx::query(sql).execute(&store.pool).await.expect_err("blocked by trigger");
                assert!(err.to_string().contains("append-only"), "{url}: {err}");
            }
        }
    }
}
