module github.com/optnet-go/optnet

go 1.26.0

require (
	codeberg.org/sbinet/npyio v0.14.0
	golang.org/x/sys v0.50.0
	gonum.org/v1/gonum v0.17.0
	google.golang.org/protobuf v1.36.12
)

require github.com/ebitengine/purego v0.11.3

require (
	github.com/nlpodyssey/gopickle v0.3.0 // indirect
	golang.org/x/text v0.34.0 // indirect
)
