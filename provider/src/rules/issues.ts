// Problems found in the user's rules. Errors are collected (never thrown one at a time) so a preview
// lists every problem at once; warnings go to Pulumi's log.

/** One problem, located by its path in the arguments, e.g. `workloads[1].outbound.excludeIpRanges[0]`. */
export interface ValidationIssue {
    path: string;
    message: string;
}

/** Thrown by `planBypass` for invalid input; `issues` lists every problem found. */
export class BypassValidationError extends Error {
    readonly issues: ValidationIssue[];

    constructor(issues: ValidationIssue[]) {
        super(
            `sidecar-bypass: ${issues.length} invalid rule${issues.length === 1 ? "" : "s"}; nothing was applied:\n` +
                issues.map((i) => `  - ${i.path || "(args)"}: ${i.message}`).join("\n"),
        );
        this.name = "BypassValidationError";
        this.issues = issues;
    }
}

/** Formats a zod-style path as the user wrote it: `workloads[1].outbound.excludeIpRanges[0]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" ? String(part) : `.${String(part)}`;
    }
    return out;
}

export function joinPath(base: string, ...parts: Array<string | number>): string {
    return formatPath([...(base === "" ? [] : [base]), ...parts]);
}

/** Collects errors and warnings while the rules are normalised. */
export class IssueCollector {
    readonly errors: ValidationIssue[] = [];
    readonly warnings: ValidationIssue[] = [];

    error(path: string, message: string): void {
        this.errors.push({ path, message });
    }

    warn(path: string, message: string): void {
        this.warnings.push({ path, message });
    }

    throwIfErrors(): void {
        if (this.errors.length > 0) throw new BypassValidationError(this.errors);
    }
}
