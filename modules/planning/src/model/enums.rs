//! The document's fixed value sets. Each is a poem-openapi `Enum` (so the
//! document lists its values and a request with any other value is refused,
//! naming the field) and serializes to the same text in stored documents.

use serde::{Deserialize, Serialize};

/// Declares a fixed value set: the variants and their exact text.
macro_rules! value_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(poem_openapi::Enum, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[oai(rename = $text)] #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in the document's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's text, as the document writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value written as `text`, if any.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

value_set! {
    /// Where a version is in its life: edited as DRAFT or READY, APPROVED, then LOCKED for good.
    VersionStatus { Draft = "DRAFT", Ready = "READY", Approved = "APPROVED", Locked = "LOCKED" }
}

value_set! {
    /// A status a version may be given through `PATCH` (locking is `POST /api/versions/{id}/lock`).
    StatusChange { Draft = "DRAFT", Ready = "READY", Approved = "APPROVED" }
}

impl From<StatusChange> for VersionStatus {
    fn from(s: StatusChange) -> Self {
        match s {
            StatusChange::Draft => VersionStatus::Draft,
            StatusChange::Ready => VersionStatus::Ready,
            StatusChange::Approved => VersionStatus::Approved,
        }
    }
}

value_set! {
    /// The plan's base: relocation in 2028, or the historical baseline from 2023.
    VersionMode { Relocation2028 = "RELOCATION_2028", HistoricalBaseline = "HISTORICAL_BASELINE" }
}

value_set! {
    /// Status filter of the versions list; `all` (the default) for every status.
    StatusFilter {
        Draft = "DRAFT",
        Ready = "READY",
        Approved = "APPROVED",
        Locked = "LOCKED",
        All = "all",
    }
}

impl StatusFilter {
    /// The status to filter by; `None` for `all`.
    pub fn status(self) -> Option<VersionStatus> {
        VersionStatus::parse(self.as_str())
    }
}

value_set! {
    /// Mode filter of the versions list; `all` (the default) for every mode.
    ModeFilter {
        Relocation2028 = "RELOCATION_2028",
        HistoricalBaseline = "HISTORICAL_BASELINE",
        All = "all",
    }
}

impl ModeFilter {
    /// The mode to filter by; `None` for `all`.
    pub fn mode(self) -> Option<VersionMode> {
        VersionMode::parse(self.as_str())
    }
}

value_set! {
    /// Sort key of the versions list.
    SortBy { Name = "name", CreatedAt = "createdAt", UpdatedAt = "updatedAt" }
}

value_set! {
    /// Sort direction.
    SortOrder { Asc = "asc", Desc = "desc" }
}

value_set! {
    /// A curriculum: French (FR) or International Baccalaureate (IB).
    CurriculumType { Fr = "FR", Ib = "IB" }
}

value_set! {
    /// How rent is computed.
    RentModelKind {
        PartnerModel = "PARTNER_MODEL",
        FixedEscalation = "FIXED_ESCALATION",
        RevenueShare = "REVENUE_SHARE",
    }
}

value_set! {
    /// What a capital expenditure is for.
    CapexCategory {
        Building = "BUILDING",
        Technology = "TECHNOLOGY",
        Equipment = "EQUIPMENT",
        Furniture = "FURNITURE",
        Maintenance = "MAINTENANCE",
        Other = "OTHER",
    }
}

value_set! {
    /// A figure versions are compared on.
    Metric {
        NpvRent = "npvRent",
        NpvCashFlow = "npvCashFlow",
        AvgEbitdaMargin = "avgEBITDAMargin",
        AvgRentLoad = "avgRentLoad",
        BreakevenYear = "breakevenYear",
    }
}

value_set! {
    /// The kind of report.
    ReportType {
        ExecutiveSummary = "EXECUTIVE_SUMMARY",
        FinancialDetail = "FINANCIAL_DETAIL",
        Comparison = "COMPARISON",
    }
}

value_set! {
    /// The report's file format.
    ReportFormat { Pdf = "PDF", Excel = "EXCEL" }
}

value_set! {
    /// A role in planning.
    PlanningRole { Admin = "ADMIN", Planner = "PLANNER", Viewer = "VIEWER" }
}

value_set! {
    /// How dates are written in reports.
    DateFormat {
        DayMonthYear = "DD/MM/YYYY",
        MonthDayYear = "MM/DD/YYYY",
        Iso = "YYYY-MM-DD",
        DayMonthYearDots = "DD.MM.YYYY",
    }
}

value_set! {
    /// How numbers are grouped in reports.
    NumberFormat {
        Commas = "1,000,000",
        Dots = "1.000.000",
        Spaces = "1 000 000",
        Plain = "1000000",
    }
}
