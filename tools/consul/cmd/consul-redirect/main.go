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
// Input on stdin: {"annotations": {...}, "dualStack": false, "dryRun": false}. Exit status 0 when the rules were
// applied; otherwise Consul's error is printed and the status is 1, as connect-init would fail the pod. With
// "dryRun": true nothing is applied: Consul's code adds its rules to a recording iptables.Provider, and they are
// printed as JSON, {"iptables": ["iptables -t nat ...", ...], "ip6tables": [...]}, so tests can read what Consul
// generates.
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
	DryRun      bool              `json:"dryRun"`
}

// recorder is an iptables.Provider that keeps the rules Consul's code adds instead of running them.
type recorder struct{ rules []string }

func (r *recorder) AddRule(name string, args ...string) {
	r.rules = append(r.rules, strings.Join(append([]string{name}, args...), " "))
}
func (r *recorder) ApplyRules(string) error { return nil }
func (r *recorder) Rules() []string         { return r.rules }
func (r *recorder) ClearAllRules()          { r.rules = nil }

// record runs Consul's setup the way Setup does (IPv4, and IPv6 in dual-stack mode), each family into its own
// recorder, since each setup starts by clearing its provider.
func record(cfg iptables.Config, dualStack bool) (map[string][]string, error) {
	out := map[string][]string{}
	v4 := &recorder{}
	cfg.IptablesProvider = v4
	if err := iptables.SetupWithAdditionalRules(cfg, nil, dualStack); err != nil {
		return nil, err
	}
	out["iptables"] = v4.Rules()
	if dualStack {
		v6 := &recorder{}
		cfg.IptablesProvider = v6
		if err := iptables.SetupWithAdditionalRulesIPv6(cfg, nil, dualStack); err != nil {
			return nil, err
		}
		out["ip6tables"] = v6.Rules()
	}
	return out, nil
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
	if in.DryRun {
		rules, err := record(cfg, in.DualStack)
		if err == nil {
			err = json.NewEncoder(os.Stdout).Encode(rules)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "consul-redirect:", err)
			os.Exit(1)
		}
		return
	}
	if err := iptables.Setup(cfg, in.DualStack); err != nil {
		fmt.Fprintln(os.Stderr, "consul-redirect:", err)
		os.Exit(1)
	}
}
