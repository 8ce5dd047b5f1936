//! List's query: the shared select narrowed by the request's filters, ordered and paged.

use takt_domain::master_data::{EntitySpec, FilterTarget, FilterValue, ListQuery};

use super::select::select_sql;
use crate::TenantId;
use crate::sql::Query;

pub(super) fn query(tenant: TenantId, spec: &EntitySpec, query: &ListQuery) -> Query {
    let mut q = Query::new(select_sql(spec));
    q.push(" WHERE t.tenant_id = ").bind(tenant.0);
    for filter in &query.filters {
        let field = match filter.target {
            FilterTarget::Id => {
                if let FilterValue::Integer(id) = filter.value {
                    q.push(" AND t.id = ").bind(id);
                }
                continue;
            }
            FilterTarget::Field(index) => &spec.fields[index],
        };
        let column = field.column;
        match (&filter.value, field.reference) {
            (FilterValue::Null, _) => {
                q.push(&format!(" AND t.{column} IS NULL"));
            }
            (FilterValue::Text(name), Some(reference)) => {
                q.push(&format!(
                    " AND t.{column} IN (SELECT r.id FROM {} r WHERE r.tenant_id = ",
                    reference.target.spec().table
                ));
                q.bind(tenant.0).push(" AND r.name_folded = ").bind(name.as_str()).push(")");
            }
            (FilterValue::Text(text), None) if field.folded(spec) => {
                q.push(&format!(" AND t.{column}_folded = ")).bind(text.as_str());
            }
            (FilterValue::Text(text), None) => {
                q.push(&format!(" AND t.{column} = ")).bind(text.as_str());
            }
            (FilterValue::Integer(i), _) => {
                q.push(&format!(" AND t.{column} = ")).bind(*i);
            }
            (FilterValue::Bool(b), _) => {
                q.push(&format!(" AND t.{column} = ")).bind(*b);
            }
        }
    }
    q.push(" ORDER BY t.id");
    if query.limit.is_some() || query.offset > 0 {
        q.push(" LIMIT ").bind(query.limit.unwrap_or(i64::MAX)).push(" OFFSET ").bind(query.offset);
    }
    q
}
