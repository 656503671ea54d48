// The one fixed "now" of the test suite: fullBypass expiries are judged against this date, never the wall clock,
// so an expiry in the test data (past: 2026-01-01 in validateRules; future: 2030-01-01 in the design example)
// means the same thing on every run.
export const FIXED_NOW = new Date("2026-11-21T00:00:00Z");
