package std

import "github.com/optnet-go/optnet/runtime"

// SoftmaxCrossEntropyLoss: log_prob = LogSoftmax(scores) over the class
// axis 1 of scores (N, C, d1, …, dk), then the NegativeLogLikelihoodLoss of
// log_prob against labels (N, d1, …, dk) with optional per-class weights,
// ignore_index and reduction none / sum / mean (mean divides by the sum of
// the applied weights). Outputs the loss and, optionally, log_prob. Opset
// 12 introduced it; 13 only widened the types. The kernel lives in
// negativeloglikelihoodloss.go.

func init() {
	register(&runtime.Op{Type: "SoftmaxCrossEntropyLoss", Since: 12, Inputs: [2]int{2, 3}, Outputs: [2]int{1, 2}, Build: buildLoss("SoftmaxCrossEntropyLoss", true)})
}
