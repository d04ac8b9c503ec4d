package kernels

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPTXWellFormed checks the embedded PTX's header and that it declares
// exactly the kernels the Go side launches.
func TestPTXWellFormed(t *testing.T) {
	ptx := string(QPPTX)
	if strings.IndexByte(ptx, 0) >= 0 {
		t.Fatal("PTX holds a NUL byte")
	}
	version := regexp.MustCompile(`(?m)^\.version (\d+)\.(\d+)$`).FindStringSubmatch(ptx)
	if version == nil {
		t.Fatal("no .version directive")
	}
	if major, _ := strconv.Atoi(version[1]); major != 7 {
		t.Errorf(".version %s.%s: want 7.x (from CUDA 11.x; any driver since 11.8 loads it)", version[1], version[2])
	}
	if !regexp.MustCompile(`(?m)^\.target sm_80$`).MatchString(ptx) {
		t.Error("want .target sm_80 (double-precision shuffles, large shared memory)")
	}
	if !regexp.MustCompile(`(?m)^\.address_size 64$`).MatchString(ptx) {
		t.Error("want .address_size 64")
	}
	var entries []string
	for _, m := range regexp.MustCompile(`(?m)^\.visible \.entry (\w+)\(`).FindAllStringSubmatch(ptx, -1) {
		entries = append(entries, m[1])
	}
	if strings.Join(entries, ",") != strings.Join(QPKernels, ",") {
		t.Errorf("PTX entries %v, Go launches %v", entries, QPKernels)
	}
	// Every entry takes one parameter, the QPParams block.
	params := regexp.MustCompile(`\.entry (\w+)\(\s*\.param \.align 8 \.b8 (\w+)_param_0\[(\d+)\]\s*\)`).FindAllStringSubmatch(ptx, -1)
	if len(params) != len(QPKernels) {
		t.Errorf("%d entries with one .param block, want %d", len(params), len(QPKernels))
	}
	size := ""
	for _, p := range params {
		if size != "" && p[3] != size {
			t.Errorf("%s takes %s bytes of parameters, others %s", p[1], p[3], size)
		}
		size = p[3]
	}
}

// TestKernelList checks QPKernels against the QP_KERNELS list of qp.cu.
func TestKernelList(t *testing.T) {
	m := regexp.MustCompile(`#define QP_KERNELS\(X\) (.*)`).FindStringSubmatch(QPSource)
	if m == nil {
		t.Fatal("no QP_KERNELS in qp.cu")
	}
	var names []string
	for _, x := range regexp.MustCompile(`X\((\w+)\)`).FindAllStringSubmatch(m[1], -1) {
		names = append(names, x[1])
	}
	if strings.Join(names, ",") != strings.Join(QPKernels, ",") {
		t.Errorf("qp.cu lists %v, QPKernels %v", names, QPKernels)
	}
}

// TestPTXUpToDate checks that qp.ptx was generated from the current sources
// (gen-ptx.sh records their hash on the first line).
func TestPTXUpToDate(t *testing.T) {
	h := sha256.New()
	h.Write([]byte(QPSource))
	h.Write([]byte(QPHeader))
	want := "// optnet-source-sha256: " + hex.EncodeToString(h.Sum(nil))
	first, _, _ := strings.Cut(string(QPPTX), "\n")
	if first != want {
		t.Errorf("qp.ptx is stale: run go generate ./gpu/kernels\n got %q\nwant %q", first, want)
	}
}

// ptxas finds NVIDIA's PTX assembler: $PTXAS, the repository's .tools
// (scripts/get-ptxas.sh), or PATH.
func ptxas() string {
	if p := os.Getenv("PTXAS"); p != "" {
		return p
	}
	if p, err := filepath.Abs("../../.tools/cuda/bin/ptxas"); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("ptxas"); err == nil {
		return p
	}
	return ""
}

// TestPTXAssembles assembles the PTX for Ampere and Hopper with ptxas (what
// the driver's JIT does at load time), so that PTX the JIT would reject, or
// kernels that spill registers, are caught without a GPU.
func TestPTXAssembles(t *testing.T) {
	bin := ptxas()
	if bin == "" {
		t.Skip("no ptxas (scripts/get-ptxas.sh installs one in .tools)")
	}
	src := filepath.Join(t.TempDir(), "qp.ptx")
	if err := os.WriteFile(src, QPPTX, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"sm_80", "sm_90"} {
		out, err := exec.Command(bin, "-arch="+arch, "-v", src, "-o", filepath.Join(t.TempDir(), arch+".cubin")).CombinedOutput()
		if err != nil {
			t.Fatalf("ptxas -arch=%s: %v\n%s", arch, err, out)
		}
		entry := ""
		for _, line := range strings.Split(string(out), "\n") {
			if m := regexp.MustCompile(`Compiling entry function '(\w+)'`).FindStringSubmatch(line); m != nil {
				entry = m[1]
			}
			// A few bytes of spills (qp_setup) are harmless; tens of bytes
			// in the solver kernels would mean real register pressure.
			if m := regexp.MustCompile(`(\d+) bytes spill stores, (\d+) bytes spill loads`).FindStringSubmatch(line); m != nil && (m[1] != "0" || m[2] != "0") {
				stores, _ := strconv.Atoi(m[1])
				loads, _ := strconv.Atoi(m[2])
				if stores+loads > 64 {
					t.Errorf("%s %s: %s", arch, entry, strings.TrimSpace(line))
				} else {
					t.Logf("%s %s: %s", arch, entry, strings.TrimSpace(line))
				}
			}
			if m := regexp.MustCompile(`Used (\d+) registers`).FindStringSubmatch(line); m != nil {
				t.Logf("%s %s: %s registers", arch, entry, m[1])
			}
		}
	}
}
