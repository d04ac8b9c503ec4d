package main

import (
	"time"

	"github.com/optnet-go/optnet/runtime"
)

// stepOptions returns run options that report every step's time to
// record. (scripts/bench_models.sh replaces this file when it builds the
// harness against an older optnet without RunOptions.StepDone.)
func stepOptions(record func(opType, node string, elapsed time.Duration)) runtime.RunOptions {
	return runtime.RunOptions{StepDone: record}
}
