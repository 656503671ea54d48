// validate-annotations reads one JSON object of pod annotations per line and answers, one JSON line each,
// whether Istio's sidecar injector accepts them. It runs exactly the validators the injection webhook runs
// (inject.AnnotationValidation), so thousands of generated cases need one process, not one each.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"istio.io/istio/pkg/kube/inject"
)

type verdict struct {
	OK     bool     `json:"ok"`
	Errors []string `json:"errors,omitempty"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var annotations map[string]string
		if err := json.Unmarshal(in.Bytes(), &annotations); err != nil {
			fmt.Fprintln(os.Stderr, "validate-annotations: bad input line:", err)
			os.Exit(2)
		}
		keys := make([]string, 0, len(annotations))
		for k := range annotations {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		v := verdict{OK: true}
		for _, k := range keys {
			if validate, ok := inject.AnnotationValidation[k]; ok {
				if err := validate(annotations[k]); err != nil {
					v.OK = false
					v.Errors = append(v.Errors, fmt.Sprintf("%s: %v", k, err))
				}
			}
		}
		if err := enc.Encode(v); err != nil {
			fmt.Fprintln(os.Stderr, "validate-annotations:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "validate-annotations:", err)
		os.Exit(2)
	}
}
