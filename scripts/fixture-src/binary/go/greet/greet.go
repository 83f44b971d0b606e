// Package greet is a local dependency module for the Go fixture.
package greet

// Hello returns a greeting.
func Hello(name string) string { return "hello, " + name }
