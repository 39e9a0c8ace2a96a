package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/alicert/alicert"
)

// Exit codes; see the package documentation.
const (
	exitOK             = 0
	exitFailure        = 1
	exitUsage          = 2
	exitOutcomeUnknown = 3
	exitCleanupFailed  = 4
	exitLocked         = 5
)

const usageText = `usage: alicert <command> [flags]

Commands:
  obtain   order a certificate, validate it through DNS and write the files
  status   show the state of a certificate order
  csr      create a CSR and key in Certificate Management Service
  deploy   put a certificate on the CDN, load balancers and other resources
  list     list the account's certificates, soonest expiry first
  get      write a certificate of the account, its chain and key into a directory
  upload   upload a certificate issued elsewhere, with its key
  revoke   revoke the certificate of an order (asks for -yes)
  delete   delete an uploaded or expired certificate (asks for -yes)
  quota    show the quota of the resource plans
  fake     serve a local fake of CAS, KMS and Alidns for any program

Run "alicert <command> -h" for a command's flags.

Exit codes: 0 ok, 1 failure, 2 usage, 3 outcome unknown (an order, upload or
revocation may have happened: check before retrying), 4 certificate written
but the DNS record was not removed, 5 another alicert run holds the output
directory (nothing was done).
`

// run runs one alicert command line (without the program name) and returns
// its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return (&cli{stdout: stdout, stderr: stderr, now: time.Now, getenv: os.Getenv}).run(ctx, args)
}

// cli is one run of the command.
type cli struct {
	stdout, stderr io.Writer
	now            func() time.Time
	// getenv reads the environment (the contact details' defaults); tests
	// give their own.
	getenv func(string) string
	// installHook, when set, is called before each step of replacing the
	// certificate files, and a step it fails is not taken: tests stop the
	// replacement at every step with it.
	installHook func(step string) error
	// crashHook, when set, is called at each step boundary of obtain
	// (-deploy's included), by name: tests stop the run there, as a crash
	// would, and check that a rerun carries on.
	crashHook func(step string)
	// fake, when set, is the server -fake uses instead of a new one, so
	// that tests can run the command twice against one fake; status, which
	// has no -fake, talks to it too.
	fake *fakeServer
	// clientOptions, when set, come after the client's other options:
	// tests point the command at a scripted service with them.
	clientOptions []alicert.Option
}

func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageText)
		return exitUsage
	}
	switch args[0] {
	case "obtain":
		return c.obtain(ctx, args[1:])
	case "status":
		return c.status(ctx, args[1:])
	case "csr":
		return c.csr(ctx, args[1:])
	case "deploy":
		return c.deploy(ctx, args[1:])
	case "list":
		return c.list(ctx, args[1:])
	case "get":
		return c.get(ctx, args[1:])
	case "upload":
		return c.upload(ctx, args[1:])
	case "revoke":
		return c.revoke(ctx, args[1:])
	case "delete":
		return c.delete(ctx, args[1:])
	case "quota":
		return c.quota(ctx, args[1:])
	case "fake":
		return c.fakeServe(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.stdout, usageText)
		return exitOK
	}
	fmt.Fprintf(c.stderr, "alicert: unknown command %q\n\n%s", args[0], usageText)
	return exitUsage
}

// common are the flags of every command.
type common struct {
	fake      bool
	region    string
	verbose   bool
	endpoints endpointFlags
}

// register adds the common flags to fs; fakeHelp is -fake's usage, and
// empty leaves -fake out.
func (g *common) register(fs *flag.FlagSet, fakeHelp string) {
	if fakeHelp != "" {
		fs.BoolVar(&g.fake, "fake", false, fakeHelp)
	}
	fs.StringVar(&g.region, "region", "", "region id (default cn-hangzhou)")
	fs.BoolVar(&g.verbose, "v", false, "log every API attempt to stderr (never a secret)")
	g.endpoints.register(fs)
}

// newFlagSet returns a flag set for a command. Its usage (the synopsis,
// the description, then the flags) goes to stdout on -h; a usage error is
// one line on stderr (see parse and usageError), which a cron mail shows
// whole.
func (c *cli) newFlagSet(name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stdout)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: alicert %s\n\n%s\nFlags:\n", synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, returning the exit code to stop with, if any.
func (c *cli) parse(fs *flag.FlagSet, args []string) (code int, stop bool) {
	// The flag package prints its error and then the whole usage; keep
	// its first line only, and print the usage for -h alone.
	var msg strings.Builder
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(&msg)
	err := fs.Parse(args)
	fs.SetOutput(c.stdout)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return exitOK, true
	case err != nil:
		return c.usageError(fs, "%s", err), true
	case fs.NArg() > 0:
		return c.usageError(fs, "unexpected argument %q", fs.Arg(0)), true
	}
	return 0, false
}

// usageError reports a bad flag value: one line, naming the flag, and
// where to read more.
func (c *cli) usageError(fs *flag.FlagSet, format string, args ...any) int {
	msg := unprefixed(fmt.Sprintf(format, shownArgs(args)...))
	msg = strings.Join(strings.Fields(msg), " ") // one line, whatever the message held
	fmt.Fprintf(c.stderr, "alicert %s: %s (see 'alicert %s -h')\n", fs.Name(), msg, fs.Name())
	return exitUsage
}

// validationUsage reports a library ValidationError as a usage error,
// naming each field by its flag (flags maps the input's Go field names to
// flag names) rather than by the Go field a user never sees.
func (c *cli) validationUsage(fs *flag.FlagSet, ve *alicert.ValidationError, flags map[string]string) int {
	parts := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		// A problem may name another field ("needs a wildcard
		// ProductCode"): that one goes by its flag too.
		problem := goName.ReplaceAllStringFunc(f.Problem, func(w string) string {
			if name, ok := flags[w]; ok {
				return "-" + name
			}
			return w
		})
		parts[i] = flagName(f.Field, flags) + ": " + problem
	}
	return c.usageError(fs, "%s", strings.Join(parts, "; "))
}

// goName matches a word that may be a Go field name.
var goName = regexp.MustCompile(`\b[A-Z][A-Za-z]*[a-z][A-Za-z]*\b`)

// flagName returns the flag of an input field ("SANs[1]" is -san's), or
// the field itself when no flag sets it.
func flagName(field string, flags map[string]string) string {
	base := field
	if i := strings.IndexAny(base, "[."); i >= 0 {
		base = base[:i]
	}
	if name, ok := flags[base]; ok {
		return "-" + name
	}
	return field
}

// client returns the client for g and a function to release it.
func (c *cli) client(g common) (*alicert.Client, func(), error) {
	var opts []alicert.Option
	if g.region != "" {
		opts = append(opts, alicert.WithRegion(g.region))
	}
	if g.verbose {
		opts = append(opts, alicert.WithLogger(slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	opts = append(opts, g.endpoints.options()...)
	release := func() {}
	if g.fake {
		var fakeOpts []alicert.Option
		fakeOpts, release = c.fakeOptions()
		opts = append(opts, fakeOpts...)
	}
	cl, err := alicert.NewClient(append(opts, c.clientOptions...)...)
	if err != nil {
		release()
		return nil, nil, err
	}
	return cl, release, nil
}

// crashPoint calls crashHook, if set, with step.
func (c *cli) crashPoint(step string) {
	if c.crashHook != nil {
		c.crashHook(step)
	}
}

// failf prints an error line and returns code.
func (c *cli) failf(code int, format string, args ...any) int {
	c.errorf(format, args...)
	return code
}

// errorf prints an error line, prefixed with "alicert: " once: the
// library's errors start with it already.
func (c *cli) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "alicert: %s\n", unprefixed(fmt.Sprintf(format, shownArgs(args)...)))
}

// unprefixed drops the "alicert: " the library's errors start with.
func unprefixed(msg string) string { return strings.TrimPrefix(msg, "alicert: ") }

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
