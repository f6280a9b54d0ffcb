module example.com/reloaddep

go 1.19
