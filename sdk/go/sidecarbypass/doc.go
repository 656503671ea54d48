// Declare which traffic skips the service-mesh sidecar (Istio, Kuma, Kmesh, Linkerd, Consul) and roll it out with pulumi up.
package sidecarbypass
