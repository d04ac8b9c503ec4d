package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/conformance"
)

const defaultTestDir = conformance.DefaultDir

const testUsage = `Usage: optrun test [flags] [DIR...]

Runs every ONNX backend-test case (a folder with model.onnx and
test_data_set_N/) found under the given folders (default: ` + defaultTestDir + `),
one line per case: pass, FAIL with the worst mismatch, ERROR with the error,
or skip; then "N passed, N failed, N skipped". Exits 1 if any case failed.
`

type testFlags struct {
	run     string
	jobs    int
	quiet   bool
	timeout time.Duration
	rtol    float64
	atol    float64
}

func newTestFlags() (*flag.FlagSet, *testFlags) {
	f := &testFlags{}
	fs := newFlagSet("test", testUsage)
	fs.StringVar(&f.run, "run", "", "run only cases whose folder name matches `REGEXP`")
	fs.IntVar(&f.jobs, "j", min(goruntime.GOMAXPROCS(0), 4), "cases run in parallel")
	fs.BoolVar(&f.quiet, "q", false, "print only cases that do not pass (and the summary)")
	fs.DurationVar(&f.timeout, "timeout", time.Minute, "time limit per case")
	fs.Float64Var(&f.rtol, "rtol", conformance.DefaultTolerances.Rtol, "relative tolerance for floating-point outputs")
	fs.Float64Var(&f.atol, "atol", conformance.DefaultTolerances.Atol, "absolute tolerance for floating-point outputs")
	return fs, f
}

func testCmd(args []string, stdout, stderr io.Writer) error {
	fs, f := newTestFlags()
	dirs, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		dirs = []string{defaultTestDir}
	}
	var re *regexp.Regexp
	if f.run != "" {
		if re, err = regexp.Compile(f.run); err != nil {
			return usagef("test: --run: %v", err)
		}
	}
	if f.jobs < 1 {
		return usagef("test: -j must be at least 1")
	}
	all, err := conformance.FindCases(dirs...)
	if err != nil {
		return err
	}
	var cases []string
	for _, c := range all {
		if re == nil || re.MatchString(filepath.Base(c)) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return fmt.Errorf("no test cases (folders holding model.onnx) under %v", dirs)
	}
	r := &conformance.Runner{
		Registry: optnet.DefaultRegistry(),
		Tol:      conformance.Tolerances{Rtol: f.rtol, Atol: f.atol},
		Timeout:  f.timeout,
	}
	results := make([]conformance.Result, len(cases))
	done := make([]chan struct{}, len(cases))
	for i := range done {
		done[i] = make(chan struct{})
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < f.jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = r.Run(context.Background(), cases[i])
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range cases {
			next <- i
		}
		close(next)
	}()
	// Print in order as results arrive.
	for i := range cases {
		<-done[i]
		if !f.quiet || results[i].Status != conformance.Pass {
			fmt.Fprintln(stdout, conformance.Line(results[i]))
		}
	}
	wg.Wait()
	fmt.Fprintln(stdout, conformance.Summary(results))
	for _, res := range results {
		if res.Status == conformance.Fail || res.Status == conformance.Error {
			return errTestsFailed
		}
	}
	return nil
}
