// A tiny Lambda extension stand-in: its build info carries a main module,
// a dependency and a replacement, which is what the binary cataloger reads.
package main

import (
	"os"

	"example.com/lamina/greet"
)

func main() {
	os.Stdout.WriteString(greet.Hello("lamina") + "\n")
}
