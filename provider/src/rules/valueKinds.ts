// What a rule field's values are, as one type the compiler checks: ports, address ranges, interface names or user-id
// rules. Each kind says once how its values are written, joined, merged and found in both senses of a field pair;
// validation, the resolver and the adapters switch on `kind` rather than guessing from whichever list is non-empty.
import { addRun, apartInsertions } from "./aggregateCidrs";
import type { Cidr } from "./cidr";
import { compareUidRules, type UidRule } from "./uidRules";

/** The value of each kind. */
export interface ValueOf {
    readonly ports: number;
    readonly cidrs: Cidr;
    readonly names: string;
    readonly uids: UidRule;
}

export type ValueKind = keyof ValueOf;

/**
 * A field's values of one kind, canonical: sorted and unique, ranges aggregated. Its texts, its joined text and where
 * each text starts in it are made once, when first asked for, however many workloads share these values; they live as
 * long as the values do.
 */
export class ValuesOf<K extends ValueKind> {
    #texts: readonly string[] | undefined;
    #joined: string | undefined;
    #starts: Int32Array | undefined;
    readonly #from: Insertion<K> | undefined;

    constructor(
        readonly kind: K,
        readonly list: readonly ValueOf[K][],
        from?: Insertion<K>,
    ) {
        this.#from = from;
    }

    /** Each value as text, in order. */
    texts(): readonly string[] {
        if (!this.#texts) {
            const { text } = kindOf(this);
            const from = this.#from;
            this.#texts = from ? spliced(from.into.texts(), from.at, from.added.map(text)) : this.list.map(text);
        }
        return this.#texts;
    }

    /** Where each value's text starts in joined(); one more entry, where a value after the last would start. */
    starts(): Int32Array {
        if (!this.#starts) {
            const texts = this.texts();
            const sep = kindOf(this).separator.length;
            const starts = new Int32Array(texts.length + 1);
            let o = 0;
            for (let i = 0; i < texts.length; i++) {
                starts[i] = o;
                o += texts[i].length + sep;
            }
            starts[texts.length] = o;
            this.#starts = starts;
        }
        return this.#starts;
    }

    /** The values as one annotation value (no spaces). */
    joined(): string {
        if (this.#joined === undefined) {
            const { separator } = kindOf(this);
            const from = this.#from;
            this.#joined = from ? joinedWithInserted(from.into, from.at, this.texts(), separator) : this.texts().join(separator);
        }
        return this.#joined;
    }
}

/**
 * Values made by putting a few values into a longer list (a workload's ranges into its namespace's): their texts and
 * joined text are the longer list's with the few put in, copied in pieces rather than made value by value again.
 * `added[k]` went before `into.list[at[k]]`.
 */
interface Insertion<K extends ValueKind> {
    readonly into: ValuesOf<K>;
    readonly at: readonly number[];
    readonly added: readonly ValueOf[K][];
}

export type FieldValues = { [K in ValueKind]: ValuesOf<K> }[ValueKind];

/** Canonical values, each tagged with the bits of the scopes it came from. */
export interface Tagged<T> {
    readonly list: readonly T[];
    readonly tags: readonly number[];
}

/**
 * A union's result: every value tagged, or (`inserted`) the first list with a few values put in (see `Insertion`), whose
 * tags are the first list's with the new values' bit put in at `at`, made by unionValues only if they are read.
 */
export type Union<T> = Tagged<T> | { readonly list: readonly T[]; readonly inserted: { readonly at: readonly number[]; readonly added: readonly T[] } };

/** What one kind of value knows about itself. */
export interface ValueKindStrategy<T> {
    /** A value as the meshes write it: `8080`, `10.0.0.0/8`, `eth1`, `tcp:443:1000-1002`. */
    text(v: T): string;
    /** Between values in one annotation: `,`, except user-id rules, whose own text holds commas (Kuma's `;`). */
    readonly separator: "," | ";";
    /** Two canonical lists as one canonical list; `b`'s values are tagged `bit`, a value in both gets both tags. */
    union(a: Tagged<T>, b: readonly T[], bit: number): Union<T>;
    /** The values of `a` that `b` has too (both canonical): set in both senses of a field pair, a conflict. */
    common(a: readonly T[], b: readonly T[]): T[];
}

export const VALUE_KINDS: { readonly [K in ValueKind]: ValueKindStrategy<ValueOf[K]> } = {
    ports: {
        text: String,
        separator: ",",
        union: (a, b, bit) => mergeSorted(a, b, bit, (x, y) => x - y),
        common: commonByText(String),
    },
    cidrs: {
        text: (c) => c.text,
        separator: ",",
        union(a, b, bit) {
            // A workload's few ranges that stand apart from its namespace's many go in without a sweep.
            const at = apartInsertions(a.list, b);
            if (!at) {
                const cover = addRun({ cidrs: a.list, tags: a.tags }, b, bit);
                return { list: cover.cidrs, tags: cover.tags };
            }
            return { list: spliced(a.list, at, b), inserted: { at, added: b } };
        },
        common: commonByText((c) => c.text),
    },
    names: {
        text: (n) => n,
        separator: ",",
        union: (a, b, bit) => mergeSorted(a, b, bit, (x, y) => (x < y ? -1 : x > y ? 1 : 0)),
        common: commonByText((n) => n),
    },
    uids: {
        text: (r) => r.text,
        separator: ";",
        union: (a, b, bit) => mergeSorted(a, b, bit, (x, y) => (x.text === y.text ? 0 : compareUidRules(x, y))),
        common: commonByText((r) => r.text),
    },
};

/** The strategy of a field's values' kind, typed by that kind. */
export function kindOf<K extends ValueKind>(v: ValuesOf<K>): ValueKindStrategy<ValueOf[K]> {
    return VALUE_KINDS[v.kind];
}

export function valuesOf<K extends ValueKind>(kind: K, list: readonly ValueOf[K][]): ValuesOf<K> {
    return new ValuesOf(kind, list);
}

/** No values of a kind: a field set to an empty list, or to "all" alone. */
export function noValues(kind: ValueKind): FieldValues {
    switch (kind) {
        case "ports":
            return valuesOf("ports", []);
        case "cidrs":
            return valuesOf("cidrs", []);
        case "names":
            return valuesOf("names", []);
        case "uids":
            return valuesOf("uids", []);
    }
}

/** How the plan's plain data holds a value (JSON-safe): ranges as their text, the others as they are. */
export interface PlainValueOf {
    readonly ports: number;
    readonly cidrs: string;
    readonly names: string;
    readonly uids: UidRule;
}

/** A field's values as the plan holds them: one list per kind, each but the field's own empty. */
export type PlainValues = { readonly [K in ValueKind]: readonly PlainValueOf[K][] };

const NO_PLAIN_VALUES: PlainValues = { ports: [], cidrs: [], names: [], uids: [] };

export function plainValues(v: FieldValues): PlainValues {
    switch (v.kind) {
        case "ports":
            return { ...NO_PLAIN_VALUES, ports: v.list };
        case "cidrs":
            return { ...NO_PLAIN_VALUES, cidrs: valueTexts(v) };
        case "names":
            return { ...NO_PLAIN_VALUES, names: v.list };
        case "uids":
            return { ...NO_PLAIN_VALUES, uids: v.list };
    }
}

/** The values if they are of `kind`, else none: for code reading a field whose key fixes its kind. */
export function listOf<K extends ValueKind>(v: FieldValues | undefined, kind: K): readonly ValueOf[K][] {
    return v?.kind === kind ? (v as ValuesOf<K>).list : [];
}

/** Each value as text, in order; made once per list, however many workloads share it. */
export function valueTexts<K extends ValueKind>(v: ValuesOf<K>): readonly string[] {
    return v.texts();
}

/** The values as one annotation value (no spaces), made at render time once per list. */
export function joinValues<K extends ValueKind>(v: ValuesOf<K>): string {
    return v.joined();
}

/**
 * The longer list's joined text cut where the new values go, and joined again with them: a few copies of long pieces,
 * cut where the longer list's starts say (found once per list, not by walking its texts for each workload).
 */
function joinedWithInserted<K extends ValueKind>(into: ValuesOf<K>, at: readonly number[], texts: readonly string[], separator: string): string {
    const whole = into.joined();
    const starts = into.starts();
    const parts: string[] = [];
    let offset = 0;
    at.forEach((a, k) => {
        const start = offset;
        offset = starts[a];
        if (offset > start) parts.push(whole.slice(start, offset - separator.length));
        parts.push(texts[a + k]);
    });
    if (offset < whole.length) parts.push(whole.slice(offset));
    return parts.join(separator);
}

/** A union's values and tags; `at` when `b`'s values went in apart from `a`'s, `b[k]` before `a.list[at[k]]`. */
export interface ValuesUnion<V = FieldValues> {
    readonly values: V;
    /** Per value, the bits of the lists it came from; where `b`'s values went in apart, made when first read. */
    readonly tags: readonly number[];
    readonly at?: readonly number[];
}

/** Two canonical lists of one field (so of one kind) as one; `b`'s values are tagged `bit` (see `union`). */
export function unionValues(a: FieldValues, tags: readonly number[], b: FieldValues, bit: number): ValuesUnion {
    switch (a.kind) {
        case "ports":
            return unionOf(a, tags, b, bit);
        case "cidrs":
            return unionOf(a, tags, b, bit);
        case "names":
            return unionOf(a, tags, b, bit);
        case "uids":
            return unionOf(a, tags, b, bit);
    }
}

/** Two canonical lists of one field as one, untagged. */
export function mergeValues(a: FieldValues, b: FieldValues): FieldValues {
    return unionValues(
        a,
        a.list.map(() => 0),
        b,
        0,
    ).values;
}

function unionOf<K extends ValueKind>(a: ValuesOf<K>, tags: readonly number[], b: FieldValues, bit: number): ValuesUnion<ValuesOf<K>> {
    const merged = kindOf(a).union({ list: a.list, tags }, listOf(b, a.kind), bit);
    if (!("inserted" in merged)) return { values: new ValuesOf(a.kind, merged.list), tags: merged.tags };
    const { at, added } = merged.inserted;
    // The tags are read only if a later scope merges into these values: a workload's, at the end of its chain, never are.
    let made: readonly number[] | undefined;
    return {
        values: new ValuesOf(a.kind, merged.list, { into: a, at, added }),
        get tags() {
            made ??= spliced(tags, at, new Array<number>(added.length).fill(bit));
            return made;
        },
        at,
    };
}

/** Two sorted, unique lists as one, each value tagged with the lists it is in. */
function mergeSorted<T>(a: Tagged<T>, b: readonly T[], bit: number, compare: (x: T, y: T) => number): Tagged<T> {
    const list: T[] = [];
    const tags: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.list.length || j < b.length) {
        const c = j >= b.length ? -1 : i >= a.list.length ? 1 : compare(a.list[i], b[j]);
        if (c < 0) {
            list.push(a.list[i]);
            tags.push(a.tags[i++]);
        } else if (c > 0) {
            list.push(b[j++]);
            tags.push(bit);
        } else {
            list.push(a.list[i]);
            tags.push(a.tags[i++] | bit);
            j++;
        }
    }
    return { list, tags };
}

function commonByText<T>(text: (v: T) => string): (a: readonly T[], b: readonly T[]) => T[] {
    return (a, b) => {
        const inB = new Set(b.map(text));
        return a.filter((v) => inB.has(text(v)));
    };
}

/** `list` with `added[k]` put before `list[at[k]]` (`at` ascending). */
function spliced<T>(list: readonly T[], at: readonly number[], added: readonly T[]): T[] {
    const out: T[] = new Array(list.length + added.length);
    let i = 0;
    let o = 0;
    for (let k = 0; k < added.length; k++) {
        while (i < at[k]) out[o++] = list[i++];
        out[o++] = added[k];
    }
    while (i < list.length) out[o++] = list[i++];
    return out;
}
