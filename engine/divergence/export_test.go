package divergence

// SetGather makes g draw every site from its gathered fields instead of
// its threshold table (the tables' twin, for the tests).
func SetGather(g *Gibbs, on bool) { g.gather = on }
