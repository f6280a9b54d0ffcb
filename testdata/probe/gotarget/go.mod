module example.com/rcprobe

go 1.19
