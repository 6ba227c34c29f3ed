//! The scenario's `expect` lines as a shard folder stores them, in exact integer units, so that
//! `merge` judges them over all shards without the scenario's source (and its environment).

use crate::model::units::{Percent, Rate};
use crate::model::{Expectation, Metric, Threshold};
use crate::parser::ast::CmpOp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One `expect` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationRecord {
    /// The line as written (`p99(spike) < 250ms`).
    pub text: String,
    /// `p99.9`, `mean`, `min`, `max`, `success`, `errors`, `requests`, `rate`, `throughput`.
    pub metric: String,
    /// An attack, or `None` for `all`.
    pub target: Option<String>,
    /// `<`, `<=`, `>`, `>=`, `==`, `!=`.
    pub op: String,
    pub threshold: ThresholdRecord,
}

/// A threshold in exact units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThresholdRecord {
    Duration { nanos: u64 },
    Percent { ppm: u64 },
    Count { count: u64 },
    Rate { milli_per_hour: u64 },
}

const OPS: [(CmpOp, &str); 6] =
    [(CmpOp::Lt, "<"), (CmpOp::Le, "<="), (CmpOp::Gt, ">"), (CmpOp::Ge, ">="), (CmpOp::Eq, "=="), (CmpOp::Ne, "!=")];

impl ExpectationRecord {
    pub fn from_model(e: &Expectation) -> Self {
        let metric = e.metric.name();
        let threshold = match e.threshold {
            Threshold::Duration(d) => {
                ThresholdRecord::Duration { nanos: u64::try_from(d.as_nanos()).unwrap_or(u64::MAX) }
            }
            Threshold::Percent(p) => ThresholdRecord::Percent { ppm: p.ppm() },
            Threshold::Count(count) => ThresholdRecord::Count { count },
            Threshold::Rate(r) => ThresholdRecord::Rate { milli_per_hour: r.milli_per_hour() },
        };
        let op = OPS.iter().find(|(op, _)| *op == e.op).map_or("==", |(_, text)| text).to_string();
        ExpectationRecord { text: e.text.clone(), metric, target: e.target.clone(), op, threshold }
    }

    /// Back to the model; `Err` names what a newer or edited manifest holds that this version
    /// does not know.
    pub fn to_model(&self) -> Result<Expectation, String> {
        let metric = match Metric::from_name(&self.metric) {
            Some(Metric::Percentile(p)) if !Metric::is_percentile(p) => None,
            known => known,
        }
        .ok_or_else(|| format!("`expect {}`: unknown metric `{}`", self.text, self.metric))?;
        let op = OPS
            .iter()
            .find(|(_, text)| *text == self.op)
            .map(|(op, _)| *op)
            .ok_or_else(|| format!("`expect {}`: unknown comparison `{}`", self.text, self.op))?;
        let threshold = match self.threshold {
            ThresholdRecord::Duration { nanos } => Threshold::Duration(Duration::from_nanos(nanos)),
            ThresholdRecord::Percent { ppm } => Threshold::Percent(Percent::from_ppm(ppm)),
            ThresholdRecord::Count { count } => Threshold::Count(count),
            ThresholdRecord::Rate { milli_per_hour } => Threshold::Rate(Rate::from_milli_per_hour(milli_per_hour)),
        };
        Ok(Expectation { text: self.text.clone(), metric, target: self.target.clone(), op, threshold })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_expectation_round_trips() {
        let cases = [
            Expectation {
                text: "p99.9(spike) < 250ms".into(),
                metric: Metric::Percentile(99.9),
                target: Some("spike".into()),
                op: CmpOp::Lt,
                threshold: Threshold::Duration(Duration::from_millis(250)),
            },
            Expectation {
                text: "success(all) >= 99.5%".into(),
                metric: Metric::Success,
                target: None,
                op: CmpOp::Ge,
                threshold: Threshold::Percent(Percent::from_ppm(995_000)),
            },
            Expectation {
                text: "requests(a) == 10".into(),
                metric: Metric::Requests,
                target: Some("a".into()),
                op: CmpOp::Eq,
                threshold: Threshold::Count(10),
            },
            Expectation {
                text: "rate(all) != 400/s".into(),
                metric: Metric::Rate,
                target: None,
                op: CmpOp::Ne,
                threshold: Threshold::Rate(Rate::per_second(400)),
            },
        ];
        for e in cases {
            let record = ExpectationRecord::from_model(&e);
            let json = serde_json::to_string(&record).expect("serializes");
            let back: ExpectationRecord = serde_json::from_str(&json).expect("deserializes");
            let model = back.to_model().expect("known");
            assert_eq!(
                (model.text, model.metric, model.target, model.op, model.threshold),
                (e.text, e.metric, e.target, e.op, e.threshold)
            );
        }
        let unknown = ExpectationRecord {
            metric: "p200".into(),
            ..ExpectationRecord::from_model(&Expectation {
                text: "x".into(),
                metric: Metric::Mean,
                target: None,
                op: CmpOp::Lt,
                threshold: Threshold::Count(1),
            })
        };
        assert!(unknown.to_model().unwrap_err().contains("unknown metric `p200`"));
    }
}
