//! Repository of housing: plans, regions, agreements with contingents and support, and
//! placements. Placements hold a household pseudonym: they are read and written only with
//! an [`AccessHandle`] of the housing-placement purpose.

use crate::{AccessHandle, Result, Store, StoreTx};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    pub id: String,
    pub tenant_id: String,
    pub municipality_code: String,
    pub year: i64,
    pub segment: String,
    pub construction: i64,
    pub demolition: i64,
    pub sales: i64,
    pub entered_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub municipality_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRecord {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    pub title: String,
    pub region_id: Option<String>,
    pub start_year: i64,
    pub end_year: i64,
    /// Parties as JSON: [{"name", "role"}].
    pub parties: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContingentRecord {
    pub municipality_code: String,
    pub year: i64,
    pub priority_group: String,
    pub homes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRecord {
    pub priority_group: String,
    pub organisation: String,
    pub what: String,
    pub months: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementRecord {
    pub id: String,
    pub tenant_id: String,
    pub agreement_id: String,
    pub priority_group: String,
    pub municipality_code: String,
    pub buurt_code: String,
    pub placed_on: String,
    pub household_pseudonym: String,
    pub corporation_org: String,
    pub support_org: String,
    pub support_description: String,
    pub support_confirmed_on: Option<String>,
    pub support_confirmed_by: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

const PLACEMENT_COLUMNS: &str = "id, tenant_id, agreement_id, priority_group, municipality_code, buurt_code, placed_on, \
    household_pseudonym, corporation_org, support_org, support_description, support_confirmed_on, support_confirmed_by, \
    created_by, created_at";

fn decode_placement(r: &sqlx::any::AnyRow) -> Result<PlacementRecord> {
    Ok(PlacementRecord {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        agreement_id: r.try_get(2)?,
        priority_group: r.try_get(3)?,
        municipality_code: r.try_get(4)?,
        buurt_code: r.try_get(5)?,
        placed_on: r.try_get(6)?,
        household_pseudonym: r.try_get(7)?,
        corporation_org: r.try_get(8)?,
        support_org: r.try_get(9)?,
        support_description: r.try_get(10)?,
        support_confirmed_on: r.try_get(11)?,
        support_confirmed_by: r.try_get(12)?,
        created_by: r.try_get(13)?,
        created_at: r.try_get(14)?,
    })
}

impl Store {
    pub async fn add_housing_plan(&self, p: &PlanRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO housing_plans (id, tenant_id, municipality_code, year, segment, construction, demolition, sales, \
             entered_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(p.id.clone())
        .bind(p.tenant_id.clone())
        .bind(p.municipality_code.clone())
        .bind(p.year)
        .bind(p.segment.clone())
        .bind(p.construction)
        .bind(p.demolition)
        .bind(p.sales)
        .bind(p.entered_by.clone())
        .bind(p.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Plans for a municipality (of every collaboration: plans are public policy).
    pub async fn housing_plans(&self, municipality: &str) -> Result<Vec<PlanRecord>> {
        let rows = sqlx::query(
            "SELECT id, tenant_id, municipality_code, year, segment, construction, demolition, sales, entered_by, created_at \
             FROM housing_plans WHERE municipality_code = $1 ORDER BY year, segment, created_at",
        )
        .bind(municipality.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanRecord {
                    id: r.try_get(0)?,
                    tenant_id: r.try_get(1)?,
                    municipality_code: r.try_get(2)?,
                    year: r.try_get(3)?,
                    segment: r.try_get(4)?,
                    construction: r.try_get(5)?,
                    demolition: r.try_get(6)?,
                    sales: r.try_get(7)?,
                    entered_by: r.try_get(8)?,
                    created_at: r.try_get(9)?,
                })
            })
            .collect()
    }

    pub async fn add_region(&self, r: &RegionRecord, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO housing_regions (id, tenant_id, name, municipality_codes, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(r.id.clone())
            .bind(r.tenant_id.clone())
            .bind(r.name.clone())
            .bind(r.municipality_codes.join(","))
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn regions(&self) -> Result<Vec<RegionRecord>> {
        let rows = sqlx::query("SELECT id, tenant_id, name, municipality_codes FROM housing_regions ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let codes: String = r.try_get(3)?;
                Ok(RegionRecord {
                    id: r.try_get(0)?,
                    tenant_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    municipality_codes: codes.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
                })
            })
            .collect()
    }

    pub async fn add_agreement(
        &self,
        a: &AgreementRecord,
        contingents: &[ContingentRecord],
        support: &[SupportRecord],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO agreements (id, tenant_id, kind, title, region_id, start_year, end_year, parties, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.id.clone())
        .bind(a.tenant_id.clone())
        .bind(a.kind.clone())
        .bind(a.title.clone())
        .bind(a.region_id.clone())
        .bind(a.start_year)
        .bind(a.end_year)
        .bind(a.parties.clone())
        .bind(a.created_at)
        .execute(&mut *tx)
        .await?;
        for c in contingents {
            sqlx::query(
                "INSERT INTO agreement_contingents (agreement_id, municipality_code, year, priority_group, homes) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(a.id.clone())
            .bind(c.municipality_code.clone())
            .bind(c.year)
            .bind(c.priority_group.clone())
            .bind(c.homes)
            .execute(&mut *tx)
            .await?;
        }
        for s in support {
            sqlx::query(
                "INSERT INTO agreement_support (agreement_id, priority_group, organisation, what, months) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(a.id.clone())
            .bind(s.priority_group.clone())
            .bind(s.organisation.clone())
            .bind(s.what.clone())
            .bind(s.months)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn agreements(&self, tenant: Option<&str>) -> Result<Vec<AgreementRecord>> {
        let base =
            "SELECT id, tenant_id, kind, title, region_id, start_year, end_year, parties, created_at FROM agreements";
        let rows = match tenant {
            Some(t) => {
                sqlx::query(&format!("{base} WHERE tenant_id = $1 ORDER BY start_year DESC, title"))
                    .bind(t.to_string())
                    .fetch_all(&self.pool)
                    .await?
            }
            None => sqlx::query(&format!("{base} ORDER BY start_year DESC, title")).fetch_all(&self.pool).await?,
        };
        rows.iter()
            .map(|r| {
                Ok(AgreementRecord {
                    id: r.try_get(0)?,
                    tenant_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    title: r.try_get(3)?,
                    region_id: r.try_get(4)?,
                    start_year: r.try_get(5)?,
                    end_year: r.try_get(6)?,
                    parties: r.try_get(7)?,
                    created_at: r.try_get(8)?,
                })
            })
            .collect()
    }

    pub async fn agreement_terms(&self, id: &str) -> Result<(Vec<ContingentRecord>, Vec<SupportRecord>)> {
        let c = sqlx::query(
            "SELECT municipality_code, year, priority_group, homes FROM agreement_contingents WHERE agreement_id = $1 \
             ORDER BY municipality_code, year, priority_group",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ContingentRecord {
                municipality_code: r.try_get(0)?,
                year: r.try_get(1)?,
                priority_group: r.try_get(2)?,
                homes: r.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let s = sqlx::query(
            "SELECT priority_group, organisation, what, months FROM agreement_support WHERE agreement_id = $1 ORDER BY priority_group, organisation",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok(SupportRecord { priority_group: r.try_get(0)?, organisation: r.try_get(1)?, what: r.try_get(2)?, months: r.try_get(3)? }))
        .collect::<Result<Vec<_>>>()?;
        Ok((c, s))
    }

    /// Placements of an agreement without anything pointing at a household: for the public
    /// progress figures (group, municipality, buurt, year, support confirmed or not).
    pub async fn placement_counts(&self, agreement_id: &str) -> Result<Vec<(String, String, String, String, bool)>> {
        let rows = sqlx::query(
            "SELECT priority_group, municipality_code, buurt_code, placed_on, support_confirmed_on FROM placements WHERE agreement_id = $1",
        )
        .bind(agreement_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let confirmed: Option<String> = r.try_get(4)?;
                Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, confirmed.is_some()))
            })
            .collect()
    }

    pub async fn placement_household(&self, tenant: &str, id: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT household_pseudonym FROM placements WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0)).transpose().map_err(Into::into)
    }
}

impl StoreTx {
    pub async fn add_placement(&mut self, handle: &AccessHandle, p: &PlacementRecord) -> Result<()> {
        handle.permits(&p.tenant_id, "housing", "write", &p.household_pseudonym)?;
        sqlx::query(&format!(
            "INSERT INTO placements ({PLACEMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(p.id.clone())
        .bind(p.tenant_id.clone())
        .bind(p.agreement_id.clone())
        .bind(p.priority_group.clone())
        .bind(p.municipality_code.clone())
        .bind(p.buurt_code.clone())
        .bind(p.placed_on.clone())
        .bind(p.household_pseudonym.clone())
        .bind(p.corporation_org.clone())
        .bind(p.support_org.clone())
        .bind(p.support_description.clone())
        .bind(p.support_confirmed_on.clone())
        .bind(p.support_confirmed_by.clone())
        .bind(p.created_by.clone())
        .bind(p.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Confirms the support of a placement, by the support organisation named on it
    /// (`who`: organisation id and user id) on date `on`. False when the placement is not
    /// theirs or already confirmed.
    pub async fn confirm_support(
        &mut self,
        handle: &AccessHandle,
        placement: (&str, &str, &str),
        who: (&str, &str),
        on: &str,
    ) -> Result<bool> {
        let (tenant, household, id) = placement;
        let (organisation, by) = who;
        handle.permits(tenant, "housing", "write", household)?;
        let done = sqlx::query(
            "UPDATE placements SET support_confirmed_on = $1, support_confirmed_by = $2 WHERE tenant_id = $3 AND id = $4 \
             AND support_org = $5 AND support_confirmed_on IS NULL",
        )
        .bind(on.to_string())
        .bind(by.to_string())
        .bind(tenant.to_string())
        .bind(id.to_string())
        .bind(organisation.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Placements of an agreement with their household pseudonyms, for the parties that
    /// handle them; read under a handle for the agreement.
    pub async fn placements(
        &mut self,
        handle: &AccessHandle,
        tenant: &str,
        agreement_id: &str,
    ) -> Result<Vec<PlacementRecord>> {
        handle.permits(tenant, "housing", "read", &format!("agreement:{agreement_id}"))?;
        let rows = sqlx::query(&format!(
            "SELECT {PLACEMENT_COLUMNS} FROM placements WHERE tenant_id = $1 AND agreement_id = $2 ORDER BY placed_on DESC, id"
        ))
        .bind(tenant.to_string())
        .bind(agreement_id.to_string())
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(decode_placement).collect()
    }
}
