module example.com/rcpprof

go 1.19
