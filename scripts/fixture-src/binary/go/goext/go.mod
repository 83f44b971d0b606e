module example.com/lamina/goext

go 1.19

require example.com/lamina/greet v0.1.0

// Wired to a local directory so the fixture builds offline (no module proxy).
replace example.com/lamina/greet => ../greet
