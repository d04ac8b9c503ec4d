package cuda

import (
	"errors"
	"strings"
	"testing"
)

// TestOpenMissingLibrary: a library that does not exist is reported, as
// ErrUnavailable, with its path; nothing panics.
func TestOpenMissingLibrary(t *testing.T) {
	const path = "/nonexistent/optnet/libcuda.so.1"
	d, err := Open(path)
	if d != nil || err == nil {
		t.Fatalf("Open(%q) = %v, %v; want an error", path, d, err)
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("error %v does not wrap ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the library", err)
	}
}

// TestOpenWrongLibrary: a library that loads but is not the CUDA driver
// (the C library) lacks the driver's symbols: an error, not purego's panic.
func TestOpenWrongLibrary(t *testing.T) {
	d, err := Open("libc.so.6")
	if err == nil {
		t.Fatalf("Open(libc.so.6) = %v, want an error", d)
	}
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "missing symbol cuInit") {
		t.Errorf("got %v, want ErrUnavailable naming the missing cuInit", err)
	}
}

func TestSymbols(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Symbols() {
		if s == "" || seen[s] {
			t.Errorf("empty or duplicate symbol %q", s)
		}
		seen[s] = true
		if !strings.HasPrefix(s, "cu") {
			t.Errorf("symbol %q is not a driver API name", s)
		}
	}
	for _, want := range []string{"cuInit", "cuLaunchKernel", "cuModuleLoadDataEx", "cuMemAlloc_v2", "cuFuncSetAttribute"} {
		if !seen[want] {
			t.Errorf("%s is not bound", want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	e := &Error{Op: "cuMemAlloc", Code: ErrorOutOfMemory, Name: "CUDA_ERROR_OUT_OF_MEMORY", Message: "out of memory", Detail: "1024 bytes"}
	if got, want := e.Error(), "cuda: cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory): 1024 bytes"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if errors.Is(e, ErrUnavailable) {
		t.Error("out of memory is not 'unavailable'")
	}
	if !errors.Is(&Error{Op: "cuInit", Code: ErrorNoDevice}, ErrUnavailable) {
		t.Error("CUDA_ERROR_NO_DEVICE should be 'unavailable'")
	}
}
