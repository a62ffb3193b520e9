//! "Did you mean" suggestions for misspelt keys, rule ids and categories.

/// How similar a candidate must be (Jaro–Winkler) to be worth suggesting; below this,
/// suggestions are more often confusing than helpful.
const THRESHOLD: f64 = 0.8;

/// The candidate closest to `input`, when one is close enough.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input = input.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&input, candidate), candidate))
        .filter(|(score, _)| *score >= THRESHOLD)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_matches_only() {
        let keys = ["select", "ignore", "exclude", "fail-on"];
        assert_eq!(did_you_mean("selct", keys), Some("select"));
        assert_eq!(did_you_mean("fail_on", keys), Some("fail-on"));
        assert_eq!(did_you_mean("Exclude", keys), Some("exclude"));
        assert_eq!(did_you_mean("verbosity", keys), None);
    }
}
