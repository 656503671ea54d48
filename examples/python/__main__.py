"""A platform repository's program in Python: bypass rules for workloads another tool deploys."""
import pulumi
import pulumi_sidecar_bypass as sb

bypass = sb.SidecarBypass(
    "platform",
    meshes=[sb.Mesh.ISTIO],
    # Every managed workload: the cloud metadata endpoint is reached directly, not through the sidecar.
    global_={"outbound": {"exclude_ip_ranges": ["169.254.169.254/32"]}},
    namespaces=[{"name": "payments", "inbound": {"exclude_ports": [7001, 7002]}}],
    workloads=[
        {
            "kind": sb.WorkloadKind.DEPLOYMENT,
            "namespace": "payments",
            "name": "ledger",
            # Added to the global range instead of replacing it.
            "outbound": {"exclude_ip_ranges": ["203.0.113.0/24"], "inherit": sb.Inherit.MERGE},
        },
    ],
)

pulumi.export("effectiveRules", bypass.effective_rules)
pulumi.export("summary", bypass.summary)
