module github.com/optnet-go/optnet

go 1.26.0

require (
	golang.org/x/sys v0.50.0
	gonum.org/v1/gonum v0.17.0
	google.golang.org/protobuf v1.36.12
)

require github.com/ebitengine/purego v0.11.3
