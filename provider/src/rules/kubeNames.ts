// Kubernetes names: the rules the user's names must follow, and the one way this package makes a name of its
// own (policies, ConfigMaps, label values) from free text.
import { createHash } from "node:crypto";
import { z } from "zod";
import { PRODUCT } from "./names";

/** Namespaces (and label values, without the length) are DNS labels. */
export const dnsLabel = z
    .string()
    .max(63, { error: "a namespace name has at most 63 characters" })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
        error: "a namespace name is lower-case letters, digits and '-', starting and ending with a letter or digit",
    });

/** Workloads and most other objects are DNS subdomains. */
export const dnsSubdomain = z
    .string()
    .max(253, { error: "a workload name has at most 253 characters" })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
        error: "a workload name is lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
    });

/** A DNS subdomain's limit; label values and namespaces take 63. */
export const NAME_MAX = 253;
export const LABEL_MAX = 63;
const HASH_LENGTH = 10;

/**
 * A name from free text: lower-case, runs of other characters as one '-', starting and ending with a letter or
 * digit. A text too long keeps its start and gets a hash of the whole text, so two long names that share a start
 * stay apart and the same text always gives the same name.
 */
export function kubeName(text: string, max = NAME_MAX): string {
    const trim = (s: string) => s.replace(/^[-.]+|[-.]+$/g, "");
    const v = trim(text.toLowerCase().replace(/[^a-z0-9.-]+/g, "-")) || PRODUCT;
    if (v.length <= max) return v;
    const hash = createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
    return `${trim(v.slice(0, max - HASH_LENGTH - 1))}-${hash}`;
}
