package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/alicert/alicert/alicerttest"
	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// renew runs obtain for every certificate of a config file: one cron line
// for all of them. Each entry is one obtain run, through obtain's own code
// path (its flags, its checks, its lock on the entry's directory), so that
// an entry behaves exactly as the obtain line it stands for.
//
// The config file is JSON: the standard library reads it, and the module
// (which the library and the command share) gains no dependency. It holds
// no secret, and renew refuses a key that looks like one: credentials come
// from the environment or -profile.

// renewFlags are renew's flags.
type renewFlags struct {
	common
	config   string
	json     bool
	quiet    bool
	dryRun   bool
	timeout  time.Duration
	lockWait time.Duration
	poll     time.Duration
}

// renewConfig is the config file.
type renewConfig struct {
	Certificates []renewEntry `json:"certificates"`
}

// renewEntry is one certificate of the config file; each field stands for
// the obtain flag of the same name.
type renewEntry struct {
	Domain    string `json:"domain"`
	Out       string `json:"out"`
	KeyType   string `json:"key_type,omitempty"`
	KeySource string `json:"key_source,omitempty"`
	KMSKey    string `json:"kms_key,omitempty"`
	DNS       string `json:"dns,omitempty"`
	DNSZone   string `json:"dns_zone,omitempty"`
	// ValidationHook and ValidationType stand for -validation-hook and
	// -validation-type.
	ValidationHook string `json:"validation_hook,omitempty"`
	ValidationType string `json:"validation_type,omitempty"`
	Product        string `json:"product,omitempty"`
	Username       string `json:"username,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Email          string `json:"email,omitempty"`
	RenewWithin    string `json:"renew_within,omitempty"`
	Deploy         bool   `json:"deploy,omitempty"`
	Rollback       bool   `json:"rollback,omitempty"`
	DeployHook     string `json:"deploy_hook,omitempty"`
	HookTimeout    string `json:"hook_timeout,omitempty"`
}

// maxConfigSize bounds the config file: a few hundred certificates fit.
const maxConfigSize = 1 << 20

// secretKey matches the keys that look like a secret: the config file
// never holds one.
var secretKey = regexp.MustCompile(`(?i)secret|access.?key|password|passwd|token|credential|private.?key`)

const renewHelp = `Renews every certificate of a config file, as many obtain runs would: one
cron line for all of them. Each entry runs under the lock of its own
directory, and a failing entry does not stop the others. It prints a line
per entry (nothing with -q when nothing changed), or with -json one JSON
object per line and entry. The exit code is 0 when every entry is fine,
otherwise that of the first entry that failed (see alicert -h).

The config file (JSON) lists the certificates:

  {"certificates": [
    {"domain": "example.com", "out": "/etc/alicert/example.com",
     "deploy_hook": "systemctl reload nginx"},
    {"domain": "*.example.org", "out": "/etc/alicert/example.org", "key_type": "rsa2048",
     "deploy": true, "renew_within": "20d"}
  ]}

Keys, each an obtain flag: domain and out (required; a relative out is
relative to the config file), key_type, key_source, kms_key, dns (alidns),
dns_zone, validation_hook, validation_type, product, username, phone, email,
renew_within, deploy, rollback, deploy_hook, hook_timeout. The config holds no secret, and a key that looks
like one is refused: the credentials come from the environment or -profile,
and the contact details from the entry or ALICERT_USERNAME, ALICERT_PHONE
and ALICERT_EMAIL. Keep the file owned by the user that runs alicert, not
writable by others: its deploy and validation hooks run as that user.
`

func (c *cli) renew(ctx context.Context, args []string) int {
	var f renewFlags
	fs := c.newFlagSet("renew", "renew -config FILE [-q] [-json] [-dry-run] [flags]", renewHelp)
	f.register(fs, "run every entry against one in-process fake of the services, with a throwaway test CA")
	fs.StringVar(&f.config, "config", "", "the config file listing the certificates (required)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per entry, one per line")
	fs.BoolVar(&f.quiet, "q", false, "quiet: no progress; nothing at all when nothing changed (for cron)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "check every entry as obtain -dry-run does: reads only, nothing ordered or written")
	fs.StringVar(&f.profile, "profile", "", "take the credentials from this Alibaba Cloud CLI profile (~/.aliyun/config.json)")
	fs.DurationVar(&f.timeout, "timeout", time.Hour, "each entry's obtain -timeout")
	fs.DurationVar(&f.lockWait, "lock-wait", store.DefaultLockWait, "each entry's obtain -lock-wait")
	fs.DurationVar(&f.poll, "poll", 0, "each entry's obtain -poll")
	if code, stop := c.parse(fs, args); stop {
		return code
	}
	if f.config == "" {
		return c.usageError(fs, "-config is required")
	}
	cfg, err := readRenewConfig(f.config)
	if err != nil {
		return c.usageError(fs, "%v", err)
	}
	if c.fake == nil && f.fake {
		// One fake for every entry, so that what one entry's run leaves
		// there (a deployment, a quota) the next one sees, as with the
		// real account.
		srv := alicerttest.NewServer(renewFakeAccount(cfg)...)
		defer srv.Close()
		withFake := *c
		withFake.fake = srv
		c = &withFake
	}
	code := exitOK
	for i, e := range cfg.Certificates {
		if ctx.Err() != nil {
			// Interrupted: the entries left are not started.
			c.errorf("renew interrupted; %d of %d certificates not looked at", len(cfg.Certificates)-i, len(cfg.Certificates))
			if code == exitOK {
				code = exitFailure
			}
			break
		}
		if rc := c.renewEntry(ctx, &f, e); rc != exitOK && code == exitOK {
			code = rc
		}
	}
	return code
}

// readRenewConfig reads and checks the config file at path.
func readRenewConfig(path string) (*renewConfig, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-config: %v", err)
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("-config: %v", err)
	}
	if len(b) > maxConfigSize {
		return nil, fmt.Errorf("-config %s: larger than %d bytes", path, maxConfigSize)
	}
	if err := refuseSecrets(b); err != nil {
		return nil, fmt.Errorf("-config %s: %v", path, err)
	}
	var cfg renewConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("-config %s: %v", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("-config %s: data after the JSON object", path)
	}
	if err := cfg.check(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("-config %s: %v", path, err)
	}
	return &cfg, nil
}

// refuseSecrets refuses a config whose keys, at any depth, look like a
// secret's; it names the keys, never their values.
func refuseSecrets(b []byte) error {
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	var found []string
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				if secretKey.MatchString(k) {
					found = append(found, at+"."+k)
				}
				walk(sub, at+"."+k)
			}
		case []any:
			for i, sub := range v {
				walk(sub, fmt.Sprintf("%s[%d]", at, i))
			}
		}
	}
	walk(doc, "")
	if len(found) == 0 {
		return nil
	}
	sort.Strings(found)
	for i := range found {
		found[i] = strings.TrimPrefix(shown(found[i]), ".")
	}
	return fmt.Errorf("%s: a config file never holds a secret; the credentials come from the environment "+
		"(ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET) or -profile", strings.Join(found, ", "))
}

// check reports the entries' problems, naming each; relative output
// directories become relative to base, the config file's directory.
func (cfg *renewConfig) check(base string) error {
	if len(cfg.Certificates) == 0 {
		return errors.New("certificates lists no certificate")
	}
	var problems []string
	seen := map[string]int{}
	for i := range cfg.Certificates {
		e := &cfg.Certificates[i]
		at := fmt.Sprintf("certificates[%d]", i)
		if strings.TrimSpace(e.Domain) == "" {
			problems = append(problems, at+".domain is required")
		}
		if strings.TrimSpace(e.Out) == "" {
			problems = append(problems, at+".out is required")
			continue
		}
		if !filepath.IsAbs(e.Out) {
			e.Out = filepath.Join(base, e.Out)
		}
		e.Out = filepath.Clean(e.Out)
		if j, dup := seen[e.Out]; dup {
			problems = append(problems, fmt.Sprintf("%s.out is certificates[%d].out: each certificate needs a directory of its own", at, j))
		}
		seen[e.Out] = i
	}
	if len(problems) > 0 {
		return errors.New(shown(strings.Join(problems, "; ")))
	}
	return nil
}

// obtainArgs is the obtain command line of e under f.
func (e *renewEntry) obtainArgs(f *renewFlags) []string {
	args := []string{"-domain", e.Domain, "-out", e.Out,
		"-timeout", f.timeout.String(), "-lock-wait", f.lockWait.String()}
	opt := func(name, v string) {
		if v != "" {
			args = append(args, "-"+name, v)
		}
	}
	opt("key-type", e.KeyType)
	opt("key-source", e.KeySource)
	opt("kms-key", e.KMSKey)
	opt("dns", e.DNS)
	opt("dns-zone", e.DNSZone)
	opt("validation-hook", e.ValidationHook)
	opt("validation-type", e.ValidationType)
	opt("product", e.Product)
	opt("username", e.Username)
	opt("phone", e.Phone)
	opt("email", e.Email)
	opt("renew-within", e.RenewWithin)
	opt("deploy-hook", e.DeployHook)
	opt("hook-timeout", e.HookTimeout)
	opt("region", f.region)
	opt("profile", f.profile)
	flags := map[string]bool{"deploy": e.Deploy, "rollback": e.Rollback, "fake": f.fake, "v": f.verbose,
		"q": f.quiet || f.json, "dry-run": f.dryRun}
	for _, name := range []string{"deploy", "rollback", "fake", "v", "q", "dry-run"} {
		if flags[name] {
			args = append(args, "-"+name)
		}
	}
	if f.poll > 0 {
		args = append(args, "-poll", f.poll.String())
	}
	return args
}

// renewResult is what renew prints of one entry.
type renewResult struct {
	Domain   string `json:"domain"`
	Out      string `json:"out"`
	Status   string `json:"status"`
	ExitCode int    `json:"exit_code"`
	NotAfter string `json:"not_after,omitempty"`
	Serial   string `json:"serial,omitempty"`
}

// Statuses of an entry.
const (
	renewRenewed   = "renewed"
	renewCarriedOn = "carried on"
	renewUnchanged = "unchanged"
	renewChecked   = "checked"
	renewFailed    = "failed"
)

// renewEntry runs obtain for e, then prints its line (or JSON object), and
// returns obtain's exit code. Obtain's own output goes to stderr: stdout
// holds renew's lines alone.
func (c *cli) renewEntry(ctx context.Context, f *renewFlags, e renewEntry) int {
	before := certSerial(e.Out)
	var out bytes.Buffer
	steps := map[string]bool{}
	one := *c
	one.stdout = &out
	one.crashHook = func(step string) {
		steps[step] = true
		c.crashPoint(step)
	}
	code := one.run(ctx, append([]string{"obtain"}, e.obtainArgs(f)...))
	res := renewResult{Domain: e.Domain, Out: e.Out, ExitCode: code}
	after := certSerial(e.Out)
	switch {
	case code != exitOK:
		res.Status = renewFailed
	case f.dryRun:
		res.Status = renewChecked
	case after != "" && after != before:
		res.Status = renewRenewed
	case steps["hook"] || steps["deployed"] || steps["resources"]:
		res.Status = renewCarriedOn
	default:
		res.Status = renewUnchanged
	}
	if leaf, err := store.ExistingCert(e.Out); err == nil && leaf != nil {
		res.NotAfter, res.Serial = jsonTime(leaf.NotAfter), leaf.SerialNumber.Text(16)
	}
	if !f.json && out.Len() > 0 && (!f.quiet || res.Status != renewUnchanged) {
		// obtain's own result lines: details, after its progress.
		_, _ = c.stderr.Write(out.Bytes())
	}
	if f.quiet && res.Status == renewUnchanged {
		return code
	}
	if f.json {
		b, err := json.Marshal(res)
		if err == nil {
			_, _ = fmt.Fprintf(c.stdout, "%s\n", jsonSafe(b))
		}
		return code
	}
	line := fmt.Sprintf("%s: %s", shown(e.Domain), res.Status)
	if code != exitOK {
		line += fmt.Sprintf(" (exit %d)", code)
	}
	if res.NotAfter != "" {
		line += ", valid until " + res.NotAfter
	}
	fmt.Fprintf(c.stdout, "%s (%s)\n", line, shown(e.Out))
	return code
}

// certSerial is the serial number (hex) of dir's cert.pem, "" when there
// is none to read.
func certSerial(dir string) string {
	leaf, err := store.ExistingCert(dir)
	if err != nil || leaf == nil {
		return ""
	}
	return leaf.SerialNumber.Text(16)
}

// renewFakeAccount is the fake account of renew -fake: a contact, and for
// each entry with deploy a CDN domain and a load balancer listener serving
// an old certificate for its domain. Its CA checks the DNS records of
// DNS-validated orders unless an entry has a validation hook, which cannot
// reach the in-process fake's DNS.
func renewFakeAccount(cfg *renewConfig) []alicerttest.Option {
	opts := []alicerttest.Option{alicerttest.WithContact("Ops", "ops@example.com", "13800000000")}
	hooked := false
	for _, e := range cfg.Certificates {
		hooked = hooked || e.ValidationHook != ""
	}
	if !hooked {
		opts = append(opts, alicerttest.WithDNSCheck())
	}
	for _, e := range cfg.Certificates {
		if e.Deploy {
			opts = append(opts, fakeDeployAccount(e.Domain)[1:]...)
		}
	}
	return opts
}
