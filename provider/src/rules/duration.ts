// Durations for Kuma's passthrough cluster: written as `10s`, `500ms`, `1h30m`; sent to Envoy as protobuf JSON
// seconds, through kuma-cp, which parses them as Go durations.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** The longest Go time.Duration (2^63-1 ns), about 292 years: kuma-cp fails to apply a patch with a longer one. */
export const MAX_GO_DURATION_SECONDS = 2 ** 63 / 1e9; // 2^63-1 ns, which a double rounds to 2^63

export function durationSeconds(text: string): number {
    let seconds = 0;
    for (const [, n, u] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) seconds += Number(n) * UNIT_SECONDS[u];
    return seconds;
}

/** `1h30m` → `5400s`, to the millisecond: Envoy's protobuf JSON durations are seconds only. */
export function toProtoDuration(text: string): string {
    return `${Number(durationSeconds(text).toFixed(3))}s`;
}
