package std

import (
	"math"
	"sort"

	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
)

// NonMaxSuppression: per batch and class, greedily selects boxes in
// decreasing score order (ties: lower box index first), skipping boxes
// whose score is not above score_threshold and boxes whose IoU with an
// already selected box exceeds iou_threshold, up to
// max_output_boxes_per_class (absent or 0: none). Returns int64
// [num_selected, 3] rows (batch, class, box). center_point_box picks the
// box format: 0 = [y1, x1, y2, x2] (any diagonal corners), 1 = [x_center,
// y_center, width, height]. Introduced in opset 10; opset 11 only
// clarified the documentation.

func init() {
	register(&runtime.Op{Type: "NonMaxSuppression", Since: 10, Inputs: [2]int{2, 5}, Outputs: [2]int{1, 1}, Build: buildNMS})
}

type nmsKernel struct{ center bool }

func buildNMS(b *runtime.BuildContext) (runtime.Kernel, error) {
	c := b.Int("center_point_box", 0)
	if c != 0 && c != 1 {
		return nil, b.Errorf("center_point_box must be 0 or 1, got %d", c)
	}
	return &nmsKernel{center: c == 1}, b.Err()
}

// nmsBox is a box as [ymin, xmin, ymax, xmax].
type nmsBox [4]float64

func (k *nmsKernel) Run(rc *runtime.RunContext, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	boxes, scores := in[0], in[1]
	if boxes.Rank() != 3 || boxes.Dim(2) != 4 {
		return nil, errShape("NonMaxSuppression boxes must be [batches, boxes, 4], got %v", boxes.Shape())
	}
	if scores.Rank() != 3 || scores.Dim(0) != boxes.Dim(0) || scores.Dim(2) != boxes.Dim(1) {
		return nil, errShape("NonMaxSuppression scores %v do not fit boxes %v", scores.Shape(), boxes.Shape())
	}
	if !boxes.DType().IsFloat() || !scores.DType().IsFloat() {
		return nil, errDType("NonMaxSuppression boxes and scores must be float, got %v and %v", boxes.DType(), scores.DType())
	}
	maxOut := int64(0)
	if t := sigOptInput(in, 2); t != nil {
		v, err := sigScalarInt(t, "max_output_boxes_per_class")
		if err != nil {
			return nil, err
		}
		maxOut = v
	}
	iouTh := 0.0
	if t := sigOptInput(in, 3); t != nil {
		v, err := sigScalarFloat(t, "iou_threshold")
		if err != nil {
			return nil, err
		}
		iouTh = v
	}
	hasScoreTh, scoreTh := false, 0.0
	if t := sigOptInput(in, 4); t != nil {
		v, err := sigScalarFloat(t, "score_threshold")
		if err != nil {
			return nil, err
		}
		hasScoreTh, scoreTh = true, v
	}
	bd, _ := tensor.Float64s(boxes)
	sd, _ := tensor.Float64s(scores)
	nb, nc, n := scores.Dim(0), scores.Dim(1), scores.Dim(2)
	sel := []int64{}
	if maxOut > 0 {
		order := make([]int, 0, n)
		var picked []nmsBox
		for b := 0; b < nb; b++ {
			bx := make([]nmsBox, n)
			for i := range bx {
				bx[i] = k.corners(bd[(b*n+i)*4 : (b*n+i)*4+4])
			}
			for c := 0; c < nc; c++ {
				if err := rc.Err(); err != nil {
					return nil, err
				}
				sc := sd[(b*nc+c)*n : (b*nc+c+1)*n]
				order = order[:0]
				for i, s := range sc {
					if !hasScoreTh || s > scoreTh {
						order = append(order, i)
					}
				}
				sort.SliceStable(order, func(i, j int) bool { return sc[order[i]] > sc[order[j]] })
				picked = picked[:0]
				for _, i := range order {
					if int64(len(picked)) >= maxOut {
						break
					}
					keep := true
					for _, p := range picked {
						if nmsIoU(bx[i], p) > iouTh {
							keep = false
							break
						}
					}
					if keep {
						picked = append(picked, bx[i])
						sel = append(sel, int64(b), int64(c), int64(i))
					}
				}
			}
		}
	}
	return out1(tensor.FromSlice([]int{len(sel) / 3, 3}, sel))
}

func (k *nmsKernel) corners(v []float64) nmsBox {
	if k.center {
		xc, yc, w, h := v[0], v[1], v[2], v[3]
		return nmsBox{yc - h/2, xc - w/2, yc + h/2, xc + w/2}
	}
	return nmsBox{math.Min(v[0], v[2]), math.Min(v[1], v[3]), math.Max(v[0], v[2]), math.Max(v[1], v[3])}
}

// nmsIoU is the intersection over union of two boxes (0 when either is empty).
func nmsIoU(a, b nmsBox) float64 {
	ih := math.Min(a[2], b[2]) - math.Max(a[0], b[0])
	iw := math.Min(a[3], b[3]) - math.Max(a[1], b[1])
	if ih <= 0 || iw <= 0 {
		return 0
	}
	inter := ih * iw
	union := (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// InferShapes: int64 [?, 3].
func (k *nmsKernel) InferShapes(in []runtime.Fact) ([]runtime.Fact, error) {
	return []runtime.Fact{{DType: tensor.Int64, Shape: []int{-1, 3}, HasShape: true}}, nil
}
