package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/alicert/alicert/cmd/alicert/internal/store"
)

// The deploy hook (-deploy-hook) runs once a new certificate is live in
// the output directory, to reload the servers that read it. It is owed
// from the moment the certificate is about to go live: the state file
// records it (State.DeployHook) before the switch and forgets it once the
// hook succeeded, so that a run stopped in between, or a hook that failed,
// runs it on the next run.
//
// The command string goes to the system shell, as certbot's --deploy-hook
// does: "sh -c CMD" (cmd /C on Windows), so that "systemctl reload nginx &&
// logger renewed" works as written. The hook reads what it needs from the
// ALICERT_* variables below, never from its arguments. It inherits
// alicert's environment without the Alibaba Cloud credential variables
// (every ALIBABA_CLOUD_*, ALIBABACLOUD_* and ALICLOUD_* variable), and
// with its own ALICERT_* variables in place of inherited ones: a reload
// command needs no AccessKey, and one that does can read a profile of its
// own. Its output goes to alicert's stderr, never to stdout, which stays
// the command's result (-json).

// defaultHookTimeout is -hook-timeout's default: a reload takes seconds.
const defaultHookTimeout = 5 * time.Minute

// hookWaitDelay is how long a hook's output may stay open after the hook
// was killed on its timeout (a child it started may hold it).
const hookWaitDelay = 5 * time.Second

// hookCredentialPrefixes start the names of the environment variables a
// hook does not inherit: those credentials-go and the Alibaba Cloud CLI
// read credentials from.
var hookCredentialPrefixes = []string{"ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_"}

// hookEnv is the environment of a hook run for the certificate in dir:
// environ without credentials, and the ALICERT_* variables.
func hookEnv(environ []string, dir, domain string, certID, orderID int64, keyless bool) []string {
	env := hookBaseEnv(environ)
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	key := filepath.Join(abs, store.KeyFile)
	if keyless {
		key = "" // the key stays in KMS
	}
	id := func(n int64) string {
		if n <= 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	return append(env,
		"ALICERT_DOMAIN="+domain,
		"ALICERT_CERT_PATH="+filepath.Join(abs, store.CertFile),
		"ALICERT_KEY_PATH="+key,
		"ALICERT_FULLCHAIN_PATH="+filepath.Join(abs, store.FullchainFile),
		"ALICERT_CERT_ID="+id(certID),
		"ALICERT_ORDER_ID="+id(orderID),
	)
}

// hookBaseEnv is environ without the credential variables and without
// the ALICERT_* variables, which each hook sets its own of.
func hookBaseEnv(environ []string) []string {
	env := make([]string, 0, len(environ)+8)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if hasAnyPrefix(strings.ToUpper(name), hookCredentialPrefixes) || strings.HasPrefix(name, "ALICERT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// hookProgram is the first word of a hook's command line.
func hookProgram(line string) string {
	if fields := strings.Fields(line); len(fields) > 0 {
		return fields[0]
	}
	return ""
}

// shellCommand returns the command that runs line in the system shell.
func shellCommand(ctx context.Context, line string) *exec.Cmd {
	if runtime.GOOS == "windows" {
		return exec.CommandContext(ctx, "cmd", "/C", line)
	}
	return exec.CommandContext(ctx, "sh", "-c", line)
}

// runHook runs -deploy-hook for the certificate st.DeployHook names, under
// -hook-timeout.
func (r *obtainRun) runHook(ctx context.Context, st *store.State) error {
	f := r.f
	environ := os.Environ
	if r.c.environ != nil {
		environ = r.c.environ
	}
	// The id a deployment uses (the upload's) when there is one, else the
	// id the service gave the issued certificate (ObtainOutput.CertID) in
	// this run; empty when neither is known.
	certID := r.result.CertID
	if st.Rollout != nil && st.Rollout.CertID > 0 {
		certID = st.Rollout.CertID
	}
	_, statErr := os.Lstat(filepath.Join(f.out, store.KeyFile))
	fmt.Fprintf(r.info, "alicert: running -deploy-hook\n")
	return runHookCommand(ctx, f.deployHook, hookEnv(environ(), f.out, st.Domain, certID, st.DeployHook.OrderID, f.kmsKey != "" || statErr != nil),
		r.c.stderr, f.hookTimeout)
}

// runHookCommand runs the hook command line with env, its output to out,
// in a process group of its own, and stops it after timeout
// (-hook-timeout), which counts as a failure.
func runHookCommand(ctx context.Context, line string, env []string, out io.Writer, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := shellCommand(ctx, line)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = hookWaitDelay
	ownProcessGroup(cmd)
	err := cmd.Run()
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after -hook-timeout %s", timeout)
	}
	return err
}

// hookDue records in st, before the certificate of serial (issued by
// orderID) goes live, that -deploy-hook is owed for it.
func (r *obtainRun) hookDue(st *store.State, serial string, orderID int64) {
	if r.f.deployHook != "" {
		st.DeployHook = &store.HookDue{Serial: serial, OrderID: orderID}
	}
}

// payHook runs the hook st owes, once the certificate is live, and then
// forgets it (the state file goes when it holds nothing else). A failure
// keeps it owed, and sets the run's exit code: the certificate stays
// installed, and the next run runs the hook again.
func (r *obtainRun) payHook(ctx context.Context, st *store.State) {
	c, f := r.c, r.f
	if st.DeployHook == nil {
		return
	}
	if f.deployHook == "" {
		fmt.Fprintf(r.info, "alicert: %s records a deploy hook not run yet for the certificate in %s; rerun with -deploy-hook to run it\n",
			filepath.Join(f.out, store.StateFile), store.CertFile)
		return
	}
	err := r.runHook(ctx, st)
	c.crashPoint("hook")
	if err != nil {
		// Named by its program alone: the rest of the line may hold
		// what should not reach a cron mail.
		c.errorf("the -deploy-hook command (%s ...) failed: %v; the new certificate stays installed in %s, and the next run runs the hook again",
			hookProgram(f.deployHook), err, f.out)
		r.hookCode = exitFailure
		return
	}
	fmt.Fprintf(r.info, "alicert: -deploy-hook done\n")
	st.DeployHook = nil
	if st.Rollout == nil && st.OrderID == 0 && st.CertID == 0 && !st.Pending() {
		_ = store.RemoveState(f.out)
		return
	}
	r.save(st)
}

// owedHook handles a hook the state file st owes at the start of a run.
// When its certificate is live, the hook runs now; when the certificate
// of the order st names is not live yet, installing says it is to be
// installed whatever -renew-within says; a record of a certificate that is
// neither (cert.pem was replaced since) is dropped. It returns the state
// the run goes on with.
func (r *obtainRun) owedHook(ctx context.Context, st *store.State) (next *store.State, installing bool) {
	dir := r.f.out
	if st == nil || st.DeployHook == nil {
		return st, false
	}
	due := st.DeployHook
	if rolloutLive(dir, &store.Rollout{Serial: due.Serial}) {
		if st.Rollout == nil && (st.OrderID > 0 || st.KeyFile != "") {
			// Stopped right after the switch: the order is done with.
			store.RemoveOrderKey(dir, st.KeyFile)
			st = &store.State{Domain: st.Domain, Fake: st.Fake, CertID: st.CertID, DeployHook: due}
			r.save(st)
		}
		fmt.Fprintf(r.info, "alicert: the deploy hook of the certificate in %s has not run yet: running it\n", store.CertFile)
		r.payHook(ctx, st)
		if st.DeployHook == nil && st.Rollout == nil && st.OrderID == 0 && st.CertID == 0 {
			return nil, false
		}
		return st, false
	}
	if st.OrderID > 0 && st.OrderID == due.OrderID {
		return st, true
	}
	fmt.Fprintf(r.info, "alicert: %s no longer holds the certificate whose deploy hook was owed; forgetting it\n", store.CertFile)
	st.DeployHook = nil
	r.save(st)
	return st, false
}
