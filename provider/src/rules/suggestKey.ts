// "Did you mean": the known field closest to a misspelt one. The known fields are read from the schemas
// themselves, so a new field is suggested as soon as it exists.
import { z } from "zod";

/** Every object key anywhere in the schemas. */
export function schemaKeys(schemas: readonly z.ZodType[]): Set<string> {
    const keys = new Set<string>();
    const walk = (s: z.ZodType): void => {
        if (s instanceof z.ZodObject) {
            for (const [k, v] of Object.entries(s.shape)) {
                keys.add(k);
                walk(v as z.ZodType);
            }
        } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) walk(s.unwrap() as z.ZodType);
        else if (s instanceof z.ZodArray) walk(s.element as z.ZodType);
        else if (s instanceof z.ZodPipe) walk(s.in as z.ZodType);
    };
    for (const s of schemas) walk(s);
    return keys;
}

/** The known key closest to `key`, if it is close enough to be a likely typo. */
export function suggestKey(key: string, known: ReadonlySet<string>): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1;
    for (const k of known) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (d < bestDistance) {
            best = k;
            bestDistance = d;
        }
    }
    return best;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}
