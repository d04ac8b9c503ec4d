// Command optrun runs ONNX models with optnet.
//
//	optrun                        run the built-in default model on its sample input
//	optrun [run] [flags] MODEL    run a model on inputs from files, or random/zero inputs
//	optrun info MODEL             describe a model (opsets, inputs, outputs, ops, unsupported ops)
//	optrun test [flags] [DIR...]  run ONNX backend-test cases found under the folders
//	optrun train MODEL --data F   train a model's parameters on arrays from an .npz file
//	optrun grad MODEL --out DIR   one forward+backward; write the parameters' and inputs' gradients
//
// `optrun help COMMAND` lists a command's flags. Exit status: 0 on
// success, 1 when the model fails to load or run (or a test case fails),
// 2 for usage errors, 130 when training is interrupted (after saving a
// checkpoint).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the model failed to load or run, or a test failed
	exitUsage = 2
	// exitInterrupted: optrun train stopped by Ctrl-C, checkpoint saved.
	exitInterrupted = 130
)

// usageError is a problem with the command line; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

const mainUsage = `optrun runs ONNX models with optnet.

Usage:
  optrun                          run the built-in default model on its sample input
  optrun [run] [flags] MODEL.onnx run a model (flags: optrun help run)
  optrun info MODEL.onnx          describe a model: opsets, inputs, outputs,
                                  op histogram, parameters, unsupported ops
  optrun test [flags] [DIR...]    run the ONNX backend-test cases under DIRs
                                  (default: ` + "%s" + `)
  optrun train MODEL.onnx --data TRAIN.npz --input KEY --target KEY --out OUT.onnx
                                  train the model's parameters (flags: optrun help train)
  optrun grad MODEL.onnx --input NAME=FILE --out DIR
                                  one forward+backward; writes DIR/grad_<name>.npy
  optrun help [COMMAND]           show this help, or a command's flags

Exit status: 0 success, 1 load/run error or failing test, 2 usage error,
130 training interrupted by Ctrl-C (a checkpoint was saved).
`

// run is optrun's main function, taking the arguments after the program
// name; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 0:
		err = runCmd(nil, stdout, stderr)
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		printMainUsage(stdout)
		return exitOK
	case args[0] == "help":
		return helpCmd(args[1:], stdout, stderr)
	case args[0] == "run":
		err = runCmd(args[1:], stdout, stderr)
	case args[0] == "info":
		err = infoCmd(args[1:], stdout, stderr)
	case args[0] == "test":
		err = testCmd(args[1:], stdout, stderr)
	case args[0] == "train":
		err = trainCmd(args[1:], stdout, stderr)
	case args[0] == "grad":
		err = gradCmd(args[1:], stdout, stderr)
	case strings.HasPrefix(args[0], "-") || looksLikeModel(args[0]):
		err = runCmd(args, stdout, stderr)
	default:
		err = usagef("unknown command %q (commands: run, info, test, train, grad, help; a model file ends in .onnx)", args[0])
	}
	return report(err, stderr)
}

// report prints err and returns the exit status it calls for.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ie *errInterrupted
	switch {
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "optrun: %v\n", ie)
		return exitInterrupted
	case errors.Is(err, flag.ErrHelp):
		return exitOK // the flag set printed its usage already
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "optrun: %v\nRun 'optrun -h' for usage.\n", ue)
		return exitUsage
	case errors.Is(err, errTestsFailed):
		return exitError // the summary line said it
	}
	fmt.Fprintf(stderr, "optrun: %v\n", err)
	return exitError
}

func looksLikeModel(arg string) bool {
	if strings.HasSuffix(strings.ToLower(arg), ".onnx") {
		return true
	}
	st, err := os.Stat(arg)
	return err == nil && st.Mode().IsRegular()
}

func printMainUsage(w io.Writer) {
	fmt.Fprintf(w, mainUsage, defaultTestDir)
}

func helpCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printMainUsage(stdout)
		return exitOK
	}
	var fs *flag.FlagSet
	switch args[0] {
	case "run":
		fs, _ = newRunFlags()
	case "info":
		fs = newInfoFlags()
	case "test":
		fs, _ = newTestFlags()
	case "train":
		fs, _ = newTrainFlags()
	case "grad":
		fs, _ = newGradFlags()
	default:
		return report(usagef("unknown command %q (commands: run, info, test, train, grad)", args[0]), stderr)
	}
	fs.SetOutput(stdout)
	fs.Usage()
	return exitOK
}

// parseInterleaved parses flags that may come before, between or after
// positional arguments (optrun model.onnx --random), and returns the
// positional ones. Everything after "--" is positional. For -h it prints
// the flag set's usage to stdout and returns flag.ErrHelp.
func parseInterleaved(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return nil, err
			}
			return nil, usagef("%s: %v (flags: optrun help %s)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting;
// its usage prints head and the flags. The flag package's own messages go
// to a buffer nobody reads: parseInterleaved reports errors itself.
func newFlagSet(name, head string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(new(bytes.Buffer))
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprint(w, head)
		fmt.Fprintln(w, "\nFlags (-flag and --flag both work):")
		fs.PrintDefaults()
	}
	return fs
}
