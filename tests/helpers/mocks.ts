// Pulumi mocks that record every registered resource, so component tests can assert what was emitted.
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export function installMocks(): Registered[] {
    const registered: Registered[] = [];
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                if (args.type === "kubernetes:core/v1:ConfigMap" && args.id) {
                    // A read of the istio-sidecar-injector ConfigMap.
                    return {
                        id: args.id,
                        state: { data: { values: JSON.stringify({ global: { proxy: { excludeIPRanges: "10.96.0.0/12", includeInboundPorts: "*" } } }) } },
                    };
                }
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
        },
        "sidecar-bypass",
        "test",
        false,
    );
    return registered;
}

export const outputValue = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((settle) => o.apply(settle));
