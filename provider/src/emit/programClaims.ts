// Two components in one program that list the same workload would each apply its own field manager to one template:
// the live check at preview cannot see it before either has applied, so the program refuses it as it is declared.
import { BypassValidationError } from "../rules/issues";

/** Per stack (a process may run more than one, under the Automation API's inline programs), workload id → component. */
const claims = new Map<string, Map<string, string>>();

/** Records that `component` lists these workloads; throws, naming the other component, for one another already lists. */
export function claimWorkloads(stack: string, component: string, workloads: readonly string[]): void {
    const mine = claims.get(stack) ?? new Map<string, string>();
    claims.set(stack, mine);
    const taken = workloads.filter((id) => (mine.get(id) ?? component) !== component);
    if (taken.length > 0) {
        throw new BypassValidationError(
            taken.map((id) => ({
                path: "workloads",
                message:
                    `${id} is already listed by the component '${mine.get(id)}' of this program: one component per workload ` +
                    "(two would apply their rules as two field managers, each undoing the other); list it in one of them",
            })),
        );
    }
    for (const id of workloads) mine.set(id, component);
}
