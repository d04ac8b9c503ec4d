package exp

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.npy")
	want := []float64{1, -2.5, math.Pi, 4, 5, 6}
	if err := WriteNPY(p, []int{2, 3}, want); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if (len(b)-6*8)%64 != 0 {
		t.Fatalf("header not padded to 64 bytes: file of %d bytes", len(b))
	}
	shape, got, err := ReadNPY(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) != 2 || shape[0] != 2 || shape[1] != 3 {
		t.Fatalf("shape %v", shape)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	if err := WriteNPY(p, []int{3}, []float32{1.5, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if shape, got, err = ReadNPY(p); err != nil || len(shape) != 1 || got[0] != 1.5 {
		t.Fatalf("float32: %v %v %v", shape, got, err)
	}
	if err := WriteNPY(p, []int{4}, []float32{1}); err == nil {
		t.Fatal("wrong length accepted")
	}
}

func TestMaskedMSE(t *testing.T) {
	y := tensor.MustFromSlice([]int{3, 2}, []float32{1, 2, float32(math.NaN()), 0, 3, 5})
	tg := tensor.MustFromSlice([]int{3, 2}, []float32{0, 0, 0, 0, 3, 3})
	l := &MaskedMSE{}
	v, g, err := l.Eval(y, tg)
	if err != nil {
		t.Fatal(err)
	}
	// Rows 0 and 2 count: (1 + 4 + 0 + 4)/4.
	if math.Abs(v-9.0/4) > 1e-12 || l.Dropped != 1 {
		t.Fatalf("loss %v dropped %d", v, l.Dropped)
	}
	gv := tensor.Data[float32](g)
	want := []float32{0.5, 1, 0, 0, 0, 1}
	for i := range want {
		if math.Abs(float64(gv[i]-want[i])) > 1e-6 {
			t.Fatalf("grad %v want %v", gv, want)
		}
	}
	all := tensor.MustFromSlice([]int{1, 2}, []float32{float32(math.NaN()), 1})
	if _, _, err := l.Eval(all, tensor.MustFromSlice([]int{1, 2}, []float32{0, 0})); err == nil {
		t.Fatal("all-NaN batch accepted")
	}
}

func TestBatches(t *testing.T) {
	seen := map[int]bool{}
	bs := Shuffled(10, 4, rand.New(rand.NewPCG(1, 2)))
	if len(bs) != 3 || len(bs[2]) != 2 {
		t.Fatalf("batches %v", bs)
	}
	for _, b := range bs {
		for _, i := range b {
			seen[i] = true
		}
	}
	if len(seen) != 10 {
		t.Fatal("not a permutation")
	}
	r := Rows([]float32{0, 1, 2, 3, 4, 5}, 2, []int{2, 0})
	if d := tensor.Data[float32](r); d[0] != 4 || d[1] != 5 || d[2] != 0 {
		t.Fatalf("rows %v", d)
	}
}

func TestPlotsWritePNGs(t *testing.T) {
	dir := t.TempDir()
	s := []Series{{Name: "a", X: []float64{1, 2, 3}, Y: []float64{3, 1, 2}}, {Name: "b", X: []float64{1, 2}, Y: []float64{1, math.NaN()}, Dashed: true, Style: 1, Points: true}}
	files := []string{filepath.Join(dir, "l.png"), filepath.Join(dir, "g.png"), filepath.Join(dir, "h.png")}
	if err := LinePlot(files[0], Axes{Title: "t", LogY: true}, s, 4, 3); err != nil {
		t.Fatal(err)
	}
	if err := PanelGrid(files[1], []Panel{{Series: s}, {Series: s}, {Series: s}}, 2, 3, 2); err != nil {
		t.Fatal(err)
	}
	if err := HeatMap(files[2], "D", "col", "row", 2, 3, []float64{1, -1, 0, 0.5, 2, -2}); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || len(b) < 1000 || string(b[1:4]) != "PNG" {
			t.Fatalf("%s: %d bytes, %v", f, len(b), err)
		}
	}
}
