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
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/aliyun/credentials-go/credentials/providers"
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
  renew    renew every certificate of a config file (one cron line for all)
  status   show the state of a certificate order
  csr      create a CSR and key in Certificate Management Service
  deploy   put a certificate on the CDN, load balancers and other resources
  list     list the account's certificates, soonest expiry first
  get      write a certificate of the account, its chain and key into a directory
  upload   upload a certificate issued elsewhere, with its key
  revoke   revoke the certificate of an order (asks for -yes)
  delete   delete an uploaded or expired certificate (asks for -yes)
  quota    show the quota of the resource plans
  pca      issue certificates from your own Private CA; list its CAs, revoke (see pca -h)
  fake     serve a local fake of CAS, KMS and Alidns for any program
  version  print the version of alicert and the revision it was built from

Run "alicert <command> -h" for a command's most used flags, and
"alicert help <command>" for all of them and the details.

Exit codes: 0 ok, 1 failure, 2 usage, 3 outcome unknown (an order, upload or
revocation may have happened: check before retrying), 4 certificate written
but the validation record was not removed, 5 another alicert run holds the
output directory (nothing was done).
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
	// environ, when set, is the environment a deploy hook inherits
	// (os.Environ otherwise); tests give their own.
	environ func() []string
	// clientOptions, when set, come after the client's other options:
	// tests point the command at a scripted service with them.
	clientOptions []alicert.Option
	// fullHelp makes -h print a command's whole help ("alicert help
	// VERB") instead of its first screen.
	fullHelp bool
	// buildInfo reads the build's module and VCS information (default
	// debug.ReadBuildInfo); tests give their own.
	buildInfo func() (*debug.BuildInfo, bool)
}

func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageText)
		return exitUsage
	}
	switch args[0] {
	case "obtain":
		return c.obtain(ctx, args[1:])
	case "renew":
		return c.renew(ctx, args[1:])
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
	case "pca":
		return c.pca(ctx, args[1:])
	case "fake":
		return c.fakeServe(ctx, args[1:])
	case "version", "-version", "--version":
		return c.version(args[1:])
	case "help":
		return c.help(ctx, args[1:])
	case "-h", "-help", "--help":
		fmt.Fprint(c.stdout, usageText)
		return exitOK
	}
	return c.unknownCommand(args[0])
}

// unknownCommand reports a command that does not exist, suggesting the
// nearest one when a typo explains it.
func (c *cli) unknownCommand(name string) int {
	hint := ""
	if near := nearestCommand(name); near != "" {
		hint = fmt.Sprintf("; did you mean %q?", near)
	}
	fmt.Fprintf(c.stderr, "alicert: unknown command %s%s\n\n%s", quoteArg(name), hint, usageText)
	return exitUsage
}

// help runs "alicert help [command]" (or "alicert help pca issue"): the
// whole help of a command, its description and every flag, or the list of
// commands.
func (c *cli) help(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stdout, usageText)
		return exitOK
	}
	switch {
	case len(args) == 2 && isSubcommand(args[0], args[1]):
	case len(args) > 1 || !slices.Contains(commandNames(), args[0]):
		return c.unknownCommand(args[0])
	}
	full := *c
	full.fullHelp = true
	return full.run(ctx, slices.Concat(args, []string{"-h"}))
}

// common are the flags of every command.
type common struct {
	fake      bool
	region    string
	verbose   bool
	endpoints endpointFlags
	// profile is -profile, on the verbs that have it: the Alibaba Cloud
	// CLI profile to take the credentials from.
	profile string
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

// newFlagSet returns a flag set for a command. On -h its usage goes to
// stdout: the synopsis, the description's first paragraph and the most
// used flags (see mainFlags), one screen; "alicert help VERB" gives the
// whole description and every flag. A usage error is one line on stderr
// (see parse and usageError), which a cron mail shows whole.
func (c *cli) newFlagSet(name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stdout)
	fs.Usage = func() {
		if c.fullHelp {
			fmt.Fprintf(fs.Output(), "usage: alicert %s\n\n%s\nFlags:\n", synopsis, description)
			fs.PrintDefaults()
			return
		}
		c.shortUsage(fs, synopsis, description)
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
	if g.profile != "" && !g.fake {
		// The profile file is the CLI's (~/.aliyun/config.json), or
		// $ALIBABA_CLOUD_CONFIG_FILE as credentials-go reads it.
		b := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileName(g.profile)
		if file := c.getenv("ALIBABA_CLOUD_CONFIG_FILE"); file != "" {
			b = b.WithProfileFile(file)
		}
		p, err := b.Build()
		if err != nil {
			return nil, nil, fmt.Errorf("-profile %s: %w", g.profile, err)
		}
		opts = append(opts, alicert.WithCredentials(p))
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
// library's errors start with it already. Missing credentials get three
// lines that say what to set instead (see credentialsHelp).
func (c *cli) errorf(format string, args ...any) {
	for _, a := range args {
		if err, ok := a.(error); ok && errors.Is(err, alicert.ErrNoCredentials) {
			fmt.Fprint(c.stderr, credentialsHelp(err))
			return
		}
	}
	fmt.Fprintf(c.stderr, "alicert: %s\n", unprefixed(fmt.Sprintf(format, shownArgs(args)...)))
}

// credentialsHelp is the message for a call made without credentials, in
// three lines: what went wrong (what the provider found wrong, when more
// than that nothing is configured, cut to one line), and what to set.
func credentialsHelp(err error) string {
	msg := err.Error()
	cause := msg
	if i := strings.LastIndex(msg, "ALIBABA_CLOUD_CREDENTIALS_URI): "); i >= 0 {
		cause = msg[i+len("ALIBABA_CLOUD_CREDENTIALS_URI): "):]
	} else if i := strings.Index(msg, " provider: "); i >= 0 {
		cause = msg[i+len(" provider: "):]
	}
	cause = strings.Trim(nothingConfigured.ReplaceAllString(cause, ""), ", ")
	first := "alicert: no Alibaba Cloud credentials found"
	if cause != "" {
		if r := []rune(cause); len(r) > 120 {
			cause = string(r[:120]) + "..."
		}
		first = "alicert: no Alibaba Cloud credentials: " + shown(cause)
	}
	return first + "\n" +
		"alicert: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or a CLI profile (aliyun configure),\n" +
		"alicert: or run on ECS with a RAM role; -fake runs the command without an account\n"
}

// nothingConfigured matches what the default credentials chain of
// credentials-go says of a source that is simply not set up: no variable,
// no file. What is left of its error is a real problem worth a line.
var nothingConfigured = regexp.MustCompile(`unable to get credentials from any of the providers in the chain: ?|` +
	`unable to get credentials from enviro?n?ment variables, Access key ID must be specified via environment variable \(ALIBABA_CLOUD_ACCESS_KEY_ID\),? ?|` +
	`reading aliyun cli config from '[^']*' failed open [^,]*: no such file or directory,? ?|` +
	`ERROR: Can not open file ?open [^,]*: no such file or directory,? ?`)

// unprefixed drops the "alicert: " the library's errors start with, also
// where the command's message wraps one ("reading order 5: alicert:
// DescribeCertificateState: ..."): a line says "alicert: " once.
func unprefixed(msg string) string {
	return strings.ReplaceAll(strings.TrimPrefix(msg, "alicert: "), ": alicert: ", ": ")
}

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
