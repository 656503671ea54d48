//go:build tools

// Pins Pulumi's YAML language host, which the module proxy serves, so tools/build-yaml.sh can build it
// for the YAML example's e2e test.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
