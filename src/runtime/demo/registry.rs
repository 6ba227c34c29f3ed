//! The functions a demo node knows: every name called so far (with its counters) and those
//! deployed through the OpenFaaS API. Any name is served until it is deleted through the API.

use super::stats::{FunctionCounters, FunctionStats};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Names tracked one by one; calls to further names are counted together, so a scenario that
/// calls `/function/{{ uuid }}` keeps memory flat.
pub const MAX_TRACKED_FUNCTIONS: usize = 4096;

/// What `POST`/`PUT /system/functions` declared for a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Deployment {
    pub image: String,
    pub labels: BTreeMap<String, String>,
    pub env_vars: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

/// One function name on this node.
#[derive(Debug, Default)]
pub(super) struct FunctionEntry {
    pub counters: FunctionCounters,
    deleted: AtomicBool,
    deployment: Mutex<Option<Deployment>>,
}

impl FunctionEntry {
    /// Deleted through the API and not deployed again: calls answer 404.
    pub(super) fn is_deleted(&self) -> bool {
        self.deleted.load(Ordering::Acquire)
    }

    fn deployment(&self) -> std::sync::MutexGuard<'_, Option<Deployment>> {
        // Plain data replaced whole: a panic elsewhere cannot leave it half-written.
        self.deployment.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A deployed function as `GET /system/functions` lists it (OpenFaaS `FunctionStatus` fields).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FunctionStatus {
    pub name: String,
    pub image: String,
    pub namespace: &'static str,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub env_vars: BTreeMap<String, String>,
    pub replicas: u32,
    pub available_replicas: u32,
    pub invocation_count: u64,
}

/// Why a deploy, update or delete was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    AlreadyDeployed,
    NotDeployed,
}

#[derive(Debug, Default)]
pub(super) struct Registry {
    entries: RwLock<HashMap<Box<str>, Arc<FunctionEntry>>>,
    other: Arc<FunctionEntry>,
}

/// The namespace OpenFaaS puts functions in by default.
const NAMESPACE: &str = "openfaas-fn";

impl Registry {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Box<str>, Arc<FunctionEntry>>> {
        self.entries.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Box<str>, Arc<FunctionEntry>>> {
        self.entries.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The entry counting calls to `name`: allocates only the first time a name is seen.
    pub(super) fn lookup(&self, name: &str) -> Arc<FunctionEntry> {
        if let Some(entry) = self.read().get(name) {
            return entry.clone();
        }
        let mut entries = self.write();
        if let Some(entry) = entries.get(name) {
            return entry.clone();
        }
        if entries.len() >= MAX_TRACKED_FUNCTIONS {
            return self.other.clone();
        }
        entries.entry(name.into()).or_default().clone()
    }

    /// `POST /system/functions`: refused when the function is already deployed (as OpenFaaS does).
    pub(super) fn deploy(&self, name: &str, deployment: Deployment) -> Result<(), Refusal> {
        let mut entries = self.write();
        let entry = entries.entry(name.into()).or_default();
        let mut current = entry.deployment();
        if current.is_some() {
            return Err(Refusal::AlreadyDeployed);
        }
        *current = Some(deployment);
        entry.deleted.store(false, Ordering::Release);
        Ok(())
    }

    /// `PUT /system/functions`: replaces a deployed function's declaration.
    pub(super) fn update(&self, name: &str, deployment: Deployment) -> Result<(), Refusal> {
        let entries = self.read();
        let entry = entries.get(name).ok_or(Refusal::NotDeployed)?;
        let mut current = entry.deployment();
        match current.as_mut() {
            Some(slot) => {
                *slot = deployment;
                Ok(())
            }
            None => Err(Refusal::NotDeployed),
        }
    }

    /// `DELETE /system/functions`: undeploys; calls to the name answer 404 until it is deployed again.
    pub(super) fn delete(&self, name: &str) -> Result<(), Refusal> {
        let entries = self.read();
        let entry = entries.get(name).ok_or(Refusal::NotDeployed)?;
        let mut current = entry.deployment();
        if current.take().is_none() {
            return Err(Refusal::NotDeployed);
        }
        entry.deleted.store(true, Ordering::Release);
        Ok(())
    }

    /// One deployed function, or `None`.
    pub(super) fn status(&self, name: &str) -> Option<FunctionStatus> {
        let entries = self.read();
        let entry = entries.get(name)?;
        status_of(name, entry)
    }

    /// Every deployed function, by name.
    pub(super) fn list(&self) -> Vec<FunctionStatus> {
        let entries = self.read();
        let mut list: Vec<FunctionStatus> = entries.iter().filter_map(|(name, entry)| status_of(name, entry)).collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }

    /// Counters per tracked name (names never called and never deployed are left out), and the
    /// untracked names' sum.
    pub(super) fn stats(&self) -> (BTreeMap<String, FunctionStats>, FunctionStats) {
        let entries = self.read();
        let functions = entries
            .iter()
            .map(|(name, entry)| (name.to_string(), entry.counters.snapshot()))
            .filter(|(_, stats)| stats.calls > 0)
            .collect();
        (functions, self.other.counters.snapshot())
    }
}

fn status_of(name: &str, entry: &FunctionEntry) -> Option<FunctionStatus> {
    let deployment = entry.deployment().clone()?;
    Some(FunctionStatus {
        name: name.to_string(),
        image: deployment.image,
        namespace: NAMESPACE,
        labels: deployment.labels,
        annotations: deployment.annotations,
        env_vars: deployment.env_vars,
        replicas: 1,
        available_replicas: 1,
        invocation_count: entry.counters.served.get(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(image: &str) -> Deployment {
        Deployment {
            image: image.to_string(),
            labels: BTreeMap::new(),
            env_vars: BTreeMap::new(),
            annotations: BTreeMap::new(),
        }
    }

    #[test]
    fn deploy_update_delete_lifecycle() {
        let registry = Registry::default();
        assert_eq!(registry.update("figlet", deployment("a")), Err(Refusal::NotDeployed));
        assert_eq!(registry.deploy("figlet", deployment("a")), Ok(()));
        assert_eq!(registry.deploy("figlet", deployment("a")), Err(Refusal::AlreadyDeployed));
        assert_eq!(registry.update("figlet", deployment("b")), Ok(()));
        assert_eq!(registry.status("figlet").map(|s| s.image), Some("b".to_string()));
        assert!(!registry.lookup("figlet").is_deleted());
        assert_eq!(registry.delete("figlet"), Ok(()));
        assert!(registry.lookup("figlet").is_deleted());
        assert_eq!(registry.delete("figlet"), Err(Refusal::NotDeployed));
        assert!(registry.list().is_empty());
        assert_eq!(registry.deploy("figlet", deployment("c")), Ok(()));
        assert!(!registry.lookup("figlet").is_deleted());
    }

    #[test]
    fn names_beyond_the_cap_share_one_entry() {
        let registry = Registry::default();
        for i in 0..MAX_TRACKED_FUNCTIONS {
            registry.lookup(&format!("f{i}")).counters.calls.inc();
        }
        registry.lookup("one-too-many").counters.calls.inc();
        registry.lookup("two-too-many").counters.calls.inc();
        registry.lookup("f0").counters.calls.inc();
        let (functions, other) = registry.stats();
        assert_eq!(functions.len(), MAX_TRACKED_FUNCTIONS);
        assert_eq!(functions["f0"].calls, 2);
        assert_eq!(other.calls, 2);
    }
}
