package cudaqp

// Backend says what the tests run on ("gpu", "fake", "lib" or "") and why,
// for the external tests.
func Backend() (string, string) { return backend, backendNote }
