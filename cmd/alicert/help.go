package main

import (
	"flag"
	"fmt"
	"runtime/debug"
	"strings"
)

// mainFlags are each command's most used flags, in the order its -h
// shows them; "alicert help VERB" shows every flag. A command missing
// here shows all its flags on -h.
var mainFlags = map[string][]string{
	"obtain": {"domain", "out", "username", "phone", "email", "deploy", "deploy-hook", "validation-hook", "renew-within", "dry-run", "q", "json", "fake"},
	"renew":  {"config", "dry-run", "profile", "q", "json", "fake"},
	"fake":   {"listen", "state", "tls", "seed", "admin-listen", "json"},
	"status": {"order", "domain", "json", "fake"},
	"csr":    {"cn", "san", "country", "province", "locality", "key", "json", "fake"},
	"deploy": {"cert", "replace", "resources", "rollback", "q", "json", "fake"},
	"list":   {"expiring", "status", "json", "q", "fake"},
	"get":    {"cert", "out", "json", "q", "fake"},
	"upload": {"name", "cert", "key", "json", "q", "fake"},
	"revoke": {"order", "yes", "json", "fake"},
	"delete": {"cert", "yes", "json", "fake"},
	"quota":  {"product", "json", "fake"},

	"pca list":   {"certs", "ca", "custom-id", "json", "q", "fake"},
	"pca issue":  {"ca", "domain", "csr", "out", "days", "usage", "key-type", "json", "q", "fake"},
	"pca revoke": {"id", "yes", "json", "fake"},
}

// shortUsage prints a command's first screen of help: the synopsis, the
// first paragraph of its description, its most used flags, and where the
// rest is.
func (c *cli) shortUsage(fs *flag.FlagSet, synopsis, description string) {
	w := fs.Output()
	first, _, _ := strings.Cut(strings.TrimSpace(description), "\n\n")
	fmt.Fprintf(w, "usage: alicert %s\n\n%s\n\n", synopsis, first)
	names, known := mainFlags[fs.Name()]
	if !known {
		fmt.Fprint(w, "Flags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(w, "\nMore: alicert help %s\n", fs.Name())
		return
	}
	fmt.Fprint(w, "Most used flags:\n")
	shown := 0
	for _, name := range names {
		if fl := fs.Lookup(name); fl != nil {
			printFlag(w, fl)
			shown++
		}
	}
	all := 0
	fs.VisitAll(func(*flag.Flag) { all++ })
	fmt.Fprintf(w, "\n%d more flags, the details and the exit codes: alicert help %s\n", all-shown, fs.Name())
}

// printFlag prints one flag the way flag.PrintDefaults does.
func printFlag(w interface{ Write([]byte) (int, error) }, fl *flag.Flag) {
	typ, usage := flag.UnquoteUsage(fl)
	line := "  -" + fl.Name
	if typ != "" {
		line += " " + typ
	}
	line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
	if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" && fl.DefValue != "0s" {
		if typ == "string" {
			line += fmt.Sprintf(" (default %q)", fl.DefValue)
		} else {
			line += fmt.Sprintf(" (default %v)", fl.DefValue)
		}
	}
	fmt.Fprintln(w, line)
}

// commandNames are the commands usageText lists, the one list of them.
func commandNames() []string {
	_, list, _ := strings.Cut(usageText, "Commands:\n")
	var names []string
	for _, line := range strings.Split(list, "\n") {
		if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") {
			if len(names) > 0 && strings.TrimSpace(line) == "" {
				break
			}
			continue
		}
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

// nearestCommand returns the command name closest to name when a typo
// explains the difference (an edit distance of at most 2, or a prefix of
// 3 letters or more), "" otherwise.
func nearestCommand(name string) string { return nearestOf(name, commandNames()) }

// nearestOf returns the one of names closest to name, by nearestCommand's
// rule, or "".
func nearestOf(name string, names []string) string {
	best, bestDist := "", 3
	for _, cmd := range names {
		if len(name) >= 3 && strings.HasPrefix(cmd, name) {
			return cmd
		}
		if d := editDistance(strings.ToLower(name), cmd); d < bestDist {
			best, bestDist = cmd, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, in bytes; names
// longer than a command name could be are not compared.
func editDistance(a, b string) int {
	if len(a) > 64 {
		return len(a)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// versionInfo is what "alicert version" prints.
type versionInfo struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// version runs "alicert version" (also -version): the module version and
// the VCS revision the binary was built from, as the Go toolchain
// recorded them.
func (c *cli) version(args []string) int {
	fs := c.newFlagSet("version", "version [-json]", "Prints the version of alicert, the revision it was built from and the Go version.")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	read := c.buildInfo
	if read == nil {
		read = debug.ReadBuildInfo
	}
	v := versionInfo{Version: "unknown"}
	if bi, ok := read(); ok && bi != nil {
		v.Version, v.Go = bi.Main.Version, bi.GoVersion
		if v.Version == "" {
			v.Version = "unknown"
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if *asJSON {
		if err := writeJSON(c.stdout, v); err != nil {
			return c.failf(exitFailure, "%v", err)
		}
		return exitOK
	}
	line := "alicert " + v.Version
	if v.Revision != "" {
		line += " revision " + v.Revision
		if v.Time != "" {
			line += " " + v.Time
		}
		if v.Modified {
			line += " (modified)"
		}
	}
	if v.Go != "" {
		line += " " + v.Go
	}
	fmt.Fprintln(c.stdout, shown(line))
	return exitOK
}

// quoteArg quotes a command-line argument for a message, escaped the way
// every message is.
func quoteArg(s string) string { return shown(fmt.Sprintf("%q", s)) }
