package tensorio

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// The files under testdata were written by NumPy (testdata/gen.py); the
// expected values below restate the closed forms used there.

func readOne(t *testing.T, name string) *tensor.Tensor {
	t.Helper()
	m, err := ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 || m[""] == nil {
		t.Fatalf("%s: got keys %v, want one unnamed tensor", name, Keys(m))
	}
	return m[""]
}

func check(t *testing.T, name string, got *tensor.Tensor, dt tensor.DType, shape []int, data any) {
	t.Helper()
	if got.DType() != dt || !tensor.SameShape(got.Shape(), shape) {
		t.Fatalf("%s: got %v%v, want %v%v", name, got.DType(), got.Shape(), dt, shape)
	}
	if !reflect.DeepEqual(got.Raw(), data) {
		t.Fatalf("%s: data %v, want %v", name, got.Raw(), data)
	}
}

func TestReadNumPyFiles(t *testing.T) {
	arange6 := []float32{0, 1, 2, 3, 4, 5}
	check(t, "f32", readOne(t, "f32_2x3.npy"), tensor.Float32, []int{2, 3}, arange6)
	check(t, "fortran", readOne(t, "f32_2x3_fortran.npy"), tensor.Float32, []int{2, 3}, arange6)
	check(t, "big-endian", readOne(t, "i32_be_2x3.npy"), tensor.Int32, []int{2, 3}, []int32{0, 1, 2, 3, 4, 5})
	check(t, "bool", readOne(t, "bool_4.npy"), tensor.Bool, []int{4}, []bool{true, false, false, true})
	check(t, "scalar", readOne(t, "f64_scalar.npy"), tensor.Float64, []int{}, []float64{3.25})
	check(t, "empty", readOne(t, "i64_0x3.npy"), tensor.Int64, []int{0, 3}, []int64{})
	check(t, "u8", readOne(t, "u8_2x2x2.npy"), tensor.Uint8, []int{2, 2, 2}, []uint8{0, 1, 2, 3, 4, 5, 6, 7})
	check(t, "pb", readOne(t, "f32_2x3.pb"), tensor.Float32, []int{2, 3}, arange6)

	h := readOne(t, "f16_3.npy")
	if h.DType() != tensor.Float16 {
		t.Fatalf("f16: dtype %v", h.DType())
	}
	for i, want := range []float32{0.5, -2, 65504} {
		if got := tensor.Data[tensor.F16](h)[i].Float32(); got != want {
			t.Errorf("f16[%d] = %v, want %v", i, got, want)
		}
	}
}

func TestReadNPZ(t *testing.T) {
	m, err := ReadFile("testdata/pair.npz")
	if err != nil {
		t.Fatal(err)
	}
	if got := Keys(m); !reflect.DeepEqual(got, []string{"x", "y"}) {
		t.Fatalf("keys %v", got)
	}
	check(t, "x", m["x"], tensor.Float32, []int{2, 3}, []float32{0, 1, 2, 3, 4, 5})
	check(t, "y", m["y"], tensor.Int64, []int{2}, []int64{7, 8})
}

func TestReadErrors(t *testing.T) {
	if _, err := ReadFile("testdata/object.npy"); !errors.Is(err, ErrFormat) {
		t.Errorf("object array: %v, want ErrFormat", err)
	}
	good, err := os.ReadFile("testdata/f32_2x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	// Truncated data, a truncated header, and garbage must all be errors.
	for name, b := range map[string][]byte{
		"truncated data":   good[:len(good)-3],
		"truncated header": good[:20],
		"garbage":          []byte("not a numpy file at all"),
		"empty":            nil,
	} {
		if _, err := ReadNPY(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ReadPB([]byte{0xff, 0xff, 0xff}); !errors.Is(err, ErrFormat) {
		t.Errorf("bad pb: %v", err)
	}
	if _, err := ReadFile("testdata/gen.py"); err == nil {
		t.Error("unknown extension accepted")
	}
}

func TestWriteRoundTrip(t *testing.T) {
	cases := []*tensor.Tensor{
		tensor.MustFromSlice([]int{2, 3}, []float32{1, -2, 3.5, 4, 5, 6}),
		tensor.MustFromSlice([]int{2, 1, 2}, []int64{1, -2, 3, 1 << 40}),
		tensor.MustFromSlice([]int{3}, []bool{true, false, true}),
		tensor.MustFromSlice([]int{2}, []uint16{7, 65535}),
		tensor.Scalar(float64(2.5)),
		tensor.MustFromSlice([]int{0, 3}, []float32{}),
		tensor.MustFromSlice([]int{2, 0}, []int32{}),
		tensor.MustFromSlice([]int{2}, []string{"ab", "c"}),
	}
	for _, want := range cases {
		var buf bytes.Buffer
		if err := WriteNPY(&buf, want); err != nil {
			t.Fatalf("%v: %v", want.Shape(), err)
		}
		got, err := ReadNPY(&buf)
		if err != nil {
			t.Fatalf("%v %v: read back: %v", want.DType(), want.Shape(), err)
		}
		check(t, want.DType().String(), got, want.DType(), want.Shape(), want.Raw())
	}
}

func TestWriteHalfAsFloat32(t *testing.T) {
	h := tensor.MustFromSlice([]int{2}, []tensor.F16{tensor.F16From(1.5), tensor.F16From(-3)})
	var buf bytes.Buffer
	if err := WriteNPY(&buf, h); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPY(&buf)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "f16", got, tensor.Float32, []int{2}, []float32{1.5, -3})
	if NPYDType(tensor.Float16) != tensor.Float32 || NPYDType(tensor.Int8) != tensor.Int8 {
		t.Error("NPYDType")
	}
}

// TestEmptyHeaderMatchesNumPy checks the hand-written header for arrays
// without elements against NumPy's own bytes for the same array.
func TestEmptyHeaderMatchesNumPy(t *testing.T) {
	want, err := os.ReadFile("testdata/i64_0x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteNPY(&buf, tensor.MustFromSlice([]int{0, 3}, []int64{})); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("got\n%q\nwant (numpy)\n%q", buf.Bytes(), want)
	}
}
