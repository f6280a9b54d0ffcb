module example.com/reloadcgo

go 1.19
