module github.com/optnet-go/optnet

go 1.26
