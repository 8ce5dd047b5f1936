//! `PUT /api/Product/Copy`: a new product with every field and property of `srcProductName`,
//! under the new name, suid and description.

use axum::Json;
use axum::http::StatusCode;
use serde_json::Value;
use takt_domain::master_data::{EntityKind, parse_copy};
use takt_store::StoreError;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use takt_domain::master_data::render;

pub async fn copy(state: &AppState, caller: Caller, body: Value) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = parse_copy(&body)?;
    let (_, record) =
        state.app.master_upsert(caller.tenant, &caller.actor, EntityKind::Product, &input).await.map_err(
            |mut error| {
                if let StoreError::Missing(missing) = &mut error {
                    for at in missing.iter_mut().filter_map(|m| m.at.as_mut()) {
                        if at.field == "sourceProductName" {
                            at.field = "srcProductName";
                        }
                    }
                }
                error
            },
        )?;
    Ok((StatusCode::CREATED, Json(render::record(&record))))
}
