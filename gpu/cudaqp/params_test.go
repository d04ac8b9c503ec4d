package cudaqp

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unsafe"

	"github.com/optnet-go/optnet/gpu/kernels"
)

// snake turns a Go field name into the C spelling used in qp.cu
// (NotImprovedLimit → not_improved_limit, SoM0 → so_m0, GQ → gQ).
func snake(s string) string {
	special := map[string]string{"GQ": "gQ", "GP": "gP", "GG": "gG", "GH": "gH", "GA": "gA", "GB": "gB",
		"Q": "Q", "P": "p", "G": "G", "H": "h", "A": "A", "B": "b", "S": "s", "Z": "z", "Nu": "nu", "Lam": "lam",
		"LdKf": "ld_kf", "LdY": "ld_y", "LdPf": "ld_pf", "SoM0": "so_m0", "Dl": "dl", "Bdz": "bdz", "Bw": "bw", "Bdnu": "bdnu"}
	if v, ok := special[s]; ok {
		return v
	}
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestParamsMirror checks the Go params struct against struct QPParams in
// qp.cu (same fields in the same order, all 8 bytes) and against the size of
// the kernels' parameter block in the PTX.
func TestParamsMirror(t *testing.T) {
	src := kernels.QPSource
	body := regexp.MustCompile(`(?s)struct QPParams \{(.*?)\n\};`).FindStringSubmatch(src)
	if body == nil {
		t.Fatal("no struct QPParams in qp.cu")
	}
	var cnames []string
	for _, line := range strings.Split(body[1], "\n") {
		line, _, _ = strings.Cut(line, "//")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		line = strings.TrimSuffix(line, ";")
		// "const double *Q, *p" / "long long off[NBUF]" / "double* setup"
		for _, decl := range strings.Split(line, ",") {
			f := strings.Fields(strings.ReplaceAll(decl, "*", " "))
			name := f[len(f)-1]
			name, _, _ = strings.Cut(name, "[")
			cnames = append(cnames, name)
		}
	}
	var gonames []string
	typ := reflect.TypeFor[params]()
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		gonames = append(gonames, snake(f.Name))
		if f.Type.Kind() != reflect.Array && f.Type.Size() != 8 {
			t.Errorf("field %s is %d bytes, want 8", f.Name, f.Type.Size())
		}
	}
	if strings.Join(cnames, " ") != strings.Join(gonames, " ") {
		t.Errorf("field order differs:\n  qp.cu %v\n  Go    %v", cnames, gonames)
	}
	m := regexp.MustCompile(`qp_ipm_param_0\[(\d+)\]`).FindStringSubmatch(string(kernels.QPPTX))
	if m == nil {
		t.Fatal("no qp_ipm parameter block in the PTX")
	}
	size, _ := strconv.Atoi(m[1])
	if uintptr(size) != unsafe.Sizeof(params{}) {
		t.Errorf("PTX parameter block is %d bytes, Go params %d", size, unsafe.Sizeof(params{}))
	}
}

// cEnum returns the names of a C enum's members in order.
func cEnum(t *testing.T, src, re string) []string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("no match for %s in qp.cu", re)
	}
	var names []string
	for _, part := range strings.Split(m[1], ",") {
		part, _, _ = strings.Cut(part, "//")
		part, _, _ = strings.Cut(part, "=")
		if part = strings.TrimSpace(part); part != "" {
			names = append(names, part)
		}
	}
	return names
}

// TestEnumsMirror checks the arena buffer ids and the status codes.
func TestEnumsMirror(t *testing.T) {
	src := regexp.MustCompile(`//[^\n]*`).ReplaceAllString(kernels.QPSource, "")
	bufs := cEnum(t, src, `(?s)enum Buf \{(.*?)\};`)
	if len(bufs) != nbuf+1 || bufs[len(bufs)-1] != "NBUF" {
		t.Fatalf("enum Buf has %d members %v, want %d buffers and NBUF", len(bufs), bufs, nbuf)
	}
	want := map[string]int{"B_RED": bRED, "B_Z": bZ, "B_KF": bKF, "B_Y": bY, "B_PF": bPF, "B_ACT": bACT, "B_TC": bTC, "B_BNU": bBNU, "B_FLAM": bFLAM, "B_FNU": bFNU}
	for i, b := range bufs {
		if id, ok := want[b]; ok && id != i {
			t.Errorf("%s is %d in qp.cu, %d in Go", b, i, id)
		}
	}
	st := cEnum(t, src, `(?s)enum \{\s*(ST_OK.*?)\};`)
	wantSt := []string{"ST_OK", "ST_NONFINITE", "ST_Q_NOT_PSD", "ST_START_H", "ST_RANK_SETUP", "ST_START_P", "ST_START_K", "ST_INFEASIBLE", "ST_NOT_CONVERGED", "ST_PENDING"}
	if strings.Join(st, ",") != strings.Join(wantSt, ",") {
		t.Errorf("status codes %v, Go expects %v", st, wantSt)
	}
	if stNotConverged != 8 || stInfeasible != 7 || stStartK != 6 {
		t.Error("Go status constants out of step")
	}
	if !strings.Contains(kernels.QPHeader, "RED_MAXVALS = "+strconv.Itoa(redMaxVals)) {
		t.Errorf("RED_MAXVALS differs from redMaxVals = %d", redMaxVals)
	}
}

// TestLayout checks the arena placement: no overlaps, the shared-memory
// limit respected, odd leading dimensions, and a global fallback.
func TestLayout(t *testing.T) {
	for _, c := range []struct {
		n, m, k       int
		dual, primal  bool
		cmax, limit   int
		wantGlobalMat bool
	}{
		{10, 10, 2, true, false, 2, 232448, false},
		{100, 100, 0, true, false, 0, 232448, false},
		{199, 198, 0, false, true, 198, 232448, true},
		{50, 50, 10, true, true, 60, 4096, true},
		{5, 0, 0, true, false, 0, 232448, false},
	} {
		threads := threadsFor(c.n, c.m, c.k)
		a := layout(c.n, c.m, c.k, threads, c.dual, c.primal, c.cmax, c.limit)
		if a.sharedBytes > c.limit {
			t.Errorf("%+v: %d bytes of shared memory over the limit", c, a.sharedBytes)
		}
		if a.globalMatrix != c.wantGlobalMat {
			t.Errorf("%+v: factor in global memory = %v", c, a.globalMatrix)
		}
		if a.ldKf%2 == 0 || a.ldY%2 == 0 || a.ldPf%2 == 0 {
			t.Errorf("%+v: even leading dimension", c)
		}
		type span struct{ lo, hi int64 }
		var sh, gl []span
		for b, off := range a.off {
			size := int64(sizeOf(c.n, c.m, c.k, threads, a, b, c.dual, c.primal, c.cmax))
			if off >= 0 {
				sh = append(sh, span{off, off + size})
				if (off+size)*8 > int64(a.sharedBytes) {
					t.Errorf("%+v: buffer %d beyond the shared block", c, b)
				}
			} else {
				g := -off - 1
				gl = append(gl, span{g, g + size})
				if g+size > int64(a.workDoubles) {
					t.Errorf("%+v: buffer %d beyond the global slice", c, b)
				}
			}
		}
		for _, spans := range [][]span{sh, gl} {
			for i := range spans {
				for j := range i {
					if spans[i].lo < spans[j].hi && spans[j].lo < spans[i].hi {
						t.Errorf("%+v: buffers overlap: %v %v", c, spans[i], spans[j])
					}
				}
			}
		}
	}
}

// sizeOf recomputes a buffer's size independently of layout.
func sizeOf(n, m, k, threads int, a arena, b int, dual, primal bool, cmax int) int {
	var s int
	switch b {
	case bRED:
		s = 2 * redMaxVals * threads / 32
	case bZ, bRX, bDZA, bDZ, bRHAT, bTN1, bBZ:
		s = n
	case bS, bLAM, bRZ, bRZP, bDG, bDSA, bDLA, bDS, bDL, bGDZ, bTM1, bBS, bBLAM, bFLAM, bACT:
		s = m
	case bNU, bRY, bDNUA, bDNU, bTK1, bBNU, bFNU:
		s = k
	case bF0, bTC:
		s = m + k
	case bKF:
		rows := 0
		if dual {
			rows = m
		}
		if primal {
			rows = max(rows, n)
		}
		s = rows * a.ldKf
	case bY:
		if primal && cmax > 0 {
			s = n * a.ldY
		}
	case bPF:
		if primal && cmax > 0 {
			s = cmax * a.ldPf
		}
	}
	return max(s, 1)
}
