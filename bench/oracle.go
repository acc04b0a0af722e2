package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/inputfile"
	"github.com/rgflow/rgflow/reps"
)

// The training suites set every representation and coarse mirror beside
// its exact variational map (engine/oracle): the critical values a network
// that reached the map would give. Each analysis is computed once and kept
// in the results directory as oracle-<rep>-<mirror>.json, so a resumed or
// re-tabulated suite does not compute it again.

func oracleKey(rep, mirror string) string { return rep + "\x00" + mirrorOf(mirror) }

// blockOracleKey is oracleKey with, beyond the plaquette, the block and
// its shells: the key of the exact map of one block pair.
func blockOracleKey(rep, mirror, block string, shells int) string {
	k := oracleKey(rep, mirror)
	if cfg := (engine.Config{Block: block, Shells: shells}); !cfg.IsPlaquette() {
		k += fmt.Sprintf("\x00%s\x00%d", block, shells)
	}
	return k
}

// runOracleKey is the key of the exact map a run is judged against.
func runOracleKey(s *runSpec) string {
	return blockOracleKey(s.Rep.Name, s.Cfg.CoarseMirror, s.Cfg.Block, s.Cfg.Shells)
}

// blockOracleFile is the analysis' file name in the results directory:
// oracle-<rep>-<mirror>.json, and for a block other than the plaquette
// oracle-<rep>-<mirror>-<block>[-shells<N>].json.
func blockOracleFile(rep, mirror, block string, shells int) string {
	r := strings.NewReplacer("+", "p", "/", "_", ":", "_")
	name := "oracle-" + r.Replace(rep) + "-" + mirrorOf(mirror)
	if cfg := (engine.Config{Block: block, Shells: shells}); !cfg.IsPlaquette() {
		name += "-" + r.Replace(block)
		if shells > 1 {
			name += fmt.Sprintf("-shells%d", shells)
		}
	}
	return name + ".json"
}

// oracles returns the analysis of every (representation, mirror) of the
// plan: read from its file, or computed (with a line on progress) and
// written there. A computation that fails leaves the pair out, with a
// note on progress; the tables then show no oracle values for it. Once ctx
// is done (an interrupted suite writing the tables of what finished)
// nothing more is computed.
func oracles(ctx context.Context, cfg Config, plan []runSpec, dir string, progress io.Writer) map[string]oracle.Analysis {
	out := map[string]oracle.Analysis{}
	if c, ok := cfg.(*BlockConfig); ok {
		return blockOracles(ctx, c, plan, dir, progress)
	}
	c, ok := cfg.(*DistConfig) // bias-vs-dimension and kl-vs-cd
	if !ok || !c.Oracle {
		return out
	}
	for _, s := range plan {
		key := runOracleKey(&s)
		if _, done := out[key]; done || s.Rep.D > reps.MaxExactDim {
			continue // computed, or beyond the exact map's reach
		}
		path := filepath.Join(dir, blockOracleFile(s.Rep.Name, s.Cfg.CoarseMirror, s.Cfg.Block, s.Cfg.Shells))
		if data, err := inputfile.Read(path, inputfile.ConfigLimit); err == nil {
			var an oracle.Analysis
			if json.Unmarshal(data, &an) == nil {
				out[key] = an
				continue
			}
		}
		if an, ok := memo.get(key, s.Rep); ok {
			out[key] = an
			writeOracle(path, an, progress)
			continue
		}
		if ctx.Err() != nil {
			fmt.Fprintf(progress, "rgflow bench: exact map of %s (%s) not computed: interrupted\n", s.Rep.Name, s.Cfg.CoarseMirror)
			continue
		}
		mirror, err := engine.ResolveCoarseMirror(s.Rep, s.Cfg.CoarseMirror)
		if err != nil {
			fmt.Fprintf(progress, "rgflow bench: no exact map for %s (%s): %v\n", s.Rep.Name, s.Cfg.CoarseMirror, err)
			continue
		}
		fmt.Fprintf(progress, "rgflow bench: exact variational map of %s, coarse mirror %s%s (rgflow oracle)…\n", s.Rep.Name, mirror.Name, strings.Join(append([]string{""}, blockLabel(s.Cfg)...), ", block "))
		begin := time.Now()
		pair, err := engine.NewBlockPair(s.Cfg, s.Rep, nil)
		if err != nil {
			fmt.Fprintf(progress, "rgflow bench: no exact map for %s (%s): %v\n", s.Rep.Name, s.Cfg.CoarseMirror, err)
			continue
		}
		o := oracle.NewContext(ctx, pair)
		an, err := o.Analyse(oracle.Options{AxisTol: 1e-4})
		if err != nil {
			fmt.Fprintf(progress, "rgflow bench: exact map of %s (%s) failed: %v\n", s.Rep.Name, mirror.Name, err)
			continue
		}
		plaq := o.B.Plaquette().Kernels()
		an.Seconds, an.Kernels, an.KernelChoice = time.Since(begin).Seconds(), plaq.Name(), plaq.ChoiceMap()
		fmt.Fprintf(progress, "rgflow bench: exact map of %s (%s): physical-axis J_c %s (%.0f s)\n", s.Rep.Name, mirror.Name, cell(an.AxisJc), an.Seconds)
		writeOracle(path, an, progress)
		memo.put(key, s.Rep, an)
		out[key] = an
	}
	return out
}

func writeOracle(path string, an oracle.Analysis, progress io.Writer) {
	data, err := json.MarshalIndent(an, "", "  ")
	if err == nil {
		err = atomicfile.Write(path, append(data, '\n'))
	}
	if err != nil {
		fmt.Fprintf(progress, "rgflow bench: %v\n", err)
	}
}

// memo keeps the analyses this process has computed, so that suites run
// one after another (the tests run dozens) compute each exact map once. A
// representation is identified by its name and matrices.
var memo oracleMemo

type oracleMemo struct {
	mu sync.Mutex
	m  map[string]oracle.Analysis
}

func memoKey(key string, r *reps.Rep) string {
	return fmt.Sprint(key, r.R, r.Sigma, r.Basis)
}

func (o *oracleMemo) get(key string, r *reps.Rep) (oracle.Analysis, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	an, ok := o.m[memoKey(key, r)]
	return an, ok
}

func (o *oracleMemo) put(key string, r *reps.Rep, an oracle.Analysis) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[string]oracle.Analysis{}
	}
	o.m[memoKey(key, r)] = an
}
