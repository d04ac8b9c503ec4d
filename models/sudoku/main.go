// Command sudoku reproduces the 4×4 sudoku experiment of the OptNet paper
// with optnet. Work in progress: the data generator is in place; the
// models follow.
package main

func main() {}
