package main

import (
	"bytes"
	"context"
	"encoding/gob"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/exporter"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/internal/tensorio"
	"github.com/optnet-go/optnet/runtime"
	"github.com/optnet-go/optnet/runtime/tensor"
	"github.com/optnet-go/optnet/train"
)

const trainUsage = `Usage: optrun train MODEL.onnx --data TRAIN.npz --input KEY --target KEY --out TRAINED.onnx [flags]

Trains the model's float initializers on the arrays of an .npz file with
shuffled mini-batches (the last, partial batch is kept), printing a
progress bar and per-epoch train/validation metrics, and writes the
trained model (atomically; never over MODEL).

--input names the .npz array that feeds the model's only graph input, or
GRAPHINPUT=KEY (repeatable) for several inputs. --target names the array
of targets for the loss's model output (the first output unless
--output). All arrays share their first (sample) dimension.

Ctrl-C stops after the current step and saves a checkpoint (--checkpoint,
default TRAINED.onnx.ckpt); --resume CKPT continues it with the same
results as an uninterrupted run (same data, --batch, --seed, optimizer and
schedule). --checkpoint is also written after every epoch.

Schedules: step:N:GAMMA multiplies the rate by GAMMA every N epochs;
cosine[:MIN] anneals it from 1 to MIN (default 0) times --lr over the run.
`

// trainFlags holds the train command's settings.
type trainFlags struct {
	data, val      string
	inputs         multiFlag
	target, output string
	loss, opt      string
	lr, wd, clip   float64
	schedule       string
	params, freeze string
	epochs, batch  int
	seed           uint64
	out, csv, plot string
	resume, ckpt   string
	progress       string
}

func newTrainFlags() (*flag.FlagSet, *trainFlags) {
	f := &trainFlags{}
	fs := newFlagSet("train", trainUsage)
	fs.StringVar(&f.data, "data", "", "training arrays, `FILE.npz` (required)")
	fs.StringVar(&f.val, "val", "", "validation arrays, `FILE.npz`, with the same keys")
	fs.Var(&f.inputs, "input", "the array for the model's input: `KEY` or GRAPHINPUT=KEY; repeatable")
	fs.StringVar(&f.target, "target", "", "the array of targets, `KEY` (not needed with --loss output)")
	fs.StringVar(&f.output, "output", "", "the model output the loss reads (default: the first)")
	fs.StringVar(&f.loss, "loss", "mse", "loss: mse, cross-entropy, nll or output (the output is the loss)")
	fs.StringVar(&f.opt, "optimizer", "adam", "optimizer: sgd, momentum, nesterov, adam or adamw")
	fs.Float64Var(&f.lr, "lr", 1e-3, "learning rate")
	fs.Float64Var(&f.wd, "weight-decay", 0, "weight decay (L2; decoupled for adamw)")
	fs.StringVar(&f.schedule, "schedule", "", "learning-rate schedule: step:N:GAMMA (every N epochs) or cosine[:MIN]")
	fs.Float64Var(&f.clip, "clip-norm", 0, "clip the global gradient norm to this value (0: off)")
	fs.StringVar(&f.params, "params", "", "train only initializers matching these comma-separated names or patterns")
	fs.StringVar(&f.freeze, "freeze", "", "never train initializers matching these comma-separated names or patterns")
	fs.IntVar(&f.epochs, "epochs", 1, "number of passes over the data")
	fs.IntVar(&f.batch, "batch", 64, "mini-batch size")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for shuffling and random ops (Dropout)")
	fs.StringVar(&f.out, "out", "", "write the trained model to `FILE.onnx` (required)")
	fs.StringVar(&f.csv, "csv", "", "write per-epoch metrics to `FILE.csv`")
	fs.StringVar(&f.plot, "plot", "", "draw the loss curves to `FILE.png`")
	fs.StringVar(&f.resume, "resume", "", "continue from the checkpoint `FILE`")
	fs.StringVar(&f.ckpt, "checkpoint", "", "write a checkpoint to `FILE` after every epoch and on Ctrl-C\n(default on Ctrl-C: the --out path + .ckpt)")
	fs.StringVar(&f.progress, "progress", "auto", "progress bar: auto (when stderr is a terminal), on or off")
	return fs, f
}

// errInterrupted reports a run stopped by Ctrl-C after saving a
// checkpoint; optrun exits 130.
type errInterrupted struct{ ckpt string }

func (e *errInterrupted) Error() string {
	return fmt.Sprintf("interrupted; checkpoint saved to %s (continue with --resume %s)", e.ckpt, e.ckpt)
}

// interruptSignals returns the channel that stops training and a function
// that stops delivery; tests replace it.
var interruptSignals = defaultInterruptSignals

func defaultInterruptSignals() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	return ch, func() { signal.Stop(ch) }
}

// afterStep, when set (by tests), is called after every optimizer step
// with the number of steps taken.
var afterStep func(step int)

// dataset is a set of equally long arrays: model inputs by graph input
// name, and the target.
type dataset struct {
	inputs map[string]*tensor.Tensor
	target *tensor.Tensor
	n      int
}

// epochRecord is one line of the metrics log.
type epochRecord struct {
	Epoch              int
	Step               int
	LR                 float64
	TrainLoss, ValLoss float64 // ValLoss NaN without --val
	TrainAcc, ValAcc   float64 // NaN unless the loss is a classification loss
	Seconds            float64
}

// trainState is what a checkpoint holds besides the trainer: where in the
// run it stopped, the shuffling RNG and this epoch's order, the running
// epoch sums, the metrics so far, and the settings that must not change.
type trainState struct {
	Version     int
	Fingerprint string
	Epoch       int // current epoch, from 0
	Batch       int // next batch within it
	RNG         []byte
	Perm        []int
	LossSum     float64
	Correct     float64
	Seen        int
	Seconds     float64
	History     []epochRecord
	Trainer     []byte
}

func trainCmd(args []string, stdout, stderr io.Writer) error {
	fs, f := newTrainFlags()
	pos, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("train: want exactly one model (got %d): optrun train MODEL.onnx --data FILE.npz ...", len(pos))
	}
	modelPath := pos[0]
	switch {
	case f.data == "":
		return usagef("train: --data FILE.npz is required")
	case f.out == "":
		return usagef("train: --out FILE.onnx is required")
	case f.epochs < 1:
		return usagef("train: --epochs must be >= 1")
	case f.batch < 1:
		return usagef("train: --batch must be >= 1")
	case !(f.lr > 0):
		return usagef("train: --lr must be > 0")
	case f.wd < 0 || f.clip < 0:
		return usagef("train: --weight-decay and --clip-norm must be >= 0")
	case f.progress != "auto" && f.progress != "on" && f.progress != "off":
		return usagef("train: --progress %q: want auto, on or off", f.progress)
	}
	loss, err := train.ParseLoss(f.loss)
	if err != nil {
		return usagef("train: --loss: %v", err)
	}
	opt, err := train.ParseOptimizer(f.opt, f.wd)
	if err != nil {
		return usagef("train: --optimizer: %v", err)
	}
	if _, isOut := loss.(train.OutputLoss); !isOut && f.target == "" {
		return usagef("train: --target KEY is required with --loss %s", loss.Name())
	}
	if same, err := samePath(modelPath, f.out); err != nil {
		return err
	} else if same {
		return usagef("train: --out %s is the input model; write the trained model elsewhere", f.out)
	}
	ckptPath := f.ckpt
	if ckptPath == "" {
		ckptPath = f.out + ".ckpt"
	}
	for _, p := range []string{ckptPath, f.csv, f.plot} {
		if p == "" {
			continue
		}
		if same, err := samePath(modelPath, p); err != nil {
			return err
		} else if same {
			return usagef("train: %s is the input model; choose another file", p)
		}
	}

	loader := importer.Loader{Registry: optnet.DefaultRegistry()}
	m, err := loader.Load(modelPath)
	if err != nil {
		return err
	}
	trainSet, err := loadDataset(m.Graph, f.data, f.inputs, f.target, stderr)
	if err != nil {
		return err
	}
	var valSet *dataset
	if f.val != "" {
		if valSet, err = loadDataset(m.Graph, f.val, f.inputs, f.target, stderr); err != nil {
			return err
		}
	}
	perEpoch := (trainSet.n + f.batch - 1) / f.batch
	sched, err := parseSchedule(f.schedule, perEpoch, f.epochs*perEpoch)
	if err != nil {
		return err
	}
	tr, err := train.New(m, train.Options{
		Registry:  loader.Registry,
		Params:    splitList(f.params),
		Freeze:    splitList(f.freeze),
		Output:    f.output,
		Loss:      loss,
		Optimizer: opt,
		LR:        f.lr,
		Schedule:  sched,
		ClipNorm:  f.clip,
		Seed:      f.seed,
	})
	if err != nil {
		return err
	}
	output := f.output
	if output == "" && len(m.Graph.Outputs) > 0 {
		output = m.Graph.Outputs[0].Name
	}
	classify := false
	switch loss.(type) {
	case train.CrossEntropy, train.NLL:
		classify = trainSet.target != nil && trainSet.target.DType().IsInt()
	}

	fingerprint := fmt.Sprintf("n=%d batch=%d seed=%d optimizer=%s loss=%s params=%v", trainSet.n, f.batch, f.seed, opt.Name(), loss.Name(), tr.Params())
	rngSrc := rand.NewPCG(f.seed, 0x747261696e)
	rng := rand.New(rngSrc)
	st := &trainState{Version: 1, Fingerprint: fingerprint}
	if f.resume != "" {
		if st, err = readTrainState(f.resume, fingerprint); err != nil {
			return err
		}
		if err := tr.Restore(bytes.NewReader(st.Trainer)); err != nil {
			return fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		if err := rngSrc.UnmarshalBinary(st.RNG); err != nil {
			return fmt.Errorf("--resume %s: RNG state: %w", f.resume, err)
		}
		if st.Epoch >= f.epochs {
			return usagef("train: --resume %s already finished %d epochs; ask for more with --epochs", f.resume, st.Epoch)
		}
		fmt.Fprintf(stdout, "resumed from %s: epoch %d, batch %d/%d, step %d\n", f.resume, st.Epoch+1, st.Batch, perEpoch, tr.Steps())
		for _, r := range st.History {
			printEpoch(stdout, r, f.epochs, valSet != nil, classify)
		}
	}
	fmt.Fprintf(stdout, "training %d parameters (%d values) of %s on %d samples: %d batches of %d per epoch, %s, %s, lr %g\n",
		len(tr.Params()), countValues(tr), filepath.Base(modelPath), trainSet.n, perEpoch, f.batch, opt.Name(), loss.Name(), f.lr)

	showBar := f.progress == "on"
	if f.progress == "auto" {
		if file, ok := stderr.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
			showBar = true
		}
	}
	sigs, stop := interruptSignals()
	defer stop()
	ctx := context.Background()

	saveCkpt := func(path string) error {
		var tb bytes.Buffer
		if err := tr.Checkpoint(&tb); err != nil {
			return err
		}
		st.Trainer = tb.Bytes()
		rb, err := rngSrc.MarshalBinary()
		if err != nil {
			return err
		}
		st.RNG = rb
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(st); err != nil {
			return err
		}
		return exporter.AtomicWrite(path, buf.Bytes())
	}

	for st.Epoch < f.epochs {
		if st.Perm == nil {
			st.Perm = rng.Perm(trainSet.n)
			st.Batch, st.LossSum, st.Correct, st.Seen, st.Seconds = 0, 0, 0, 0, 0
		}
		var bar *progressbar.ProgressBar
		if showBar {
			bar = progressbar.NewOptions(perEpoch,
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", st.Epoch+1, f.epochs)),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(24),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionSetPredictTime(true))
			_ = bar.Set(st.Batch)
		}
		start := time.Now()
		for st.Batch < perEpoch {
			lo := st.Batch * f.batch
			hi := min(lo+f.batch, trainSet.n)
			b, err := trainSet.batch(st.Perm[lo:hi])
			if err != nil {
				return err
			}
			l, err := tr.Step(ctx, b)
			if err != nil {
				return err
			}
			st.LossSum += l * float64(hi-lo)
			st.Seen += hi - lo
			st.Batch++
			if afterStep != nil {
				afterStep(tr.Steps())
			}
			if bar != nil {
				el := st.Seconds + time.Since(start).Seconds()
				bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4g %.0f samples/s", st.Epoch+1, f.epochs, st.LossSum/float64(st.Seen), float64(st.Seen)/el))
				_ = bar.Set(st.Batch)
			}
			select {
			case <-sigs:
				st.Seconds += time.Since(start).Seconds()
				if bar != nil {
					_ = bar.Exit()
					fmt.Fprintln(stderr)
				}
				if err := saveCkpt(ckptPath); err != nil {
					return fmt.Errorf("interrupted, and the checkpoint could not be saved: %w", err)
				}
				return &errInterrupted{ckpt: ckptPath}
			default:
			}
		}
		if bar != nil {
			_ = bar.Finish()
		}
		st.Seconds += time.Since(start).Seconds()
		rec := epochRecord{Epoch: st.Epoch + 1, Step: tr.Steps(), LR: f.lr * schedAt(sched, tr.Steps()-1),
			TrainLoss: st.LossSum / float64(st.Seen), ValLoss: math.NaN(), TrainAcc: math.NaN(), ValAcc: math.NaN(), Seconds: st.Seconds}
		if classify {
			if _, rec.TrainAcc, err = evaluate(ctx, tr, output, trainSet, f.batch, true); err != nil {
				return err
			}
		}
		if valSet != nil {
			if rec.ValLoss, rec.ValAcc, err = evaluate(ctx, tr, output, valSet, f.batch, classify); err != nil {
				return fmt.Errorf("validation: %w", err)
			}
		}
		st.History = append(st.History, rec)
		printEpoch(stdout, rec, f.epochs, valSet != nil, classify)
		st.Epoch++
		st.Perm = nil
		if f.csv != "" {
			if err := writeCSV(f.csv, st.History, valSet != nil, classify); err != nil {
				return err
			}
		}
		if f.ckpt != "" {
			if err := saveCkpt(f.ckpt); err != nil {
				return err
			}
		}
	}
	if err := tr.Export(f.out, exporter.Options{}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", f.out)
	if f.csv != "" {
		fmt.Fprintf(stdout, "wrote %s\n", f.csv)
	}
	if f.plot != "" {
		if err := plotLoss(f.plot, st.History, valSet != nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", f.plot)
	}
	return nil
}

func countValues(tr *train.Trainer) int {
	n := 0
	for _, p := range tr.Params() {
		n += tr.Value(p).Len()
	}
	return n
}

func schedAt(s train.Schedule, step int) float64 {
	if s == nil {
		return 1
	}
	return s(max(step, 0))
}

func printEpoch(w io.Writer, r epochRecord, epochs int, val, classify bool) {
	fmt.Fprintf(w, "epoch %d/%d  step %d  train loss %.6g", r.Epoch, epochs, r.Step, r.TrainLoss)
	if classify {
		fmt.Fprintf(w, "  acc %.4f", r.TrainAcc)
	}
	if val {
		fmt.Fprintf(w, "  val loss %.6g", r.ValLoss)
		if classify {
			fmt.Fprintf(w, "  acc %.4f", r.ValAcc)
		}
	}
	fmt.Fprintf(w, "  lr %.3g  %.1fs\n", r.LR, r.Seconds)
}

// writeCSV writes the metrics log (atomically).
func writeCSV(path string, hist []epochRecord, val, classify bool) error {
	var b strings.Builder
	b.WriteString("epoch,step,lr,train_loss")
	if classify {
		b.WriteString(",train_acc")
	}
	if val {
		b.WriteString(",val_loss")
		if classify {
			b.WriteString(",val_acc")
		}
	}
	b.WriteString(",seconds\n")
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range hist {
		fmt.Fprintf(&b, "%d,%d,%s,%s", r.Epoch, r.Step, g(r.LR), g(r.TrainLoss))
		if classify {
			b.WriteString("," + g(r.TrainAcc))
		}
		if val {
			b.WriteString("," + g(r.ValLoss))
			if classify {
				b.WriteString("," + g(r.ValAcc))
			}
		}
		fmt.Fprintf(&b, ",%.3f\n", r.Seconds)
	}
	return exporter.AtomicWrite(path, []byte(b.String()))
}

// evaluate returns the mean loss (and accuracy when classify) of the model
// in inference mode over the whole set, in batches.
func evaluate(ctx context.Context, tr *train.Trainer, output string, d *dataset, batch int, classify bool) (float64, float64, error) {
	var sum, correct float64
	idx := make([]int, 0, batch)
	for lo := 0; lo < d.n; lo += batch {
		idx = idx[:0]
		for i := lo; i < min(lo+batch, d.n); i++ {
			idx = append(idx, i)
		}
		b, err := d.batch(idx)
		if err != nil {
			return 0, 0, err
		}
		l, outs, err := tr.Evaluate(ctx, b)
		if err != nil {
			return 0, 0, err
		}
		sum += l * float64(len(idx))
		if classify {
			c, err := countCorrect(outs[output], b.Target)
			if err != nil {
				return 0, 0, err
			}
			correct += c
		}
	}
	acc := math.NaN()
	if classify {
		acc = correct / float64(d.n)
	}
	return sum / float64(d.n), acc, nil
}

// countCorrect counts samples whose arg-max over axis 1 equals the label.
func countCorrect(y, labels *tensor.Tensor) (float64, error) {
	if y == nil || y.Rank() < 2 {
		return 0, fmt.Errorf("accuracy needs (N, C, ...) outputs")
	}
	yv, err := tensor.Float64s(y)
	if err != nil {
		return 0, err
	}
	lv, err := tensor.Int64s(labels)
	if err != nil {
		return 0, err
	}
	n, c := y.Dim(0), y.Dim(1)
	inner := y.Len() / (n * c)
	if len(lv) != n*inner {
		return 0, fmt.Errorf("labels %v do not match outputs %v", labels.Shape(), y.Shape())
	}
	correct := 0.0
	for i := 0; i < n; i++ {
		for k := 0; k < inner; k++ {
			best, arg := math.Inf(-1), 0
			for j := 0; j < c; j++ {
				if v := yv[(i*c+j)*inner+k]; v > best {
					best, arg = v, j
				}
			}
			if int64(arg) == lv[i*inner+k] {
				correct++
			}
		}
	}
	return correct / float64(inner), nil
}

// loadDataset reads an .npz file and binds its arrays to graph inputs and
// the target.
func loadDataset(g *runtime.Graph, path string, specs []string, target string, stderr io.Writer) (*dataset, error) {
	arrays, err := tensorio.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(filepath.Ext(path), ".npz") {
		return nil, usagef("train: %s: the data must be an .npz file of named arrays", path)
	}
	var graphInputs []runtime.ValueInfo
	var names []string
	for _, in := range g.Inputs {
		if _, isInit := g.Initializers[in.Name]; !isInit {
			graphInputs = append(graphInputs, in)
			names = append(names, in.Name)
		}
	}
	keys := strings.Join(tensorio.Keys(arrays), ", ")
	d := &dataset{inputs: map[string]*tensor.Tensor{}, n: -1}
	lenFrom := ""
	add := func(what string, t *tensor.Tensor) error {
		if t.Rank() == 0 {
			return usagef("train: %s: array %s is a scalar; want one row per sample", path, what)
		}
		if d.n < 0 {
			d.n, lenFrom = t.Dim(0), what
		} else if t.Dim(0) != d.n {
			return usagef("train: %s: array %s has %d samples, %s has %d", path, what, t.Dim(0), lenFrom, d.n)
		}
		return nil
	}
	if len(specs) == 0 {
		for _, in := range graphInputs {
			if _, ok := arrays[in.Name]; ok {
				specs = append(specs, in.Name+"="+in.Name)
			}
		}
		if len(specs) == 0 {
			return nil, usagef("train: say which array feeds the model with --input KEY (model inputs: %s; arrays: %s)", strings.Join(names, ", "), keys)
		}
	}
	for _, spec := range specs {
		name, key, ok := strings.Cut(spec, "=")
		if !ok {
			if len(graphInputs) != 1 {
				return nil, usagef("train: --input %s: the model has %d inputs (%s); say which: --input NAME=%s", spec, len(graphInputs), strings.Join(names, ", "), spec)
			}
			name, key = graphInputs[0].Name, spec
		}
		var decl *runtime.ValueInfo
		for i := range graphInputs {
			if graphInputs[i].Name == name {
				decl = &graphInputs[i]
			}
		}
		if decl == nil {
			return nil, usagef("train: --input %s: the model has no input %q (inputs: %s)", spec, name, strings.Join(names, ", "))
		}
		t, ok := arrays[key]
		if !ok {
			return nil, usagef("train: %s has no array %q (arrays: %s)", path, key, keys)
		}
		if _, dup := d.inputs[name]; dup {
			return nil, usagef("train: input %q is given twice", name)
		}
		t, err := conform(*decl, t, stderr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := add(key, t); err != nil {
			return nil, err
		}
		d.inputs[name] = t
	}
	for _, in := range graphInputs {
		if _, ok := d.inputs[in.Name]; !ok {
			return nil, usagef("train: no array for model input %q: add --input %s=KEY (arrays: %s)", in.Name, in.Name, keys)
		}
	}
	if target != "" {
		t, ok := arrays[target]
		if !ok {
			return nil, usagef("train: %s has no target array %q (arrays: %s)", path, target, keys)
		}
		if err := add(target, t); err != nil {
			return nil, err
		}
		d.target = t
	}
	if d.n == 0 {
		return nil, usagef("train: %s holds no samples", path)
	}
	return d, nil
}

// batch gathers the rows idx of every array.
func (d *dataset) batch(idx []int) (train.Batch, error) {
	b := train.Batch{Inputs: map[string]*tensor.Tensor{}}
	for name, t := range d.inputs {
		r, err := gatherRows(t, idx)
		if err != nil {
			return b, err
		}
		b.Inputs[name] = r
	}
	if d.target != nil {
		r, err := gatherRows(d.target, idx)
		if err != nil {
			return b, err
		}
		b.Target = r
	}
	return b, nil
}

// gatherRows returns the rows idx (first dimension) of t.
func gatherRows(t *tensor.Tensor, idx []int) (*tensor.Tensor, error) {
	src := reflect.ValueOf(t.Raw())
	row := 1
	for _, d := range t.Shape()[1:] {
		row *= d
	}
	dst := reflect.MakeSlice(src.Type(), len(idx)*row, len(idx)*row)
	for i, r := range idx {
		reflect.Copy(dst.Slice(i*row, (i+1)*row), src.Slice(r*row, (r+1)*row))
	}
	shape := append([]int{len(idx)}, t.Shape()[1:]...)
	return tensor.FromAny(shape, dst.Interface())
}

// parseSchedule parses --schedule for a run of total steps with perEpoch
// steps per epoch.
func parseSchedule(s string, perEpoch, total int) (train.Schedule, error) {
	if s == "" || s == "none" || s == "constant" {
		return nil, nil
	}
	parts := strings.Split(s, ":")
	switch parts[0] {
	case "step":
		if len(parts) != 3 {
			break
		}
		n, err1 := strconv.Atoi(parts[1])
		gamma, err2 := strconv.ParseFloat(parts[2], 64)
		if err1 != nil || err2 != nil || n < 1 || !(gamma > 0) {
			break
		}
		return train.StepDecay(n*perEpoch, gamma), nil
	case "cosine":
		minRatio := 0.0
		if len(parts) == 2 {
			v, err := strconv.ParseFloat(parts[1], 64)
			if err != nil || v < 0 || v > 1 {
				break
			}
			minRatio = v
		} else if len(parts) > 2 {
			break
		}
		return train.Cosine(total, minRatio), nil
	}
	return nil, usagef("train: --schedule %q: want step:N:GAMMA (N epochs, GAMMA > 0) or cosine[:MIN] (0 <= MIN <= 1)", s)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// samePath reports whether a and b name the same file, following
// symbolic links and relative paths; b need not exist.
func samePath(a, b string) (bool, error) {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb), nil
	}
	ra, err := resolve(a)
	if err != nil {
		return false, err
	}
	rb, err := resolve(b)
	if err != nil {
		return false, err
	}
	return ra == rb, nil
}

// resolve returns the absolute path of p with the links of its existing
// directories resolved.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	dir, base := filepath.Split(abs)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	}
	return filepath.Join(dir, base), nil
}

// readTrainState reads a checkpoint and checks that it belongs to a run
// with the same settings.
func readTrainState(path, fingerprint string) (*trainState, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st trainState
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&st); err != nil {
		return nil, fmt.Errorf("--resume %s: not an optrun train checkpoint: %w", path, err)
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("--resume %s: checkpoint version %d, want 1", path, st.Version)
	}
	if st.Fingerprint != fingerprint {
		return nil, usagef("train: --resume %s was written by a run with other settings:\n  checkpoint: %s\n  this run:   %s", path, st.Fingerprint, fingerprint)
	}
	return &st, nil
}
