package kernels

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The AVX–SSE transition hazard. Go's assembler encodes an instruction
// without the V prefix (MOVQ AX, X3; MOVSD; PXOR …) in its legacy-SSE
// form. Such an instruction touching an X register while the upper halves
// of the ymm/zmm registers are dirty costs a state transition (about 350
// cycles a round trip on AMD Zen 3, and on Intel Haswell/Broadwell) or a
// merge with the old upper half on every use (later Intel cores): ten such
// writes in the avx2 Gibbs kernels' loops made them 2–16× slower than their
// pure-Go twins on Zen 3. Their VEX forms (VMOVQ …) give the same bits
// without the penalty. And a function that dirties the upper halves must
// clear them (VZEROUPPER) before it returns, since the Go code after it
// uses legacy-SSE instructions for every float64.
//
// lintAsm checks both rules on every assembly file of kernels and
// kernels/dense, macros expanded, so that neither can come back unnoticed
// on a CPU where no benchmark is run. It reads the files as text, so it
// runs in every build (purego included).

// asmStmt is one statement of a function, macros expanded.
type asmStmt struct {
	line int    // line of the TEXT block the statement came from
	op   string // mnemonic, or "label"
	args []string
}

var (
	reVecReg  = regexp.MustCompile(`^[XYZ]([0-9]|[12][0-9]|3[01])$`)
	reDefine  = regexp.MustCompile(`^#define\s+(\w+)(\(([^)]*)\))?\s*(.*)$`)
	reText    = regexp.MustCompile(`^TEXT\s+(\S+)\(SB\)`)
	reLabel   = regexp.MustCompile(`^(\w+):\s*(.*)$`)
	reComment = regexp.MustCompile(`//.*$`)
)

type asmMacro struct {
	params []string
	body   string
}

// splitTop splits s at sep outside parentheses.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// parseAsm returns the statements of every TEXT block in src, with macros
// (#define, with or without parameters, continued by backslashes)
// expanded textually as the assembler's preprocessor does.
func parseAsm(src string) (map[string][]asmStmt, error) {
	macros := map[string]asmMacro{}
	funcs := map[string][]asmStmt{}
	var cur string
	lines := strings.Split(src, "\n")
	var expand func(text string, line, depth int) error
	expand = func(text string, line, depth int) error {
		if depth > 20 {
			return fmt.Errorf("line %d: macros nested too deeply", line)
		}
		for _, st := range strings.Split(text, ";") {
			st = strings.TrimSpace(st)
			for {
				m := reLabel.FindStringSubmatch(st)
				if m == nil {
					break
				}
				funcs[cur] = append(funcs[cur], asmStmt{line: line, op: "label", args: []string{m[1]}})
				st = strings.TrimSpace(m[2])
			}
			if st == "" {
				continue
			}
			name, rest, _ := strings.Cut(st, " ")
			if i := strings.IndexByte(name, '('); i > 0 { // MACRO(args) without a space
				name, rest = name[:i], st[i:]
			}
			rest = strings.TrimSpace(rest)
			if mac, ok := macros[name]; ok {
				body := mac.body
				if len(mac.params) > 0 {
					if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
						return fmt.Errorf("line %d: macro %s used without its arguments", line, name)
					}
					args := splitTop(rest[1:len(rest)-1], ',')
					if len(args) != len(mac.params) {
						return fmt.Errorf("line %d: macro %s takes %d arguments, got %d", line, name, len(mac.params), len(args))
					}
					for i, p := range mac.params {
						body = regexp.MustCompile(`\b`+regexp.QuoteMeta(p)+`\b`).ReplaceAllLiteralString(body, strings.TrimSpace(args[i]))
					}
				}
				if err := expand(body, line, depth+1); err != nil {
					return err
				}
				continue
			}
			var args []string
			for _, a := range splitTop(rest, ',') {
				a = strings.TrimSpace(a)
				if a == "" {
					continue
				}
				if m, ok := macros[a]; ok && len(m.params) == 0 { // a constant macro as operand
					a = strings.TrimSpace(m.body)
				}
				args = append(args, a)
			}
			funcs[cur] = append(funcs[cur], asmStmt{line: line, op: name, args: args})
		}
		return nil
	}
	for i := 0; i < len(lines); i++ {
		ln := i + 1
		text := strings.TrimSpace(reComment.ReplaceAllString(lines[i], ""))
		for strings.HasSuffix(text, `\`) && i+1 < len(lines) { // continuation
			i++
			text = strings.TrimSuffix(text, `\`) + " ; " + strings.TrimSpace(reComment.ReplaceAllString(lines[i], ""))
		}
		text = strings.TrimSpace(strings.TrimSuffix(text, `\`))
		switch {
		case text == "" || strings.HasPrefix(text, "#include") || strings.HasPrefix(text, "#undef"):
		case strings.HasPrefix(text, "#define"):
			m := reDefine.FindStringSubmatch(text)
			if m == nil {
				return nil, fmt.Errorf("line %d: cannot read %q", ln, text)
			}
			var params []string
			if m[2] != "" {
				for _, p := range strings.Split(m[3], ",") {
					params = append(params, strings.TrimSpace(p))
				}
			}
			macros[m[1]] = asmMacro{params: params, body: m[4]}
		case strings.HasPrefix(text, "DATA") || strings.HasPrefix(text, "GLOBL"):
			cur = ""
		case reText.MatchString(text):
			cur = reText.FindStringSubmatch(text)[1]
			funcs[cur] = nil
		case cur != "":
			if err := expand(text, ln, 0); err != nil {
				return nil, err
			}
		}
	}
	delete(funcs, "")
	return funcs, nil
}

// lintAsm lists the breaches of the two rules above in src.
func lintAsm(src string) ([]string, error) {
	funcs, err := parseAsm(src)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	report := func(msg string) {
		if !seen[msg] { // a macro used several times on one line reports once
			seen[msg] = true
			out = append(out, msg)
		}
	}
	for name, stmts := range funcs {
		wide := false
		for _, s := range stmts {
			for _, a := range s.args {
				if reVecReg.MatchString(a) && a[0] != 'X' {
					wide = true
				}
			}
		}
		if !wide {
			continue
		}
		for i, s := range stmts {
			if s.op == "label" {
				continue
			}
			if !strings.HasPrefix(s.op, "V") {
				for _, a := range s.args {
					if reVecReg.MatchString(a) {
						report(fmt.Sprintf("%s (line %d): %s %s is a legacy-SSE instruction on an X register in a function that uses ymm/zmm registers: use its VEX form (V%s)",
							name, s.line, s.op, strings.Join(s.args, ", "), s.op))
						break
					}
				}
			}
			if s.op == "RET" && (i == 0 || stmts[i-1].op != "VZEROUPPER") {
				report(fmt.Sprintf("%s (line %d): RET without VZEROUPPER just before it in a function that uses ymm/zmm registers", name, s.line))
			}
		}
	}
	return out, nil
}

func TestAsmNoSSETransitions(t *testing.T) {
	files, err := filepath.Glob("*.s")
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob("dense/*.s")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, more...)
	if len(files) < 6 {
		t.Fatalf("found %d assembly files (%v), expected the six of kernels and kernels/dense", len(files), files)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		funcs, err := parseAsm(string(src))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(funcs) == 0 {
			t.Errorf("%s: no TEXT block found: the lint reads nothing", f)
		}
		bad, err := lintAsm(string(src))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, b := range bad {
			t.Errorf("%s: %s", f, b)
		}
	}
}

// TestAsmLintFindsPlanted checks that the lint finds what it is for: a
// legacy-SSE write of an X register, directly and through a macro, and a
// RET that leaves the upper halves dirty; and that it passes their fixes.
func TestAsmLintFindsPlanted(t *testing.T) {
	const head = "#include \"textflag.h\"\n\n"
	cases := []struct {
		name, src string
		bad       bool
	}{
		{"direct", "TEXT ·f(SB), NOSPLIT, $0-8\n\tMOVQ x+0(FP), AX\n\tMOVQ AX, X3\n\tVPBROADCASTQ X3, Y3\n\tVZEROUPPER\n\tRET\n", true},
		{"vex", "TEXT ·f(SB), NOSPLIT, $0-8\n\tMOVQ x+0(FP), AX\n\tVMOVQ AX, X3\n\tVPBROADCASTQ X3, Y3\n\tVZEROUPPER\n\tRET\n", false},
		{"macro", "#define LOAD(r, x) \\\n\tMOVQ r, x; \\\n\tVPBROADCASTQ x, Y1\n\nTEXT ·f(SB), NOSPLIT, $0-8\nloop:\n\tLOAD(AX, X5)\n\tJMP loop\n\tVZEROUPPER\n\tRET\n", true},
		{"read", "TEXT ·f(SB), NOSPLIT, $0-8\n\tVADDPD Z1, Z2, Z2\n\tMOVQ X2, (DI)\n\tVZEROUPPER\n\tRET\n", true},
		{"no vzeroupper", "TEXT ·f(SB), NOSPLIT, $0-8\n\tVADDPD Y1, Y2, Y2\n\tRET\n", true},
		{"label between", "TEXT ·f(SB), NOSPLIT, $0-8\n\tVADDPD Y1, Y2, Y2\n\tVZEROUPPER\ndone:\n\tRET\n", true},
		{"sse only", "TEXT ·f(SB), NOSPLIT, $0-8\n\tMOVQ AX, X3\n\tADDSD X3, X4\n\tRET\n", false},
		{"second function", "TEXT ·f(SB), NOSPLIT, $0-8\n\tMOVQ AX, X3\n\tRET\n\nTEXT ·g(SB), NOSPLIT, $0-8\n\tVMOVDQU Y1, Y2\n\tMOVQ AX, X3\n\tVZEROUPPER\n\tRET\n", true},
	}
	for _, c := range cases {
		bad, err := lintAsm(head + c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if (len(bad) > 0) != c.bad {
			t.Errorf("%s: lint found %q, want a breach: %v", c.name, bad, c.bad)
		}
	}
}
