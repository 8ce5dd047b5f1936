//! Statements and their parameters, in the `$n` syntax both engines accept.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

/// The type of a parameter; a NULL carries one so that PostgreSQL can plan the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    Bool,
    Int,
    Float,
    Text,
    Bytes,
    Uuid,
    Timestamp,
    Date,
    Decimal,
}

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null(SqlType),
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Uuid(Uuid),
    Timestamp(DateTime<Utc>),
    Date(NaiveDate),
    Decimal(Decimal),
}

impl Param {
    /// The type the parameter binds as.
    pub fn sql_type(&self) -> SqlType {
        match self {
            Param::Null(t) => *t,
            Param::Bool(_) => SqlType::Bool,
            Param::Int(_) => SqlType::Int,
            Param::Float(_) => SqlType::Float,
            Param::Text(_) => SqlType::Text,
            Param::Bytes(_) => SqlType::Bytes,
            Param::Uuid(_) => SqlType::Uuid,
            Param::Timestamp(_) => SqlType::Timestamp,
            Param::Date(_) => SqlType::Date,
            Param::Decimal(_) => SqlType::Decimal,
        }
    }

    /// Whether storing `self` over `other` would change nothing: equal values, a decimal's
    /// scale included (`1.50` is not stored as `1.5`), NULL equal to NULL whatever its type.
    pub fn stores_as(&self, other: &Param) -> bool {
        match (self, other) {
            (Param::Null(_), Param::Null(_)) => true,
            (Param::Decimal(a), Param::Decimal(b)) => a == b && a.scale() == b.scale(),
            (a, b) => a == b,
        }
    }
}

macro_rules! param_from {
    ($t:ty, $variant:ident, $sql:ident) => {
        impl From<$t> for Param {
            fn from(v: $t) -> Param {
                Param::$variant(v.into())
            }
        }
        impl From<Option<$t>> for Param {
            fn from(v: Option<$t>) -> Param {
                v.map_or(Param::Null(SqlType::$sql), Param::from)
            }
        }
    };
}
param_from!(bool, Bool, Bool);
param_from!(i64, Int, Int);
param_from!(f64, Float, Float);
param_from!(String, Text, Text);
param_from!(&str, Text, Text);
param_from!(Vec<u8>, Bytes, Bytes);
param_from!(Uuid, Uuid, Uuid);
param_from!(DateTime<Utc>, Timestamp, Timestamp);
param_from!(NaiveDate, Date, Date);
param_from!(Decimal, Decimal, Decimal);

impl From<&String> for Param {
    fn from(v: &String) -> Param {
        Param::Text(v.clone())
    }
}

impl From<Option<&String>> for Param {
    fn from(v: Option<&String>) -> Param {
        v.map_or(Param::Null(SqlType::Text), Param::from)
    }
}

/// A statement and its parameters.
#[derive(Debug, Clone, Default)]
pub struct Query {
    sql: String,
    params: Vec<Param>,
}

impl Query {
    /// A statement with no parameters yet.
    pub fn new(sql: impl Into<String>) -> Query {
        Query { sql: sql.into(), params: Vec::new() }
    }

    /// Adds a parameter for a `$n` already written in the SQL.
    pub fn arg(mut self, param: impl Into<Param>) -> Query {
        self.params.push(param.into());
        self
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Query {
        self.sql.push_str(sql);
        self
    }

    /// Appends a `$n` placeholder bound to `param`.
    pub fn bind(&mut self, param: impl Into<Param>) -> &mut Query {
        self.params.push(param.into());
        let n = self.params.len();
        self.sql.push('$');
        self.sql.push_str(&n.to_string());
        self
    }

    /// Appends `$n` placeholders for each parameter, separated by commas.
    pub fn bind_list(&mut self, params: impl IntoIterator<Item = Param>) -> &mut Query {
        for (i, p) in params.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(p);
        }
        self
    }

    /// Appends `(VALUES (...), (...)) AS k`: a table of the given rows, whose columns both
    /// engines name `k.column1`, `k.column2`, ... Follow it with `CROSS JOIN table t ... WHERE
    /// t.key = k.column1`: SQLite then takes the keys as the outer loop, one index search each
    /// (with `IN (...)` or a plain join it may scan the tenant's rows instead), and PostgreSQL
    /// plans it as any join.
    pub fn values_table<R: IntoIterator<Item = Param>>(&mut self, rows: impl IntoIterator<Item = R>) -> &mut Query {
        self.sql.push_str("(VALUES ");
        for (n, row) in rows.into_iter().enumerate() {
            self.sql.push_str(if n == 0 { "(" } else { ", (" });
            self.bind_list(row);
            self.sql.push(')');
        }
        self.sql.push_str(") AS k");
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn params(&self) -> &[Param] {
        &self.params
    }
}

/// Escapes `%`, `_` and `\` so that a text matches itself literally in `LIKE ... ESCAPE '\'`.
pub fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A `LIKE` pattern in which `%` is the only wildcard (the master-data API's "Like" match).
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_number_placeholders_in_order() {
        let mut q = Query::new("SELECT 1 WHERE a = ");
        q.bind(1_i64).push(" AND b IN (").bind_list([Param::from("x"), Param::from("y")]).push(")");
        assert_eq!(q.sql(), "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(q.params().len(), 3);
    }

    #[test]
    fn a_values_table_numbers_its_parameters_in_order() {
        let mut q = Query::new("SELECT t.id FROM ");
        q.values_table([[Param::from("a"), Param::from("b")], [Param::from("c"), Param::from("d")]]);
        q.push(" CROSS JOIN cells t WHERE t.tenant_id = ").bind(1_i64);
        assert_eq!(
            q.sql(),
            "SELECT t.id FROM (VALUES ($1, $2), ($3, $4)) AS k CROSS JOIN cells t WHERE t.tenant_id = $5"
        );
        assert_eq!(q.params().len(), 5);
    }

    #[test]
    fn storing_the_same_value_again_changes_nothing_but_a_decimals_scale_does() {
        use rust_decimal::Decimal;
        let d = |s: &str| Param::Decimal(s.parse::<Decimal>().unwrap());
        assert!(d("1.50").stores_as(&d("1.50")));
        assert!(!d("1.50").stores_as(&d("1.5")));
        assert!(Param::Null(SqlType::Text).stores_as(&Param::Null(SqlType::Int)));
        assert!(!Param::from("a").stores_as(&Param::Null(SqlType::Text)));
        assert!(Param::from("a").stores_as(&Param::from("a")));
    }

    #[test]
    fn like_escapes() {
        assert_eq!(like_literal("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(like_pattern("50%_off"), "50%\\_off");
    }
}
