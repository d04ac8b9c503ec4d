package train

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/optnet-go/optnet/runtime/tensor"
)

// Checkpoints: everything a Trainer needs to continue exactly where it
// stopped — the step count, the current value of every float initializer
// (parameters and state such as BatchNorm running statistics), which of
// them training has changed, and the optimizer's per-parameter state.
// Hyperparameters (loss, learning rate, schedule) are not saved: the
// caller builds the Trainer with the same Options and then calls Restore.

// checkpointVersion is the format version written by Checkpoint.
const checkpointVersion = 1

// ErrCheckpoint is wrapped by Restore's errors: the checkpoint is not
// readable or does not belong to this model and optimizer.
var ErrCheckpoint = errors.New("train: bad checkpoint")

// Stateful is implemented by optimizers whose per-parameter state can be
// saved and restored (SGD with momentum, Adam). An optimizer that keeps
// state but does not implement it cannot be checkpointed.
type Stateful interface {
	// SaveState returns the optimizer's state as named arrays.
	SaveState() map[string]StateArray
	// LoadState replaces the optimizer's state with saved.
	LoadState(saved map[string]StateArray) error
}

// StateArray is one saved array: a parameter value or one optimizer
// buffer, stored as float64 (exact for float16/32/64) with its dtype.
type StateArray struct {
	DType string
	Shape []int
	Data  []float64
	Count int // a step counter (Adam's t), when the array has none
}

type checkpointFile struct {
	Version   int
	Step      int
	Optimizer string
	Params    []string
	Values    map[string]StateArray
	Changed   []string
	OptState  map[string]StateArray
}

// Checkpoint writes the trainer's state to w (encoding/gob).
func (t *Trainer) Checkpoint(w io.Writer) error {
	cf := checkpointFile{
		Version:   checkpointVersion,
		Step:      t.step,
		Optimizer: t.opts.Optimizer.Name(),
		Params:    t.params,
		Values:    map[string]StateArray{},
	}
	for name, v := range t.values {
		a, err := arrayOf(v)
		if err != nil {
			return fmt.Errorf("train: checkpoint %q: %w", name, err)
		}
		cf.Values[name] = a
	}
	for name := range t.changed {
		cf.Changed = append(cf.Changed, name)
	}
	sort.Strings(cf.Changed)
	if s, ok := t.opts.Optimizer.(Stateful); ok {
		cf.OptState = s.SaveState()
	}
	return gob.NewEncoder(w).Encode(&cf)
}

// Restore reads a checkpoint written by Checkpoint for the same model,
// parameter selection and optimizer, and continues from it.
func (t *Trainer) Restore(r io.Reader) error {
	var cf checkpointFile
	if err := gob.NewDecoder(r).Decode(&cf); err != nil {
		return fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	if cf.Version != checkpointVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrCheckpoint, cf.Version, checkpointVersion)
	}
	if cf.Optimizer != t.opts.Optimizer.Name() {
		return fmt.Errorf("%w: it was written with optimizer %s, not %s", ErrCheckpoint, cf.Optimizer, t.opts.Optimizer.Name())
	}
	if fmt.Sprint(cf.Params) != fmt.Sprint(t.params) {
		return fmt.Errorf("%w: it trains parameters %v, this trainer %v", ErrCheckpoint, cf.Params, t.params)
	}
	values := make(map[string]*tensor.Tensor, len(t.values))
	for name, cur := range t.values {
		a, ok := cf.Values[name]
		if !ok {
			return fmt.Errorf("%w: no value for initializer %q", ErrCheckpoint, name)
		}
		v, err := a.tensor()
		if err != nil {
			return fmt.Errorf("%w: initializer %q: %v", ErrCheckpoint, name, err)
		}
		if v.DType() != cur.DType() || !tensor.SameShape(v.Shape(), cur.Shape()) {
			return fmt.Errorf("%w: initializer %q is %v %v in the checkpoint, %v %v in the model", ErrCheckpoint, name, v.DType(), v.Shape(), cur.DType(), cur.Shape())
		}
		values[name] = v
	}
	if len(cf.Values) != len(t.values) {
		return fmt.Errorf("%w: it holds %d initializers, the model %d", ErrCheckpoint, len(cf.Values), len(t.values))
	}
	if s, ok := t.opts.Optimizer.(Stateful); ok {
		if err := s.LoadState(cf.OptState); err != nil {
			return fmt.Errorf("%w: optimizer state: %v", ErrCheckpoint, err)
		}
	} else if len(cf.OptState) > 0 {
		return fmt.Errorf("%w: the optimizer %s cannot take saved state", ErrCheckpoint, cf.Optimizer)
	}
	t.values = values
	t.changed = map[string]bool{}
	for _, name := range cf.Changed {
		t.changed[name] = true
	}
	t.step = cf.Step
	return nil
}

func arrayOf(v *tensor.Tensor) (StateArray, error) {
	d, err := tensor.Float64s(v)
	if err != nil {
		return StateArray{}, err
	}
	return StateArray{DType: v.DType().String(), Shape: append([]int{}, v.Shape()...), Data: append([]float64(nil), d...)}, nil
}

func (a StateArray) tensor() (*tensor.Tensor, error) {
	dt, err := tensor.ParseDType(a.DType)
	if err != nil {
		return nil, err
	}
	shape := a.Shape
	if shape == nil {
		shape = []int{}
	}
	if tensor.NumElements(shape) != len(a.Data) {
		return nil, fmt.Errorf("shape %v does not hold %d values", shape, len(a.Data))
	}
	t, err := tensor.FromSlice(shape, append([]float64{}, a.Data...))
	if err != nil {
		return nil, err
	}
	return tensor.Convert(t, dt)
}

// saveSlices turns an optimizer's per-parameter buffers (whatever their
// element type) into StateArrays under prefix+name.
func saveSlices[V any](out map[string]StateArray, prefix string, m map[string]V) {
	for name, v := range m {
		switch s := any(v).(type) {
		case []float64:
			out[prefix+name] = StateArray{DType: "float64", Shape: []int{len(s)}, Data: append([]float64(nil), s...)}
		case []float32:
			d := make([]float64, len(s))
			for i, x := range s {
				d[i] = float64(x)
			}
			out[prefix+name] = StateArray{DType: "float32", Shape: []int{len(s)}, Data: d}
		}
	}
}

// loadSlices rebuilds the buffers saved under prefix into *dst, whose
// element type V is []float64, or any holding []float32/[]float64.
func loadSlices[V any](dst *map[string]V, saved map[string]StateArray, prefix string) error {
	out := map[string]V{}
	for key, a := range saved {
		name, ok := cutPrefix(key, prefix)
		if !ok {
			continue
		}
		var typed any = append([]float64(nil), a.Data...)
		if a.DType == "float32" {
			f := make([]float32, len(a.Data))
			for i, x := range a.Data {
				f[i] = float32(x)
			}
			typed = f
		}
		v, ok := typed.(V)
		if !ok {
			// A float64 buffer type holding float32 state.
			if v, ok = any(append([]float64(nil), a.Data...)).(V); !ok {
				return fmt.Errorf("state %q: unexpected buffer type", key)
			}
		}
		out[name] = v
	}
	*dst = out
	return nil
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

// SaveState returns the momentum buffers.
func (o *SGD) SaveState() map[string]StateArray {
	out := map[string]StateArray{}
	saveSlices(out, "buf/", o.buf)
	return out
}

// LoadState replaces the momentum buffers.
func (o *SGD) LoadState(saved map[string]StateArray) error {
	return loadSlices(&o.buf, saved, "buf/")
}

// SaveState returns the first and second moments and the step counts.
func (o *Adam) SaveState() map[string]StateArray {
	out := map[string]StateArray{}
	saveSlices(out, "m/", o.m)
	saveSlices(out, "v/", o.v)
	for name, n := range o.t {
		out["t/"+name] = StateArray{DType: "int64", Shape: []int{}, Count: n}
	}
	return out
}

// LoadState replaces the moments and step counts.
func (o *Adam) LoadState(saved map[string]StateArray) error {
	if err := loadSlices(&o.m, saved, "m/"); err != nil {
		return err
	}
	if err := loadSlices(&o.v, saved, "v/"); err != nil {
		return err
	}
	t := map[string]int{}
	for key, a := range saved {
		if name, ok := cutPrefix(key, "t/"); ok {
			t[name] = a.Count
		}
	}
	o.t = t
	return nil
}
