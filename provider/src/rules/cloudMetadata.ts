// Cloud metadata endpoints, the most common reason for an outbound exclude: an instance-metadata request that a
// sidecar proxies (or that a mesh refuses as an unknown destination) breaks credentials and bootstrap.
import type { CloudMetadata } from "../args";

/** The addresses each provider's metadata service answers on. */
export const CLOUD_METADATA_RANGES: Record<CloudMetadata, readonly string[]> = {
    // EC2 instance metadata (IMDS) on IPv4, and on IPv6 for Nitro instances.
    aws: ["169.254.169.254/32", "fd00:ec2::254/128"],
    // The Compute Engine metadata server (metadata.google.internal), and its IPv6 address.
    gcp: ["169.254.169.254/32", "fd20:ce::254/128"],
    // Azure Instance Metadata Service, and the platform's WireServer (agent, DHCP and DNS health).
    azure: ["169.254.169.254/32", "168.63.129.16/32"],
};
