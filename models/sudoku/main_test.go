package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestQuick trains both models in quick mode (60 puzzles, batches of 15,
// 4 epochs): the training loss must fall and the report must be written.
func TestQuick(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	if err := run(context.Background(), []string{"-quick", "-out", dir}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	res, err := loadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range modelNames {
		r := res[m]
		if r == nil {
			t.Fatalf("no result for %s", m)
		}
		if !(r.LastLoss < 0.9*r.FirstLoss) || r.Steps != 16 {
			t.Errorf("%s: training loss went from %.4g to %.4g in %d steps\n%s", m, r.FirstLoss, r.LastLoss, r.Steps, log.String())
		}
	}
	for _, f := range []string{"RESULTS.md", "curves.png", "optnet.onnx", "fc.onnx"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

func TestBoardError(t *testing.T) {
	tr, te, z0 := loadData(true)
	// z₀ satisfies the true constraints: every cell sums to 1.
	for c := 0; c < 16; c++ {
		s := 0.0
		for d := 0; d < 4; d++ {
			s += z0[4*c+d]
		}
		if s != 1 {
			t.Fatalf("cell %d of z0 sums to %v", c, s)
		}
	}
	// The solutions themselves have no error; the puzzles (blanks decode
	// to digit 0) are wrong.
	if e, l := boardError(te.Y, te); e != 0 || l != 0 {
		t.Fatalf("solutions: error %v, mse %v", e, l)
	}
	if e, _ := boardError(te.X, te); e != 1 {
		t.Fatalf("puzzles: error %v", e)
	}
	if n := overlap(tr, tr.Slice(0, 5)); n != 5 {
		t.Fatalf("overlap of a subset: %d", n)
	}
}
