//! `Idempotency-Key` on every write of the document: the header, and the two answers it adds.

use takt_domain::idempotency::MAX_LEN;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, Paths};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Required};

use super::{reference, response};

const HEADER_DOC: &str = "Makes a retry safe: the same request again within 24 hours answers the first answer \
    (with `Idempotent-Replayed: true`) and writes nothing. Another request with the key is `422 \
    IDEMPOTENCY_KEY_REUSED`; one sent while the first still runs is `409 IDEMPOTENCY_KEY_IN_USE`.";

const ANSWERS: [(&str, &str); 2] = [
    ("409", "IDEMPOTENCY_KEY_IN_USE: the first request with this Idempotency-Key is still running."),
    ("422", "IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used for a different request."),
];

fn add_to(operation: &mut Operation) {
    let header = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(HEADER_DOC))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(MAX_LEN))))
        .build();
    operation.parameters.get_or_insert_with(Vec::new).push(header);
    for (status, why) in ANSWERS {
        let answers = &mut operation.responses.responses;
        match answers.get_mut(status) {
            Some(RefOr::T(existing)) => existing.description = format!("{} Or {why}", existing.description),
            _ => {
                answers.insert(status.to_owned(), RefOr::T(response(why, reference("ErrorEnvelope"))));
            }
        }
    }
}

/// Adds the header to every `POST`, `PUT`, `PATCH` and `DELETE` that needs a key.
pub(super) fn with_idempotency_keys(mut paths: Paths) -> Paths {
    for item in paths.paths.values_mut() {
        for operation in [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
            add_to(operation);
        }
    }
    paths
}
