package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

// The validation hook (-validation-hook) publishes the domain validation
// of an order where Alibaba Cloud DNS cannot: a DNS host elsewhere, or the
// web server that serves a FILE validation. It is the DNSProvider and the
// FileProvider Obtain drives: Obtain calls it with the action "present"
// before it waits for the CA, and with "cleanup" afterwards, also when the
// present failed or the run gave up (as lego's exec DNS provider calls its
// program with "present" and "cleanup", and certbot its
// --manual-auth-hook and --manual-cleanup-hook).
//
// It runs as -deploy-hook does (runHookCommand): "sh -c CMD", a process
// group of its own, -hook-timeout, alicert's environment without the
// Alibaba Cloud credential variables, its output on stderr. What it is to
// publish is in its environment, never in its arguments:
//
//	ALICERT_VALIDATION_ACTION  present or cleanup
//	ALICERT_VALIDATION_TYPE    DNS or FILE
//	ALICERT_DOMAIN             the domain being certified, as ordered
//	ALICERT_RECORD_NAME        DNS: the record's full name, no trailing dot
//	ALICERT_RECORD_TYPE        DNS: TXT or CNAME
//	ALICERT_RECORD_VALUE       DNS: the record's value
//	ALICERT_FILE_URI           FILE: the URL path the CA fetches over http
//	ALICERT_FILE_CONTENT       FILE: the exact body to serve there
//
// As for any provider (see alicert.DNSProvider), both actions must be
// idempotent: a rerun presents a record again, and cleanup comes for what
// a failed present may have left, or for what a run that stopped left.

// Validation types of -validation-type.
const (
	validationDNS  = "dns"
	validationFile = "file"
)

// validationHook runs -validation-hook.
type validationHook struct {
	line    string
	timeout time.Duration
	environ func() []string
	// out receives the hook's output (stderr), info the progress.
	out, info io.Writer
}

// hookDNS and hookFile are the hook as the two providers Obtain takes.
type (
	hookDNS  struct{ h *validationHook }
	hookFile struct{ h *validationHook }
)

var (
	_ alicert.DNSProvider  = hookDNS{}
	_ alicert.FileProvider = hookFile{}
)

func (p hookDNS) Present(ctx context.Context, r alicert.DNSRecord) error {
	return p.h.run(ctx, "present", dnsHookVars(r))
}

func (p hookDNS) CleanUp(ctx context.Context, r alicert.DNSRecord) error {
	return p.h.run(ctx, "cleanup", dnsHookVars(r))
}

func (p hookFile) Present(ctx context.Context, f alicert.FileChallenge) error {
	return p.h.run(ctx, "present", fileHookVars(f))
}

func (p hookFile) CleanUp(ctx context.Context, f alicert.FileChallenge) error {
	return p.h.run(ctx, "cleanup", fileHookVars(f))
}

func dnsHookVars(r alicert.DNSRecord) []string {
	return []string{"ALICERT_VALIDATION_TYPE=DNS", "ALICERT_DOMAIN=" + r.Domain,
		"ALICERT_RECORD_NAME=" + r.Name, "ALICERT_RECORD_TYPE=" + r.Type, "ALICERT_RECORD_VALUE=" + r.Value}
}

func fileHookVars(f alicert.FileChallenge) []string {
	return []string{"ALICERT_VALIDATION_TYPE=FILE", "ALICERT_DOMAIN=" + f.Domain,
		"ALICERT_FILE_URI=" + f.Path, "ALICERT_FILE_CONTENT=" + f.Content}
}

// run runs the hook for action with vars. Its error names the hook by its
// program alone: the rest of the line may hold what should not reach a
// cron mail.
func (h *validationHook) run(ctx context.Context, action string, vars []string) error {
	env := append(hookBaseEnv(h.environ()), "ALICERT_VALIDATION_ACTION="+action)
	fmt.Fprintf(h.info, "alicert: running -validation-hook (%s)\n", action)
	if err := runHookCommand(ctx, h.line, append(env, vars...), h.out, h.timeout); err != nil {
		return fmt.Errorf("the -validation-hook command (%s ...) failed on %s: %w", hookProgram(h.line), action, err)
	}
	return nil
}

// validationHook returns the run's hook; nil without -validation-hook.
func (r *obtainRun) validationHook() *validationHook {
	if r.f.validationHook == "" {
		return nil
	}
	environ := os.Environ
	if r.c != nil && r.c.environ != nil {
		environ = r.c.environ
	}
	h := &validationHook{line: r.f.validationHook, timeout: r.f.hookTimeout, environ: environ, out: io.Discard, info: io.Discard}
	if r.c != nil {
		h.out = r.c.stderr
	}
	if r.info != nil {
		h.info = r.info
	}
	return h
}

// validationProblem says what is wrong with the flags that pick where the
// validation is published (-dns, -dns-zone, -validation-hook,
// -validation-type), or "": exactly one of -dns alidns and
// -validation-hook is in use.
func (f *obtainFlags) validationProblem(fs *flag.FlagSet) string {
	hook := f.validationHook != ""
	switch {
	case flagSet(fs, "validation-hook") && strings.TrimSpace(f.validationHook) == "":
		return "-validation-hook is empty"
	case hook && flagSet(fs, "dns"):
		return "-dns and -validation-hook exclude each other: the validation goes to Alibaba Cloud DNS (-dns alidns) or to the hook"
	case hook && f.zone != "":
		return "-dns-zone names a zone of Alibaba Cloud DNS; it does not go with -validation-hook"
	case !hook && f.dns != "alidns":
		return fmt.Sprintf("-dns %s: the only DNS provider is alidns; for DNS hosted elsewhere, use -validation-hook", quoteArg(f.dns))
	case f.validationType != validationDNS && f.validationType != validationFile:
		return fmt.Sprintf("-validation-type %s: want %q or %q", quoteArg(f.validationType), validationDNS, validationFile)
	case f.validationType == validationFile && !hook:
		return "-validation-type file needs -validation-hook: Alibaba Cloud DNS publishes DNS records, not files"
	}
	return ""
}

// validateType is the ValidateType of the flags.
func (f *obtainFlags) validateType() alicert.ValidateType {
	if f.validationType == validationFile {
		return alicert.ValidateFile
	}
	return alicert.ValidateDNS
}

// fakeHookClient is the client of a -fake run of obtain with
// -validation-hook: a fake whose CA takes the validation as published,
// since the hook cannot reach the in-process fake's DNS; with -deploy, the
// account of fakeDeployClient.
func (c *cli) fakeHookClient(g common, f *obtainFlags) (*alicert.Client, func(), error) {
	var opts []alicerttest.Option
	if f.deploy {
		opts = fakeDeployAccount(f.domain)
	}
	cl, release, _, err := c.fakeAccountClient(g, opts...)
	return cl, release, err
}
