module example.com/lamina/greet

go 1.19
