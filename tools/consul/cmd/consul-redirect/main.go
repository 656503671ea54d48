// consul-redirect applies Consul's own transparent-proxy redirect rules (github.com/hashicorp/consul/sdk/iptables,
// the package consul-k8s's connect-init and CNI plugin call) for one pod's annotations, in the current network
// namespace. It is the judge of what sidecar-bypass writes for Consul: the oracle tests run it inside a network
// namespace that plays the pod and send real traffic through the rules it installs.
//
// The annotations become an iptables.Config the way consul-k8s's injector does it
// (control-plane/connect-inject/webhook/redirect_traffic.go, iptablesConfigJSON): proxy UID 5995, the init
// containers' UID 5996 excluded, Envoy's inbound listener 20000 and outbound listener 15001, and each
// transparent-proxy-exclude-* annotation split on commas with spaces trimmed and empty items dropped
// (splitCommaSeparatedItemsFromAnnotation). Probe and metrics ports, which consul-k8s also excludes, depend
// on the pod's other settings and are left out here.
//
// Input on stdin: {"annotations": {...}, "dualStack": false}. Exit status 0 when the rules were applied;
// otherwise Consul's error is printed and the status is 1, as connect-init would fail the pod.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/consul/sdk/iptables"
)

const (
	sidecarUserAndGroupID        = "5995"
	initContainersUserAndGroupID = "5996"
	proxyDefaultInboundPort      = 20000
)

type input struct {
	Annotations map[string]string `json:"annotations"`
	DualStack   bool              `json:"dualStack"`
}

func split(annotations map[string]string, key string) []string {
	var items []string
	for _, item := range strings.Split(annotations[key], ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "consul-redirect: reading the input:", err)
		os.Exit(2)
	}
	cfg := iptables.Config{
		ProxyUserID:          sidecarUserAndGroupID,
		ProxyInboundPort:     proxyDefaultInboundPort,
		ProxyOutboundPort:    iptables.DefaultTProxyOutboundPort,
		ExcludeInboundPorts:  split(in.Annotations, "consul.hashicorp.com/transparent-proxy-exclude-inbound-ports"),
		ExcludeOutboundPorts: split(in.Annotations, "consul.hashicorp.com/transparent-proxy-exclude-outbound-ports"),
		ExcludeOutboundCIDRs: split(in.Annotations, "consul.hashicorp.com/transparent-proxy-exclude-outbound-cidrs"),
		ExcludeUIDs:          append([]string{initContainersUserAndGroupID}, split(in.Annotations, "consul.hashicorp.com/transparent-proxy-exclude-uids")...),
	}
	if err := iptables.Setup(cfg, in.DualStack); err != nil {
		fmt.Fprintln(os.Stderr, "consul-redirect:", err)
		os.Exit(1)
	}
}
