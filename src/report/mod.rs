//! What people and CI look at after a run: metrics read back from the run folder, reports from
//! templates (text, Markdown, HTML, JSON, the user's), expectations, notifications, comparisons.

pub mod compare;
pub mod context;
pub mod expect;
pub mod metrics;
pub mod notify;
pub mod output;
pub mod plot_files;
pub mod plots;
pub mod recount;
pub mod run_folder;
pub mod success_rates;
pub mod template_error;
pub(crate) mod template_filters;
pub mod templates;
pub mod vegeta_text;
