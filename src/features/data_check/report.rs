//! The data check's findings, filtered (kind of problem, host app, when last seen) and exported as CSV or JSON.

use super::{Finding, Run, PROBLEM_KINDS, RUN_KEY};
use crate::platform::dates::format_utc;
use crate::platform::error::{Error, Result};
use crate::platform::json::read_fields;
use crate::platform::log::csv_line;
use crate::platform::store::{self, Store};

/// What the report shows; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    /// Kinds of problem (`fields`, `gone`, …): a record with any of them is shown.
    pub kinds: Vec<String>,
    pub app: Option<String>,
    pub seen_from_ms: Option<u64>,
    pub seen_to_ms: Option<u64>,
}
read_fields!(ReportFilter, "the report filter" {
    kinds: texts_or_default("kinds"),
    app: text("app"),
    seen_from_ms: count("seenFromMs"),
    seen_to_ms: count("seenToMs"),
});

impl ReportFilter {
    fn keeps(&self, finding: &Finding) -> bool {
        (self.kinds.is_empty() || finding.problems.iter().any(|problem| self.kinds.contains(&problem.kind)))
            && self.app.as_deref().map(str::trim).filter(|app| !app.is_empty()).is_none_or(|app| finding.app == app)
            && self.seen_from_ms.is_none_or(|from| finding.seen_at_ms >= from)
            && self.seen_to_ms.is_none_or(|to| finding.seen_at_ms <= to)
    }
}

/// The last run's findings the filter keeps, in the order checked.
pub async fn report(store: &impl Store, filter: &ReportFilter) -> Result<Vec<Finding>> {
    let run = store::read::<Run>(store, RUN_KEY).await.ok().flatten().unwrap_or_default();
    Ok(run.findings.into_iter().filter(|finding| filter.keeps(finding)).collect())
}

/// The filtered findings as `csv` (one line per problem) or `json`.
pub async fn export(store: &impl Store, filter: &ReportFilter, format: &str) -> Result<String> {
    let findings = report(store, filter).await?;
    match format {
        "json" => crate::platform::json::write(&findings, "the data check report"),
        "csv" => {
            let mut csv = csv_line(
                &["record", "host app", "record id", "GHL contact", "last seen", "problem", "details", "record page", "GHL page"]
                    .map(str::to_owned),
            );
            for finding in &findings {
                for problem in &finding.problems {
                    let kind = PROBLEM_KINDS.iter().find(|(kind, _)| *kind == problem.kind).map_or(problem.kind.as_str(), |(_, name)| name);
                    let details = std::iter::once(problem.text.clone())
                        .chain(
                            problem.fields.iter().map(|field| format!("{}: {} / GHL: {}", field.label, field.host_value, field.ghl_value)),
                        )
                        .collect::<Vec<_>>()
                        .join("; ");
                    csv.push_str(&csv_line(&[
                        finding.label.clone(),
                        finding.app_name.clone(),
                        finding.record_id.clone(),
                        finding.contact_id.clone(),
                        if finding.seen_at_ms == 0 { String::new() } else { format_utc(finding.seen_at_ms as i64) },
                        kind.to_owned(),
                        details,
                        finding.page_url.clone().unwrap_or_default(),
                        finding.ghl_url.clone(),
                    ]));
                }
            }
            Ok(csv)
        }
        other => Err(Error::invalid_message(format!("Export as csv or json, not \"{}\".", other.chars().take(20).collect::<String>()))),
    }
}
