//! Kubernetes names and values we check before rendering: DNS-1035 labels for the Job and Service
//! (pods are `<name>-<index>`), DNS-1123 labels for namespaces and claims, resource quantities.

/// The longest DNS label.
pub const MAX_LABEL: usize = 63;
/// The suffix of the merge Job's name.
pub const MERGE_SUFFIX: &str = "-merge";
/// The suffix of the ConfigMap holding the scenario.
pub const SCENARIO_SUFFIX: &str = "-scenario";

fn is_label_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// A DNS-1123 label: lowercase letters, digits and `-`, starting and ending with a letter or digit.
pub fn check_label(what: &str, value: &str) -> Result<(), String> {
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if value.is_empty()
        || value.len() > MAX_LABEL
        || !value.chars().all(is_label_char)
        || !ends_ok(value.chars().next())
        || !ends_ok(value.chars().last())
    {
        return Err(format!(
            "{what} `{value}` is not a DNS-1123 label: at most {MAX_LABEL} lowercase letters, digits and `-`, \
             starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

/// A DNS-1123 subdomain (Secret names): dot-separated labels, at most 253 characters.
pub fn check_subdomain(what: &str, value: &str) -> Result<(), String> {
    if value.len() > 253 || value.split('.').any(|label| check_label(what, label).is_err()) {
        return Err(format!(
            "{what} `{value}` is not a DNS-1123 subdomain: lowercase letters, digits, `-` and `.`, \
             starting and ending with a letter or digit, at most 253 characters"
        ));
    }
    Ok(())
}

/// The name of the Job, its Service and pod host names (`<name>-<index>`): a DNS-1035 label (it
/// starts with a letter) short enough for `<name>-<last index>` and `<name>-merge`.
pub fn check_name(name: &str, shards: u32) -> Result<(), String> {
    check_label("the name", name).map_err(|e| format!("{e}; choose one with --name"))?;
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(format!("the name `{name}` must start with a letter (it names a Service); choose one with --name"));
    }
    let longest_suffix = MERGE_SUFFIX.len().max(1 + shards.saturating_sub(1).to_string().len());
    if name.len() + longest_suffix > MAX_LABEL {
        return Err(format!(
            "the name `{name}` is too long: pods are named `{name}-{}` and the merge Job `{name}{MERGE_SUFFIX}`, \
             which must fit in {MAX_LABEL} characters; choose a name of at most {} with --name",
            shards.saturating_sub(1),
            MAX_LABEL - longest_suffix
        ));
    }
    Ok(())
}

/// A name derived from the scenario's: lowercase, other characters turned into `-`, `dfaas-`
/// prepended, cut to fit.
pub fn default_name(scenario: &str) -> String {
    let mut name = String::from("dfaas-");
    for c in scenario.chars().flat_map(char::to_lowercase) {
        let c = if is_label_char(c) { c } else { '-' };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    name.truncate(MAX_LABEL - 8);
    name.trim_end_matches('-').to_string()
}

/// A Kubernetes resource quantity such as `500m`, `1`, `1.5`, `512Mi`, `2G`.
pub fn check_quantity(what: &str, value: &str) -> Result<(), String> {
    let digits_end = value.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(value.len());
    let (number, suffix) = value.split_at(digits_end);
    let number_ok =
        !number.is_empty() && number.matches('.').count() <= 1 && !number.starts_with('.') && !number.ends_with('.');
    const SUFFIXES: [&str; 14] = ["", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if !number_ok || !SUFFIXES.contains(&suffix) {
        return Err(format!("{what} `{value}` is not a Kubernetes quantity (like `500m`, `2`, `512Mi`, `1Gi`)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("dfaas-spike", 64).is_ok());
        assert!(check_name("Spike", 4).unwrap_err().contains("not a DNS-1123 label"));
        assert!(check_name("9lives", 4).unwrap_err().contains("must start with a letter"));
        assert!(check_name("a-", 4).is_err());
        let long = "a".repeat(58);
        assert!(check_name(&long, 4).unwrap_err().contains("at most 57"));
        assert!(check_label("the namespace", "load-tests").is_ok());
        assert!(check_label("the namespace", "load_tests").is_err());
    }

    #[test]
    fn default_names_are_valid() {
        assert_eq!(default_name("figlet-spike"), "dfaas-figlet-spike");
        assert_eq!(default_name("My Big  Test!"), "dfaas-my-big-test");
        let long = default_name(&"x".repeat(200));
        assert!(check_name(&long, 1000).is_ok(), "{long}");
    }

    #[test]
    fn quantities_are_checked() {
        for ok in ["1", "500m", "1.5", "512Mi", "2Gi", "100M"] {
            assert!(check_quantity("--cpu", ok).is_ok(), "{ok}");
        }
        for bad in ["", "1.", "one", "512mb", "1..5", "-1"] {
            assert!(check_quantity("--memory", bad).is_err(), "{bad}");
        }
    }
}
