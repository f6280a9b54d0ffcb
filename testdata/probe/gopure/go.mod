module example.com/rcprobepure

go 1.19
