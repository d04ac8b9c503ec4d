package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/optnet-go/optnet"
	"github.com/optnet-go/optnet/importer"
	"github.com/optnet-go/optnet/runtime"
)

const infoUsage = `Usage: optrun info MODEL.onnx...

Describes a model: IR and opset versions, producer, inputs and outputs
with their shapes, the op histogram, the parameter count (elements of
floating-point initializers), and every operator optnet does not support
(domain, type, opset, node count). It works on models optnet cannot run.
`

func newInfoFlags() *flag.FlagSet { return newFlagSet("info", infoUsage) }

func infoCmd(args []string, stdout, stderr io.Writer) error {
	fs := newInfoFlags()
	pos, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("info: name a model file")
	}
	for i, path := range pos {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		// Load without a registry so unsupported ops do not stop us.
		m, err := importer.Load(path)
		if err != nil {
			return err
		}
		if err := writeInfo(stdout, path, m, optnet.DefaultRegistry()); err != nil {
			return err
		}
	}
	return nil
}

// writeInfo describes m; reg decides which ops are supported.
func writeInfo(w io.Writer, path string, m *importer.Model, reg *runtime.Registry) error {
	p, g := m.Proto, m.Graph
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "model:\t%s\n", path)
	fmt.Fprintf(tw, "ir_version:\t%d\n", p.GetIrVersion())
	if prod := strings.TrimSpace(p.GetProducerName() + " " + p.GetProducerVersion()); prod != "" {
		fmt.Fprintf(tw, "producer:\t%s\n", prod)
	}
	if d := p.GetDomain(); d != "" {
		fmt.Fprintf(tw, "domain:\t%s\n", d)
	}
	if v := p.GetModelVersion(); v != 0 {
		fmt.Fprintf(tw, "model_version:\t%d\n", v)
	}
	if doc := strings.TrimSpace(p.GetDocString()); doc != "" {
		if i := strings.IndexByte(doc, '\n'); i >= 0 {
			doc = doc[:i] + " ..."
		}
		fmt.Fprintf(tw, "doc:\t%s\n", doc)
	}
	var opsets []string
	for d, v := range g.Opsets {
		opsets = append(opsets, fmt.Sprintf("%s %d", runtime.DomainName(d), v))
	}
	sort.Strings(opsets)
	fmt.Fprintf(tw, "opsets:\t%s\n", strings.Join(opsets, ", "))
	if err := tw.Flush(); err != nil {
		return err
	}

	// Inputs that have an initializer are optional (IR < 4 models list
	// every weight as an input); they are counted, not listed.
	var inputs []runtime.ValueInfo
	defaults := 0
	for _, in := range g.Inputs {
		if _, ok := g.Initializers[in.Name]; ok {
			defaults++
			continue
		}
		inputs = append(inputs, in)
	}
	fmt.Fprintf(w, "inputs (%d):\n", len(inputs))
	writeValueInfos(w, inputs)
	if defaults > 0 {
		fmt.Fprintf(w, "  (and %d inputs with initializer defaults)\n", defaults)
	}
	fmt.Fprintf(w, "outputs (%d):\n", len(g.Outputs))
	writeValueInfos(w, g.Outputs)

	params, bytes := 0, 0
	for _, t := range g.Initializers {
		if t.DType().IsFloat() {
			params += t.Len()
		}
		bytes += t.Len() * t.DType().Size()
	}
	fmt.Fprintf(w, "initializers: %d, %s bytes\n", len(g.Initializers), thousands(bytes))
	fmt.Fprintf(w, "parameters: %s (elements of floating-point initializers)\n", thousands(params))

	type opCount struct {
		name  string
		count int
	}
	counts := map[string]int{}
	nodes, sub := 0, 0
	var walk func(g *runtime.Graph, depth int)
	walk = func(g *runtime.Graph, depth int) {
		for _, n := range g.Nodes {
			name := n.OpType
			if d := runtime.DomainName(n.Domain); d != "ai.onnx" {
				name = d + "::" + name
			}
			counts[name]++
			nodes++
			if depth > 0 {
				sub++
			}
			for _, a := range n.Attrs {
				if a.Graph != nil {
					walk(a.Graph, depth+1)
				}
				for _, sg := range a.Graphs {
					walk(sg, depth+1)
				}
			}
		}
	}
	walk(g, 0)
	hist := make([]opCount, 0, len(counts))
	for k, v := range counts {
		hist = append(hist, opCount{k, v})
	}
	sort.Slice(hist, func(i, j int) bool {
		if hist[i].count != hist[j].count {
			return hist[i].count > hist[j].count
		}
		return hist[i].name < hist[j].name
	})
	fmt.Fprintf(w, "nodes: %d", nodes)
	if sub > 0 {
		fmt.Fprintf(w, " (%d in subgraphs)", sub)
	}
	fmt.Fprintf(w, ", %d op types:\n", len(hist))
	width, cwidth := 0, 0
	for _, h := range hist {
		width, cwidth = max(width, len(h.name)), max(cwidth, len(fmt.Sprint(h.count)))
	}
	for _, h := range hist {
		fmt.Fprintf(w, "  %-*s  %*d\n", width, h.name, cwidth, h.count)
	}

	err := reg.CheckSupported(g)
	var ue *runtime.UnsupportedError
	switch {
	case err == nil:
		fmt.Fprintln(w, "unsupported ops: none (optnet can run every node)")
	case errors.As(err, &ue):
		fmt.Fprintf(w, "unsupported ops (%d):\n", len(ue.Ops))
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, u := range ue.Ops {
			fmt.Fprintf(tw, "  %s::%s\topset %d\t%d %s\n", runtime.DomainName(u.Domain), u.OpType, u.Version, len(u.Nodes), plural(len(u.Nodes), "node", "nodes"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	default:
		return err
	}
	return nil
}

func writeValueInfos(w io.Writer, vis []runtime.ValueInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, vi := range vis {
		typ := "tensor"
		switch vi.Kind {
		case runtime.KindSequence:
			typ = "sequence"
		case runtime.KindOptional:
			typ = "optional"
		case runtime.KindMap:
			typ = "map"
		case runtime.KindSparseTensor:
			typ = "sparse"
		case runtime.KindUnknown:
			typ = "?"
		}
		dt := vi.DType.String()
		if typ != "tensor" {
			dt = typ + "<" + dt + ">"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", vi.Name, dt, vi.ShapeString())
	}
	tw.Flush()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
