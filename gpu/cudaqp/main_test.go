package cudaqp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/optnet-go/optnet/gpu/cuda"
)

// The tests run against the real driver when this machine has a GPU, else
// against the fake driver of gpu/emu (which runs the same kernel source on
// the host), built here with g++ when it is installed. Otherwise the tests
// that need a device skip with a log line.
//
//	OPTNET_FAKECUDA=off    never use the fake driver
//	OPTNET_FAKECUDA=force  use it even on a machine with a GPU
//	OPTNET_LIBCUDA=path    use this driver library (real or fake)

// backend says what the tests run on: "gpu", "fake" or "" (nothing).
var backend, backendNote string

func TestMain(m *testing.M) {
	backend, backendNote = chooseBackend()
	os.Exit(m.Run())
}

func chooseBackend() (string, string) {
	if lib := os.Getenv(cuda.LibraryEnv); lib != "" {
		return "lib", "driver library from $" + cuda.LibraryEnv + ": " + lib
	}
	mode := os.Getenv("OPTNET_FAKECUDA")
	if mode != "force" {
		if d, err := cuda.Open(cuda.DefaultLibrary); err == nil {
			if n, err := d.DeviceCount(); err == nil && n > 0 {
				return "gpu", "real CUDA driver"
			}
		}
	}
	if mode == "off" {
		return "", "no GPU, and OPTNET_FAKECUDA=off"
	}
	lib, err := buildFake()
	if err != nil {
		return "", "no GPU, and the fake driver could not be built: " + err.Error()
	}
	os.Setenv(cuda.LibraryEnv, lib)
	return "fake", "fake CUDA driver (host emulation of the kernels): " + lib
}

// buildFake compiles gpu/emu/fakecuda.cc into a cached shared library named
// after the hash of its sources.
func buildFake() (string, error) {
	cxx := os.Getenv("CXX")
	if cxx == "" {
		cxx = "g++"
	}
	if _, err := exec.LookPath(cxx); err != nil {
		return "", fmt.Errorf("%s not found", cxx)
	}
	srcs := []string{"../emu/fakecuda.cc", "../emu/emu.h", "../kernels/qp.cu", "../kernels/qp_la.cuh"}
	h := sha256.New()
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "optnet-fakecuda")
	lib := filepath.Join(dir, "libcuda-"+hex.EncodeToString(h.Sum(nil))[:16]+".so")
	if _, err := os.Stat(lib); err == nil {
		return lib, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp := lib + fmt.Sprintf(".%d.tmp", os.Getpid())
	cmd := exec.Command(cxx, "-std=c++20", "-O2", "-g", "-shared", "-fPIC", "-fno-strict-aliasing",
		"-o", tmp, srcs[0], "-pthread")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %s", err, out)
	}
	return lib, os.Rename(tmp, lib)
}

// newSolver returns the solver under test, or skips the test.
func newSolver(t testing.TB) *Solver {
	t.Helper()
	if backend == "" {
		t.Skipf("no CUDA device: %s", backendNote)
	}
	s, err := New()
	if err != nil {
		t.Skipf("no CUDA device (%s): %v", backendNote, err)
	}
	return s
}

// emulated reports whether the tests run on the fake driver (slow: sizes
// are kept small there).
func emulated() bool { return backend == "fake" }
