package exp

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// ParseModels turns a -model argument ("all" or a comma-separated list)
// into model names, refusing names not in known.
func ParseModels(arg string, known []string) ([]string, error) {
	if arg == "all" {
		return known, nil
	}
	var names []string
	for _, m := range strings.Split(arg, ",") {
		if !slices.Contains(known, m) {
			return nil, fmt.Errorf("unknown model %q (want %s or all)", m, strings.Join(known, ", "))
		}
		names = append(names, m)
	}
	return names, nil
}

// FlagSet reports whether the command line set the named flag.
func FlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
