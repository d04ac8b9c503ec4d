package std

import (
	"testing"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

func TestDepthToSpaceMatchesDefinition(t *testing.T) {
	const n, c, h, w, b = 2, 8, 2, 3, 2
	x := shpIota(n, c, h, w)
	cb := c / (b * b)
	out := []int{n, cb, h * b, w * b}
	for _, mode := range []string{"DCR", "CRD"} {
		want := make([]float64, x.Len())
		for p := range want {
			o := shpUnravel(p, out)
			hh, i := o[2]/b, o[2]%b
			ww, j := o[3]/b, o[3]%b
			ch := (i*b+j)*cb + o[1] // DCR
			if mode == "CRD" {
				ch = o[1]*b*b + i*b + j
			}
			want[p] = float64(shpRavel([]int{o[0], ch, hh, ww}, []int{n, c, h, w}))
		}
		got := runOp(t, "DepthToSpace", 13, attrsOf(attrInt("blocksize", b), attrString("mode", mode)), 1, x)[0]
		shpWantF64(t, got, out, want)
		if mode == "DCR" {
			// Opset 1 has only DCR.
			shpWantF64(t, runOp(t, "DepthToSpace", 1, attrsOf(attrInt("blocksize", b)), 1, x)[0], out, want)
		}
	}
}

func TestDepthToSpaceErrors(t *testing.T) {
	shpWantErr(t, runOpErr("DepthToSpace", 13, attrsOf(attrInt("blocksize", 2)), 1, shpIota(1, 6, 1, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("DepthToSpace", 13, attrsOf(attrInt("blocksize", 2)), 1, shpIota(4, 1, 1)), tensor.ErrShape)
	shpWantErr(t, runOpErr("DepthToSpace", 13, attrsOf(attrInt("blocksize", 0)), 1, shpIota(1, 4, 1, 1)), runtime.ErrInvalidGraph)
	shpWantErr(t, runOpErr("DepthToSpace", 13, attrsOf(attrInt("blocksize", 2), attrString("mode", "XYZ")), 1, shpIota(1, 4, 1, 1)), runtime.ErrInvalidGraph)
}

func TestSpaceToDepthMatchesDefinition(t *testing.T) {
	const n, c, h, w, b = 2, 3, 4, 6, 2
	x := shpIota(n, c, h, w)
	out := []int{n, c * b * b, h / b, w / b}
	want := make([]float64, x.Len())
	for p := range want {
		o := shpUnravel(p, out)
		blk, ch := o[1]/c, o[1]%c
		i, j := blk/b, blk%b
		want[p] = float64(shpRavel([]int{o[0], ch, o[2]*b + i, o[3]*b + j}, []int{n, c, h, w}))
	}
	got := runOp(t, "SpaceToDepth", 13, attrsOf(attrInt("blocksize", b)), 1, x)[0]
	shpWantF64(t, got, out, want)
	// DepthToSpace (DCR) undoes it.
	back := runOp(t, "DepthToSpace", 13, attrsOf(attrInt("blocksize", b)), 1, got)[0]
	shpWantF64(t, back, []int{n, c, h, w}, tensor.Data[float64](x))
	shpWantErr(t, runOpErr("SpaceToDepth", 13, attrsOf(attrInt("blocksize", b)), 1, shpIota(1, 1, 3, 4)), tensor.ErrShape)
}
