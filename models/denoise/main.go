// Command denoise reproduces the signal-denoising experiment of the OptNet
// paper (Amos & Kolter, ICML 2017) with optnet. Work in progress: the data
// generator is in place; the models follow.
package main

func main() {}
