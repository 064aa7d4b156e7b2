//! Parsing helpers shared by the command modules' arguments.

/// `AxB` (or `AXB`) with both numbers in `range`; `example` shows the expected form.
pub fn parse_pair(
    s: &str,
    example: &str,
    what: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("expected {example}, got `{s}`"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "`{v}` is not {what} between {} and {}",
                    range.start(),
                    range.end()
                )
            })
    };
    Ok((parse(a)?, parse(b)?))
}

/// An image or window size, `WIDTHxHEIGHT`, 64 to 8192 pixels a side.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    parse_pair(s, "WIDTHxHEIGHT such as 1600x900", "a size", 64..=8192)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_size_parses_and_rejects_nonsense() {
        assert_eq!(parse_size("1280x720"), Ok((1280, 720)));
        assert!(parse_size("1280").is_err());
        assert!(parse_size("10x10").is_err());
        assert!(parse_size("axb").is_err());
    }
}
