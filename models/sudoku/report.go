package main

func writeReport(cfg config) error { return nil }
