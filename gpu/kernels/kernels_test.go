package kernels

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
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
	for _, f := range []string{"qp.cu", "qp_la.cuh"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	want := "// optnet-source-sha256: " + hex.EncodeToString(h.Sum(nil))
	first, _, _ := strings.Cut(string(QPPTX), "\n")
	if first != want {
		t.Errorf("qp.ptx is stale: run go generate ./gpu/kernels\n got %q\nwant %q", first, want)
	}
}
