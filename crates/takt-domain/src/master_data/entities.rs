//! The sixteen master-data entities (SPEC.md section 4; seeds 003 and 004 for BomVersion and
//! Product, with their byte lengths and "Mandatory: Create" columns).

use super::spec::{
    DefaultValue, EntityKind, EntitySpec, MasterField, OnDelete, RefBy, Reference, Title, plain, reference,
    with_default,
};
use crate::schema::{DecimalRule, Field, I32_MAX, Kind};

/// The names of the fields that rules, messages and titles read, spelled once for the
/// descriptions below and their readers.
pub mod field {
    pub const NAME: &str = "name";
    pub const SUID: &str = "suid";
    pub const PRODUCT: &str = "product";
    pub const DEFAULT_BATCH_SIZE: &str = "defaultBatchSize";
    pub const MIN_SCHEDULE_BATCH_SIZE: &str = "minScheduleBatchSize";
    pub const MAX_SCHEDULE_BATCH_SIZE: &str = "maxScheduleBatchSize";
    pub const BOM: &str = "bom";
    pub const MAJOR_VERSION: &str = "majorVersion";
    pub const MINOR_VERSION: &str = "minorVersion";
    pub const APPROVAL_STATUS: &str = "approvalStatus";
    pub const BOM_VERSION_ID: &str = "bomVersionId";
    pub const RECIPE: &str = "recipe";
    pub const STATUS: &str = "status";
    pub const PLANNED_START: &str = "plannedStart";
    pub const PLANNED_END: &str = "plannedEnd";
}

const fn text(max_bytes: usize) -> Kind {
    Kind::Text { max_bytes }
}

const fn name(max_bytes: usize) -> MasterField {
    plain(Field::required(field::NAME, text(max_bytes), "Unique per tenant, case-insensitive."), "name", true)
}

const DESCRIPTION: MasterField = plain(Field::optional("description", text(2000), "Free text."), "description", false);

const fn suid(max_bytes: usize) -> MasterField {
    plain(
        Field::optional(field::SUID, text(max_bytes), "A unique id from another system; unique per tenant when given."),
        "suid",
        true,
    )
}

/// A reference by name; the field's text limit is the target's name limit.
const fn by_name(
    name: &'static str,
    column: &'static str,
    target: EntityKind,
    max_bytes: usize,
    required: bool,
    like: bool,
    doc: &'static str,
) -> MasterField {
    let field = Field { name, kind: text(max_bytes), required, doc };
    reference(field, column, Reference { target, by: RefBy::Name { like }, on_delete: OnDelete::Restrict })
}

const fn by_id(
    name: &'static str,
    column: &'static str,
    target: EntityKind,
    required: bool,
    on_delete: OnDelete,
    doc: &'static str,
) -> MasterField {
    let field = Field { name, kind: Kind::Integer { min: 1, max: i64::MAX }, required, doc };
    reference(field, column, Reference { target, by: RefBy::Id, on_delete })
}

const fn flag(name: &'static str, column: &'static str, default: bool, doc: &'static str) -> MasterField {
    with_default(Field::optional(name, Kind::Bool, doc), column, DefaultValue::Bool(default))
}

const fn required_flag(name: &'static str, column: &'static str, doc: &'static str) -> MasterField {
    plain(Field::required(name, Kind::Bool, doc), column, true)
}

const fn decimal(
    name: &'static str,
    column: &'static str,
    rule: DecimalRule,
    required: bool,
    doc: &'static str,
) -> MasterField {
    plain(Field { name, kind: Kind::Decimal(rule), required, doc }, column, false)
}

const fn count(name: &'static str, column: &'static str, max: i64, required: bool, doc: &'static str) -> MasterField {
    plain(Field { name, kind: Kind::Integer { min: 0, max }, required, doc }, column, true)
}

/// Reference data that products point to: a name and a description.
const fn reference_data(
    kind: EntityKind,
    name_: &'static str,
    label: &'static str,
    plural: &'static str,
    table: &'static str,
    fields: &'static [MasterField],
) -> EntitySpec {
    EntitySpec {
        kind,
        name: name_,
        label,
        plural,
        table,
        fields,
        unique: NAME_UNIQUE,
        built_in: &[],
        title: Title::Name,
        properties: false,
    }
}

const NAME_UNIQUE: &[&[&str]] = &[&[field::NAME]];
const NAME_AND_SUID_UNIQUE: &[&[&str]] = &[&[field::NAME], &[field::SUID]];

/// Statuses every tenant starts with; a BoM version in `Approved` (or later `Obsolete`) is frozen.
pub const APPROVAL_STATUSES: &[&str] = &["Draft", "Pending", "Approved", "Rejected", "Obsolete"];
/// Ownership types every tenant starts with.
pub const OWNERSHIP_TYPES: &[&str] = &["Internal", "Customer Owned", "Vendor Owned"];
/// A schedule's states, in the only order it may move through them.
pub const SCHEDULE_STATUSES: &[&str] = &["scheduled", "started", "completed"];
/// The entities whose records may carry properties (values of `PropertyDefinition.tableName`).
pub const PROPERTY_TABLES: &[&str] = &["Product"];

pub static PRODUCT_TYPE: EntitySpec = reference_data(
    EntityKind::ProductType,
    "ProductType",
    "product type",
    "product types",
    "product_types",
    &[name(250), DESCRIPTION],
);
pub static CURRENCY: EntitySpec =
    reference_data(EntityKind::Currency, "Currency", "currency", "currencies", "currencies", &[name(50), DESCRIPTION]);
pub static UNIT_OF_MEASURE: EntitySpec = reference_data(
    EntityKind::UnitOfMeasure,
    "UnitOfMeasure",
    "unit of measure",
    "units of measure",
    "units_of_measure",
    &[name(30), DESCRIPTION],
);
pub static LOCATION: EntitySpec =
    reference_data(EntityKind::Location, "Location", "location", "locations", "locations", &[name(20), DESCRIPTION]);
pub static RECEIPT_PROFILE: EntitySpec = reference_data(
    EntityKind::ReceiptProfile,
    "ReceiptProfile",
    "receipt profile",
    "receipt profiles",
    "receipt_profiles",
    &[name(100), DESCRIPTION],
);
pub static SERIAL_RANGE: EntitySpec = reference_data(
    EntityKind::SerialRange,
    "SerialRange",
    "serial range",
    "serial ranges",
    "serial_ranges",
    &[name(500), DESCRIPTION],
);
pub static OWNERSHIP_TYPE: EntitySpec = EntitySpec {
    built_in: OWNERSHIP_TYPES,
    ..reference_data(
        EntityKind::OwnershipType,
        "OwnershipType",
        "ownership type",
        "ownership types",
        "ownership_types",
        &[name(50)],
    )
};
pub static APPROVAL_STATUS: EntitySpec = EntitySpec {
    built_in: APPROVAL_STATUSES,
    ..reference_data(
        EntityKind::ApprovalStatus,
        "ApprovalStatus",
        "approval status",
        "approval statuses",
        "approval_statuses",
        &[name(50)],
    )
};
pub static PROPERTY_DEFINITION: EntitySpec = EntitySpec {
    unique: &[&["tableName", field::NAME]],
    ..reference_data(
        EntityKind::PropertyDefinition,
        "PropertyDefinition",
        "property definition",
        "property definitions",
        "property_definitions",
        &[
            plain(
                Field::required("tableName", Kind::Enum(PROPERTY_TABLES), "The entity whose records carry it."),
                "table_name",
                true,
            ),
            plain(Field::required(field::NAME, text(50), "Unique per table, case-insensitive."), "name", true),
            DESCRIPTION,
        ],
    )
};
pub static BOM_TYPE: EntitySpec = reference_data(
    EntityKind::BomType,
    "BomType",
    "BoM type",
    "BoM types",
    "bom_types",
    &[
        name(100),
        flag("isControlled", "is_controlled", false, "Whether BoMs of this type are controlled. Defaults to false."),
    ],
);

pub static PRODUCT: EntitySpec = EntitySpec {
    kind: EntityKind::Product,
    name: "Product",
    label: "product",
    plural: "products",
    table: "products",
    fields: &[
        by_name(
            "productType",
            "product_type_id",
            EntityKind::ProductType,
            250,
            true,
            true,
            "Product type name; % is a wildcard and must match one type.",
        ),
        suid(200),
        name(250),
        DESCRIPTION,
        plain(Field::required("version", text(50), "The product's version label."), "version", true),
        by_name(
            "defaultOwnership",
            "default_ownership_id",
            EntityKind::OwnershipType,
            50,
            true,
            false,
            "Ownership type name.",
        ),
        decimal("defaultCostPerUnit", "default_cost_per_unit", DecimalRule::NonNegative, true, "Exact decimal."),
        by_name("defaultCurrency", "default_currency_id", EntityKind::Currency, 50, true, false, "Currency name."),
        by_name("baseUnit", "base_unit_id", EntityKind::UnitOfMeasure, 30, true, false, "Unit of measure name."),
        by_name(
            "receiptProfile",
            "receipt_profile_id",
            EntityKind::ReceiptProfile,
            100,
            true,
            false,
            "Receipt profile name.",
        ),
        by_name("receiptRecipe", "receipt_recipe_id", EntityKind::Recipe, 200, false, false, "Recipe name."),
        by_name("serialRange", "serial_range_id", EntityKind::SerialRange, 500, false, false, "Serial range name."),
        decimal(
            field::DEFAULT_BATCH_SIZE,
            "default_batch_size",
            DecimalRule::Positive,
            true,
            "Between the min and max schedule batch sizes.",
        ),
        decimal(
            field::MIN_SCHEDULE_BATCH_SIZE,
            "min_schedule_batch_size",
            DecimalRule::NonNegative,
            false,
            "At most the default batch size.",
        ),
        decimal("scheduleBatchIncrement", "schedule_batch_increment", DecimalRule::Positive, false, "Greater than 0."),
        decimal(
            field::MAX_SCHEDULE_BATCH_SIZE,
            "max_schedule_batch_size",
            DecimalRule::Positive,
            false,
            "At least the default batch size.",
        ),
        count("peggingExpiryDays", "pegging_expiry_days", I32_MAX, false, "Days."),
        count("shelfLifeDays", "shelf_life_days", I32_MAX, false, "Days."),
        count("inventoryDecimalPlaces", "inventory_decimal_places", 10, true, "0 to 10."),
        by_name("location", "location_id", EntityKind::Location, 20, true, false, "Location name."),
        required_flag("isActive", "is_active", "Whether the product is in use."),
        required_flag("isPlanningConstraint", "is_planning_constraint", "Whether planning treats it as a constraint."),
    ],
    unique: NAME_AND_SUID_UNIQUE,
    built_in: &[],
    title: Title::Name,
    properties: true,
};

pub static BOM: EntitySpec = EntitySpec {
    kind: EntityKind::Bom,
    name: "Bom",
    label: "BoM",
    plural: "BoMs",
    table: "boms",
    fields: &[
        name(100),
        by_name(field::PRODUCT, "product_id", EntityKind::Product, 250, true, false, "The product it builds."),
        by_name("bomType", "bom_type_id", EntityKind::BomType, 100, false, false, "BoM type name."),
        suid(120),
    ],
    unique: NAME_AND_SUID_UNIQUE,
    built_in: &[],
    title: Title::Name,
    properties: false,
};

pub static BOM_VERSION: EntitySpec = EntitySpec {
    kind: EntityKind::BomVersion,
    name: "BomVersion",
    label: "BoM version",
    plural: "BoM versions",
    table: "bom_versions",
    fields: &[
        by_name(field::BOM, "bom_id", EntityKind::Bom, 100, true, false, "The BoM's name."),
        count(field::MAJOR_VERSION, "major_version", I32_MAX, true, "Or give version as \"major.minor\"."),
        count(field::MINOR_VERSION, "minor_version", I32_MAX, true, "Or give version as \"major.minor\"."),
        by_name(
            field::APPROVAL_STATUS,
            "approval_status_id",
            EntityKind::ApprovalStatus,
            50,
            true,
            false,
            "Approved versions are frozen.",
        ),
        plain(Field::optional("changeReference", text(100), "Why this version exists."), "change_reference", false),
        suid(120),
        by_id(
            "scheduleId",
            "schedule_id",
            EntityKind::Schedule,
            false,
            OnDelete::Restrict,
            "A schedule this version is specific to.",
        ),
        DESCRIPTION,
    ],
    unique: &[&[field::BOM, field::MAJOR_VERSION, field::MINOR_VERSION], &[field::SUID]],
    built_in: &[],
    title: Title::BomVersion,
    properties: false,
};

pub static BOM_SLOT: EntitySpec = EntitySpec {
    kind: EntityKind::BomSlot,
    name: "BomSlot",
    label: "BoM slot",
    plural: "BoM slots",
    table: "bom_slots",
    fields: &[
        by_id(
            field::BOM_VERSION_ID,
            "bom_version_id",
            EntityKind::BomVersion,
            true,
            OnDelete::Cascade,
            "The version it belongs to.",
        ),
        by_name(field::PRODUCT, "product_id", EntityKind::Product, 250, true, false, "What the slot consumes."),
        decimal("quantity", "quantity", DecimalRule::Positive, true, "How much, greater than 0."),
        by_name(
            "unitOfMeasure",
            "unit_of_measure_id",
            EntityKind::UnitOfMeasure,
            30,
            false,
            false,
            "Unit of measure name.",
        ),
        plain(Field::optional("slotType", text(50), "Free classification."), "slot_type", true),
        flag("isRequired", "is_required", true, "Defaults to true."),
        flag("isActive", "is_active", true, "Defaults to true."),
    ],
    unique: &[],
    built_in: &[],
    title: Title::Id,
    properties: false,
};

pub static RECIPE: EntitySpec = EntitySpec {
    kind: EntityKind::Recipe,
    name: "Recipe",
    label: "recipe",
    plural: "recipes",
    table: "recipes",
    fields: &[
        name(200),
        suid(120),
        by_name(field::PRODUCT, "product_id", EntityKind::Product, 250, true, false, "The product it makes."),
        by_id(
            field::BOM_VERSION_ID,
            "bom_version_id",
            EntityKind::BomVersion,
            false,
            OnDelete::Restrict,
            "A version of a BoM of the same product.",
        ),
    ],
    unique: NAME_AND_SUID_UNIQUE,
    built_in: &[],
    title: Title::Name,
    properties: false,
};

pub static SCHEDULE: EntitySpec = EntitySpec {
    kind: EntityKind::Schedule,
    name: "Schedule",
    label: "schedule",
    plural: "schedules",
    table: "schedules",
    fields: &[
        name(200),
        by_name(field::RECIPE, "recipe_id", EntityKind::Recipe, 200, true, false, "Its BoM version must be approved."),
        decimal("quantity", "quantity", DecimalRule::Positive, true, "How much to make, greater than 0."),
        plain(Field::optional(field::PLANNED_START, Kind::Timestamp, "RFC 3339."), "planned_start", false),
        plain(
            Field::optional(field::PLANNED_END, Kind::Timestamp, "RFC 3339, not before plannedStart."),
            "planned_end",
            false,
        ),
        with_default(
            Field::optional(field::STATUS, Kind::Enum(SCHEDULE_STATUSES), "scheduled, then started, then completed."),
            "status",
            DefaultValue::Text("scheduled"),
        ),
    ],
    unique: NAME_UNIQUE,
    built_in: &[],
    title: Title::Name,
    properties: false,
};

/// Every entity, in an order where each one's references come before it (recipes and
/// schedules, which BoM versions and products may point back to, excepted).
pub static ALL: [&EntitySpec; 16] = [
    &PRODUCT_TYPE,
    &CURRENCY,
    &UNIT_OF_MEASURE,
    &LOCATION,
    &RECEIPT_PROFILE,
    &SERIAL_RANGE,
    &OWNERSHIP_TYPE,
    &APPROVAL_STATUS,
    &PROPERTY_DEFINITION,
    &BOM_TYPE,
    &PRODUCT,
    &BOM,
    &BOM_VERSION,
    &BOM_SLOT,
    &RECIPE,
    &SCHEDULE,
];

impl EntityKind {
    /// This entity's description.
    pub fn spec(self) -> &'static EntitySpec {
        ALL.iter().copied().find(|s| s.kind == self).expect("every kind has a spec")
    }

    /// Finds an entity by the name in a path (`BomVersion`, `Bom Version`, `bomversion`).
    pub fn from_path(segment: &str) -> Option<EntityKind> {
        let wanted = crate::json::loose_key(segment);
        ALL.iter().find(|s| crate::json::loose_key(s.name) == wanted).map(|s| s.kind)
    }
}
