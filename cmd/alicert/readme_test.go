package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readmeCommand is one "$ alicert ..." line of a console block of
// README.md and the output the README shows for it.
type readmeCommand struct {
	line int // in README.md
	args []string
	want []string
}

// readmeBlocks reads the console blocks of README.md: each a list of the
// alicert commands it shows, in order, with their output. Other commands
// (ls, cat) are left out, with their output.
func readmeBlocks(t *testing.T) [][]readmeCommand {
	t.Helper()
	doc, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	var blocks [][]readmeCommand
	var block []readmeCommand
	inBlock, skipping := false, false
	for i, line := range strings.Split(string(doc), "\n") {
		switch {
		case !inBlock && line == "```console":
			inBlock, block = true, nil
		case inBlock && line == "```":
			inBlock = false
			if len(block) > 0 {
				blocks = append(blocks, block)
			}
		case inBlock && strings.HasPrefix(line, "$ "):
			cmd := strings.TrimPrefix(line, "$ ")
			cmd, ok := strings.CutPrefix(cmd, "alicert ")
			skipping = !ok
			if ok {
				block = append(block, readmeCommand{line: i + 1, args: shellWords(cmd)})
			}
		case inBlock && !skipping && len(block) > 0:
			c := &block[len(block)-1]
			c.want = append(c.want, line)
		}
	}
	return blocks
}

// readmeMasks hide what differs from run to run: times, dates, hex
// values (records, serials, names made from them), long ids, the random
// part of a custom identifier and of a fake CA's name, and the days a
// fake CA of 5 or 10 years has left, which leap years change.
var readmeMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "<time>"},
	{regexp.MustCompile(`\d{8}T\d{6}(\.\d+)?Z`), "<time>"},
	{regexp.MustCompile(`(alicert-<time>-)[0-9a-f]{8}\b`), "${1}<random>"},
	{regexp.MustCompile(`\bCA [0-9a-f]{8}\b`), "CA <name>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d`), "<date>"},
	{regexp.MustCompile(`[0-9a-f]*[a-f][0-9a-f]*`), ""}, // see mask: hex runs of 12 or more
	{regexp.MustCompile(`\d{5,}`), "<id>"},
	{regexp.MustCompile(`[ \t]{2,}`), "  "},
	{regexp.MustCompile(`(<date>  )\d{3,4}\b`), "${1}<days>"},
}

// mask applies readmeMasks to a line of output.
func mask(line string) string {
	for _, m := range readmeMasks {
		if m.with == "" {
			line = m.re.ReplaceAllStringFunc(line, func(s string) string {
				if len(s) >= 12 {
					return "<hex>"
				}
				return s
			})
			continue
		}
		line = m.re.ReplaceAllString(line, m.with)
	}
	return strings.TrimRight(line, " ")
}

// matchLines reports whether got matches want, masked, where a "..." line
// of want stands for any number of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && mask(want[0]) == mask(got[0]) && matchLines(want[1:], got[1:])
}

// TestREADMECommands runs every alicert command README.md shows, each
// console block in a directory of its own, stdout and stderr together as a
// terminal shows them, and compares the output with the README's, times,
// dates, hex values and ids masked.
func TestREADMECommands(t *testing.T) {
	blocks := readmeBlocks(t)
	require.NotEmpty(t, blocks)
	lockDir := t.TempDir()
	for _, block := range blocks {
		t.Chdir(t.TempDir())
		for _, cmd := range block {
			var out bytes.Buffer
			c := &cli{stdout: &out, stderr: &out, now: time.Now, getenv: func(k string) string {
				if k == lockDirEnv {
					return lockDir
				}
				return ""
			}}
			c.run(t.Context(), cmd.args)
			got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			want := cmd.want
			for len(want) > 0 && want[len(want)-1] == "" {
				want = want[:len(want)-1]
			}
			if !matchLines(want, got) {
				t.Errorf("README.md:%d: alicert %s prints (masked):\n%s\nREADME shows:\n%s", cmd.line, strings.Join(cmd.args, " "),
					maskAll(got), maskAll(want))
			}
		}
	}
}

// TestREADMECommandLines checks the alicert lines of README.md's shell
// blocks, which show no output: each names a command, and each of its
// flags is one that command has.
func TestREADMECommandLines(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	inBlock, seen := false, 0
	for i, line := range strings.Split(string(doc), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			inBlock = true
		case line == "```":
			inBlock = false
		case inBlock && strings.HasPrefix(line, "alicert "):
			seen++
			fields := shellWords(line)
			help := runCmd(t, nil, "help", fields[1])
			if help.code != exitOK {
				t.Errorf("README.md:%d: %s: no such command", i+1, line)
				continue
			}
			for _, f := range fields[2:] {
				if strings.HasPrefix(f, "-") && !strings.Contains(help.stdout, "\n  "+f+" ") && !strings.Contains(help.stdout, "\n  "+f+"\n") {
					t.Errorf("README.md:%d: %s: alicert %s has no flag %s", i+1, line, fields[1], f)
				}
			}
		}
	}
	require.Positive(t, seen)
}

func maskAll(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = mask(l)
	}
	return strings.Join(out, "\n")
}

// shellWords splits a README command line as a shell would for the simple
// quoting the README uses: words apart by blanks, a '...' or "..." word
// kept whole without its quotes.
func shellWords(line string) []string {
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}
