// Durations for Kuma's passthrough cluster, written as Go writes them (`10s`, `500ms`, `1h30m`): kuma-cp parses them
// as Go durations and hands them to Envoy as protobuf JSON, which takes seconds only. One zod schema reads the text
// and gives the seconds, so the grammar is said once.
import { z } from "zod";

const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;
/** One `<number><unit>` part of a duration, the units Kuma's docs use. */
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** The longest Go time.Duration (2^63-1 ns), about 292 years: kuma-cp fails to apply a patch with a longer one. */
export const MAX_GO_DURATION_SECONDS = 2 ** 63 / 1e9; // 2^63-1 ns, which a double rounds to 2^63

/** A Go duration's text → its length in seconds; an error naming what is accepted otherwise. */
export const goDuration = z.string({ error: "expected a duration such as 10s, 500ms or 1h" }).transform((text, ctx) => {
    let seconds = 0;
    let end = 0;
    PART.lastIndex = 0;
    for (let m = PART.exec(text); m; m = PART.exec(text)) {
        seconds += Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
        end = PART.lastIndex;
    }
    if (text === "" || end !== text.length) {
        ctx.addIssue({ code: "custom", message: "expected a duration such as 10s, 500ms or 1h" });
        return z.NEVER;
    }
    if (seconds > MAX_GO_DURATION_SECONDS) {
        ctx.addIssue({ code: "custom", message: "at most 2562047h (kuma-cp reads it as a Go duration, which cannot be longer)" });
        return z.NEVER;
    }
    return seconds;
});

/** Seconds as Envoy's protobuf JSON duration, to the millisecond: `5400s`, `0.5s`. */
export function protoDuration(seconds: number): string {
    return `${Number(seconds.toFixed(3))}s`;
}
