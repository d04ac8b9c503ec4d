package qptest

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Case is one reference case of the shared qp-cases set: a batch of QPs
// with qpth's solution and gradients and cvxopt's solution.
type Case struct {
	Name   string
	Shared bool // Q, G, h, A, b have no batch dimension
	B      int
	N      int
	M      int
	K      int
	Arrays map[string][]float64
	Shapes map[string][]int
	// Meta is the case's free-form metadata.
	Meta map[string]any
}

// SharedDir returns the directory of the shared qp-cases. When the
// environment variable OPTNET_SHARED is set it names either the shared
// directory (holding qp-cases/) or the qp-cases directory itself; otherwise
// the cases are looked for in ../shared/qp-cases relative to the directory
// holding go.mod (found by walking up from the working directory).
func SharedDir() (string, error) {
	if s := os.Getenv("OPTNET_SHARED"); s != "" {
		if _, err := os.Stat(filepath.Join(s, "index.json")); err == nil {
			return s, nil
		}
		return filepath.Join(s, "qp-cases"), nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "qp-cases"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("qptest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// LoadCases reads every case listed in dir/index.json.
func LoadCases(dir string) ([]*Case, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return nil, err
	}
	var index struct {
		Cases []struct{ Name, JSON, Bin string }
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("qptest: %s/index.json: %w", dir, err)
	}
	var cases []*Case
	for _, c := range index.Cases {
		cs, err := loadCase(filepath.Join(dir, c.JSON), filepath.Join(dir, c.Bin))
		if err != nil {
			return nil, err
		}
		cases = append(cases, cs)
	}
	return cases, nil
}

func loadCase(jsonPath, binPath string) (*Case, error) {
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		return nil, err
	}
	var hdr struct {
		Arrays map[string]struct {
			Shape  []int
			Offset int
			Nbytes int
		}
		Meta map[string]any
	}
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return nil, fmt.Errorf("qptest: %s: %w", jsonPath, err)
	}
	bin, err := os.ReadFile(binPath)
	if err != nil {
		return nil, err
	}
	c := &Case{Arrays: map[string][]float64{}, Shapes: map[string][]int{}, Meta: hdr.Meta}
	for name, a := range hdr.Arrays {
		if a.Offset < 0 || a.Nbytes%8 != 0 || a.Offset+a.Nbytes > len(bin) {
			return nil, fmt.Errorf("qptest: %s: array %s out of range", jsonPath, name)
		}
		v := make([]float64, a.Nbytes/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(bin[a.Offset+8*i:]))
		}
		c.Arrays[name] = v
		c.Shapes[name] = a.Shape
	}
	num := func(key string) int {
		f, _ := hdr.Meta[key].(float64)
		return int(f)
	}
	c.Name, _ = hdr.Meta["name"].(string)
	c.Shared, _ = hdr.Meta["shared"].(bool)
	c.B, c.N, c.M, c.K = num("B"), num("n"), num("m"), num("neq")
	for _, name := range []string{"Q", "p", "G", "h", "A", "b", "z", "lam", "nu", "dl_dz", "z_cvxopt"} {
		if _, ok := c.Arrays[name]; !ok {
			return nil, fmt.Errorf("qptest: %s: missing array %s", jsonPath, name)
		}
	}
	return c, nil
}
