// A platform repository's program in Go: bypass rules for workloads another tool deploys.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	sb "github.com/sidecar-bypass/sidecar-bypass/sdk/go/sidecarbypass"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		merge := sb.InheritMerge
		bypass, err := sb.NewSidecarBypass(ctx, "platform", &sb.SidecarBypassArgs{
			Meshes: []sb.Mesh{sb.MeshIstio},
			// Every managed workload: the cloud metadata endpoint is reached directly, not through the sidecar.
			Global: &sb.ScopeRulesArgs{
				Outbound: &sb.OutboundRulesArgs{ExcludeIpRanges: pulumi.StringArray{pulumi.String("169.254.169.254/32")}},
			},
			Namespaces: []sb.NamespaceRulesArgs{{
				Name:    "payments",
				Inbound: &sb.InboundRulesArgs{ExcludePorts: pulumi.Float64Array{pulumi.Float64(7001), pulumi.Float64(7002)}},
			}},
			Workloads: []sb.WorkloadRulesArgs{{
				Kind:      sb.WorkloadKindDeployment,
				Namespace: "payments",
				Name:      "ledger",
				// Added to the global range instead of replacing it.
				Outbound: &sb.OutboundRulesArgs{ExcludeIpRanges: pulumi.StringArray{pulumi.String("203.0.113.0/24")}, Inherit: &merge},
			}},
		})
		if err != nil {
			return err
		}
		ctx.Export("effectiveRules", bypass.EffectiveRules)
		ctx.Export("summary", bypass.Summary)
		return nil
	})
}
