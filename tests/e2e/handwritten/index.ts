// The policy pack's e2e program: Deployments in namespace `shop` whose keys a test writes by hand (`workloads`), and,
// when the config has `rules`, the component. Run only by `pulumi preview --policy-pack`.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SidecarBypass, type SidecarBypassArgs } from "sidecar-bypass";

interface HandWritten {
    name: string;
    template?: { annotations?: Record<string, string>; labels?: Record<string, string> };
    metadata?: { annotations?: Record<string, string> };
}

const config = new pulumi.Config();
for (const w of config.requireObject<HandWritten[]>("workloads")) {
    new k8s.apps.v1.Deployment(w.name, {
        metadata: { name: w.name, namespace: "shop", annotations: w.metadata?.annotations },
        spec: {
            selector: { matchLabels: { app: w.name } },
            template: {
                metadata: { labels: { app: w.name, ...w.template?.labels }, annotations: w.template?.annotations },
                spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
            },
        },
    });
}
const rules = config.getObject<SidecarBypassArgs>("rules");
if (rules) new SidecarBypass("platform", rules);
