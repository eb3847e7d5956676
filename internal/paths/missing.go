package paths

import (
	"runtime"
	"strings"
)

// notBuilt is the reason a path whose assembly this build leaves out
// cannot run.
var notBuilt = "not built for " + runtime.GOARCH + buildTags

// feature is one CPU feature a path needs.
type feature struct {
	name string
	has  bool
}

// lacks names the features the CPU lacks, or returns "" when it has them
// all.
func lacks(fs ...feature) string {
	var no []string
	for _, f := range fs {
		if !f.has {
			no = append(no, f.name)
		}
	}
	if len(no) == 0 {
		return ""
	}
	return "CPU lacks " + strings.Join(no, ", ")
}
