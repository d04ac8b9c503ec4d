package std

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// TestRecurrentTorchReference compares bidirectional GRU
// (linear_before_reset=1) and LSTM with PyTorch's nn.GRU / nn.LSTM outputs
// recorded by scripts/rnn_reference.py.
func TestRecurrentTorchReference(t *testing.T) {
	b, err := os.ReadFile("testdata/rnn_torch.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Op                     string
			Seq, Batch, In, Hidden int
			X, W, R, B             []float64
			InitialH               []float64 `json:"initial_h"`
			InitialC               []float64 `json:"initial_c"`
			Y                      []float64
			YH                     []float64 `json:"Y_h"`
			YC                     []float64 `json:"Y_c"`
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) != 2 {
		t.Fatalf("%d cases in the reference file", len(ref.Cases))
	}
	for _, c := range ref.Cases {
		g := 3
		if c.Op == "LSTM" {
			g = 4
		}
		h := c.Hidden
		in := []*tensor.Tensor{
			normF64([]int{c.Seq, c.Batch, c.In}, c.X), normF64([]int{2, g * h, c.In}, c.W), normF64([]int{2, g * h, h}, c.R),
			normF64([]int{2, 2 * g * h}, c.B), nil, normF64([]int{2, c.Batch, h}, c.InitialH),
		}
		attrs := attrsOf(attrString("direction", "bidirectional"))
		nout := 2
		if c.Op == "GRU" {
			attrs = append(attrs, attrInt("linear_before_reset", 1))
		} else {
			in = append(in, normF64([]int{2, c.Batch, h}, c.InitialC))
			nout = 3
		}
		out := runOp(t, c.Op, 14, attrs, nout, in...)
		assertClose(t, out[0], normF64([]int{c.Seq, 2, c.Batch, h}, c.Y), 1e-10, 1e-10)
		assertClose(t, out[1], normF64([]int{2, c.Batch, h}, c.YH), 1e-10, 1e-10)
		if nout == 3 {
			assertClose(t, out[2], normF64([]int{2, c.Batch, h}, c.YC), 1e-10, 1e-10)
		}
	}
}
