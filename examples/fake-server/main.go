// Command fake-server starts alicert fake, the local stand-in for CAS, KMS
// and Alidns, and runs the alicert command against it in processes of
// their own, the way a program in any language would use it: through the
// ALICERT_*_ENDPOINT and ALIBABA_CLOUD_ACCESS_KEY_* variables the fake
// prints at start.
//
//	go run ./examples/fake-server                    # builds alicert first
//	go run ./examples/fake-server -alicert ~/go/bin/alicert
//
// It orders a certificate for shop.example.com into a temporary directory
// (alicert obtain), lists the account's certificates (alicert list), reads
// the fake's counters from its admin port, then stops the fake with
// SIGTERM. No credentials, no network, no cost.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// started is what alicert fake -json prints at start.
type started struct {
	Endpoint      string            `json:"endpoint"`
	AdminEndpoint string            `json:"adminEndpoint"`
	AdminToken    string            `json:"adminToken"`
	Env           map[string]string `json:"env"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fake-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("alicert", "", "the alicert binary to run (default: build github.com/alicert/alicert/cmd/alicert)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	work, err := os.MkdirTemp("", "alicert-fake-example-")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer os.RemoveAll(work)
	if *bin == "" {
		*bin = filepath.Join(work, "alicert")
		build := exec.CommandContext(ctx, "go", "build", "-o", *bin, "github.com/alicert/alicert/cmd/alicert")
		build.Stdout, build.Stderr = stderr, stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(stderr, "building alicert: %v\n", err)
			return 1
		}
	}
	if err := demo(ctx, *bin, work, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "fake-server:", err)
		return 1
	}
	return 0
}

// demo starts the fake, runs the CLI against it and stops it.
func demo(ctx context.Context, bin, work string, stdout, stderr io.Writer) (err error) {
	// The fake and a CLI run write to stderr at the same time.
	stderr = &lockedWriter{w: stderr}
	fake := exec.Command(bin, "fake", "-json", "-listen", "127.0.0.1:0", "-state", filepath.Join(work, "state"))
	fake.Stderr = stderr
	out, err := fake.StdoutPipe()
	if err != nil {
		return err
	}
	if err := fake.Start(); err != nil {
		return err
	}
	defer func() {
		// SIGTERM: the fake writes its state and exits 0.
		_ = fake.Process.Signal(syscall.SIGTERM)
		if werr := fake.Wait(); werr != nil && err == nil {
			err = fmt.Errorf("alicert fake: %w", werr)
		}
	}()
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("reading what alicert fake printed: %w", err)
	}
	var s started
	if err := json.Unmarshal(line, &s); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "alicert fake serves %s\n", s.Endpoint)

	env := append(os.Environ(), "ALICERT_USERNAME=Example User", "ALICERT_PHONE=13800000000", "ALICERT_EMAIL=user@example.com")
	for k, v := range s.Env {
		env = append(env, k+"="+v)
	}
	for _, args := range [][]string{
		{"obtain", "-domain", "shop.example.com", "-out", filepath.Join(work, "certs"), "-poll", "50ms"},
		{"list"},
	} {
		fmt.Fprintf(stdout, "$ alicert %s\n", join(args))
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("alicert %s: %w", args[0], err)
		}
	}
	return printCounters(ctx, s, stdout)
}

// printCounters reads the fake's counters from its admin port.
func printCounters(ctx context.Context, s started, stdout io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.AdminEndpoint+"/counters", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("admin: " + resp.Status)
	}
	var c struct {
		Orders       int `json:"orders"`
		Certificates int `json:"certificates"`
		DNSRecords   int `json:"dnsRecords"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the fake holds %d order(s), %d certificate(s), %d DNS record(s)\n", c.Orders, c.Certificates, c.DNSRecords)
	return nil
}

func join(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// lockedWriter serializes the writes of several processes' output copies.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
