package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/optnet-go/optnet/models/internal/exp"
)

// TestQuick runs the quick comparison (n = 10, batches 1 and 8): both
// solvers must agree on the solutions, and the table and plot must be
// written. It needs /usr/bin/python3 with cvxopt (Debian python3-cvxopt).
func TestQuick(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import cvxopt, numpy").Run(); err != nil {
		t.Skipf("no cvxopt at /usr/bin/python3: %v", err)
	}
	dir := t.TempDir()
	var log bytes.Buffer
	if err := run(context.Background(), []string{"-quick", "-out", dir}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	h, cols, err := exp.ReadCSV(filepath.Join(dir, "timings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	diff := exp.Column(h, cols, "max_abs_dz")
	if len(diff) != 2 {
		t.Fatalf("%d rows in timings.csv", len(diff))
	}
	for i, d := range diff {
		if !(d < 1e-5) {
			t.Errorf("row %d: optnet and cvxopt differ by %g", i, d)
		}
	}
	for _, c := range []string{"optnet_cpu_all_cores_s", "optnet_cpu_1_core_s", "cvxopt_s"} {
		for _, v := range exp.Column(h, cols, c) {
			if !(v > 0) {
				t.Errorf("%s: %v", c, v)
			}
		}
	}
	for _, f := range []string{"RESULTS.md", "speed.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

func TestRandomProblemsAreFeasibleAndConvex(t *testing.T) {
	p := randomProblems(5, 3, 1)
	if len(p.Q) != 3*25 || len(p.H) != 15 {
		t.Fatal("sizes")
	}
	for b := 0; b < 3; b++ {
		q := p.Q[b*25 : (b+1)*25]
		for i := 0; i < 5; i++ {
			if q[i*5+i] < 0.1 {
				t.Fatalf("diagonal %v", q[i*5+i])
			}
			for j := 0; j < 5; j++ {
				if q[i*5+j] != q[j*5+i] {
					t.Fatal("Q not symmetric")
				}
			}
		}
	}
}
