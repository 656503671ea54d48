// Port lists. (The ports each sidecar uses itself are its adapter's `sidecarPorts`.)

/** Sorted, unique. */
export function normalisePorts(ports: readonly number[]): number[] {
    return [...new Set(ports)].sort((a, b) => a - b);
}

/** Joins consecutive ports into `a-b` ranges (for meshes that accept them, e.g. Linkerd). */
export function toPortRanges(ports: readonly number[]): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < ports.length) {
        let j = i;
        while (j + 1 < ports.length && ports[j + 1] === ports[j] + 1) j++;
        out.push(j > i ? `${ports[i]}-${ports[j]}` : String(ports[i]));
        i = j + 1;
    }
    return out;
}
