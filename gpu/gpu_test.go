package gpu

import (
	"errors"
	"testing"

	"github.com/optnet-go/optnet/gpu/cuda"
)

// TestAvailable: Available never panics, and its answer agrees with Probe:
// a reason when there is no GPU, a description when there is one.
func TestAvailable(t *testing.T) {
	ok, reason := Available()
	info, err := Probe()
	if ok != (err == nil) {
		t.Fatalf("Available() = %v but Probe() error = %v", ok, err)
	}
	if reason == "" {
		t.Error("empty reason/description")
	}
	if !ok {
		if !errors.Is(err, cuda.ErrUnavailable) {
			t.Errorf("probe error %v does not wrap cuda.ErrUnavailable", err)
		}
		t.Logf("no GPU here: %s", reason)
		return
	}
	t.Logf("GPU: %s", info)
	if info.ComputeMajor < 8 || info.MaxSharedOptin <= 0 || info.Multiprocessors <= 0 {
		t.Errorf("implausible device info %+v", info)
	}
}
