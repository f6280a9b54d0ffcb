module example.com/reloadfix

go 1.19

require example.com/reloaddep v1.2.0

replace example.com/reloaddep => ./dep
