// Cloud metadata endpoints, the most common reason for an outbound exclude: an instance-metadata request that a
// sidecar proxies (or that a mesh refuses as an unknown destination) breaks credentials and bootstrap.
import type { CloudMetadata } from "../args";
import { type Cidr, parseCidr } from "./cidr";

/** The addresses each provider's metadata service answers on. */
export const CLOUD_METADATA_RANGES: Record<CloudMetadata, readonly string[]> = {
    // EC2 instance metadata (IMDS) on IPv4, and on IPv6 for Nitro instances.
    aws: ["169.254.169.254/32", "fd00:ec2::254/128"],
    // The Compute Engine metadata server (metadata.google.internal), and its IPv6 address.
    gcp: ["169.254.169.254/32", "fd20:ce::254/128"],
    // Azure Instance Metadata Service, and the platform's WireServer (agent, DHCP and DNS health).
    azure: ["169.254.169.254/32", "168.63.129.16/32"],
};

function parsed(text: string): Cidr {
    const r = parseCidr(text);
    if (!r.ok) throw new Error(`cloud metadata preset ${text}: ${r.message}`);
    return r.cidr;
}

/** The presets as parsed ranges, parsed once when the module loads. */
export const CLOUD_METADATA_CIDRS: Record<CloudMetadata, readonly Cidr[]> = {
    aws: CLOUD_METADATA_RANGES.aws.map(parsed),
    gcp: CLOUD_METADATA_RANGES.gcp.map(parsed),
    azure: CLOUD_METADATA_RANGES.azure.map(parsed),
};
