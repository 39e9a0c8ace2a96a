package controller_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	watchpkg "k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/alicert/alicert/alicerttest"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
)

// benchRequests is the number of CertificateRequests of one run.
const benchRequests = 1000

// BenchmarkPCAIssuer1000 measures the alicert-issuer binary signing 1,000
// CertificateRequests with a PCAIssuer: the real command, built from this
// module, in a process of its own against envtest's kube-apiserver, with
// the fake's Private CA as Alibaba Cloud (ALICERT_CAS_ENDPOINT). Each run
// makes a namespace, an issuer and 1,000 approved requests (20 writers),
// and waits until every request is Ready. It reports the time from the
// first create until all are Ready, the requests signed per second, and
// the controller process's peak resident memory (VmHWM). The qps
// sub-benchmarks set the controller's --kube-api-qps (burst twice that):
// its client-side rate limit toward the API server.
//
//	go test -run '^$' -bench BenchmarkPCAIssuer1000 -benchtime 1x ./internal/controller
func BenchmarkPCAIssuer1000(b *testing.B) {
	bin := buildIssuer(b)
	kc := filepath.Join(b.TempDir(), "kubeconfig")
	if err := os.WriteFile(kc, kubeconfig, 0o600); err != nil {
		b.Fatal(err)
	}
	for _, qps := range []int{20, 200, 1000} {
		b.Run(fmt.Sprintf("qps=%d", qps), func(b *testing.B) {
			// The timer runs only from the first create until all are
			// Ready: ns/op is that time, for one run of 1,000 requests.
			b.StopTimer()
			var total benchResult
			for range b.N {
				r := benchRun(b, bin, kc, qps)
				total.elapsed += r.elapsed
				total.peakRSS = max(total.peakRSS, r.peakRSS)
				for k, v := range r.cpu {
					if total.cpu == nil {
						total.cpu = map[string]time.Duration{}
					}
					total.cpu[k] += v
				}
			}
			b.ReportMetric(total.elapsed.Seconds()/float64(b.N), "s-until-all-ready")
			b.ReportMetric(float64(b.N*benchRequests)/total.elapsed.Seconds(), "requests/s")
			b.ReportMetric(float64(total.peakRSS)/(1<<20), "peak-RSS-MiB")
			// Where the CPU went while the requests were signed: the
			// controller, the API server and etcd, and this process (the
			// fake Alibaba Cloud and the client making the requests).
			for _, who := range []string{"controller", "kube-apiserver", "etcd", "fake+client"} {
				b.ReportMetric(total.cpu[who].Seconds()/float64(b.N), who+"-cpu-s")
			}
		})
	}
}

// benchResult is what one run measured.
type benchResult struct {
	elapsed time.Duration            // from the first create until all are Ready
	peakRSS int64                    // the controller's peak resident memory, bytes
	cpu     map[string]time.Duration // CPU time spent meanwhile, by process
}

// benchRun runs the controller once over benchRequests requests.
func benchRun(b *testing.B, bin, kc string, qps int) benchResult {
	ctx := context.Background()
	srv := alicerttest.NewServer(alicerttest.WithPrivateCA())
	defer srv.Close()
	if err := srv.SetSubCAQuota(srv.PrivateCA().SubCAIdentifier, 10*benchRequests); err != nil {
		b.Fatal(err)
	}
	ns := fmt.Sprintf("bench-%d", namespaces.Add(1))
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		b.Fatal(err)
	}
	id, secret := srv.Credentials()
	if err := k8s.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alicloud"},
		Data:       map[string][]byte{api.DefaultAccessKeyIDKey: []byte(id), api.DefaultAccessKeySecretKey: []byte(secret)},
	}); err != nil {
		b.Fatal(err)
	}
	iss := &api.PCAIssuer{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca"},
		Spec: api.PCAIssuerSpec{CAIdentifier: srv.PrivateCA().SubCAIdentifier,
			Credentials: api.Credentials{SecretRef: &api.AccessKeySecretRef{Name: "alicloud"}}},
	}
	if err := k8s.Create(ctx, iss); err != nil {
		b.Fatal(err)
	}
	csrs := make([][]byte, benchRequests)
	for i := range csrs {
		csrs[i] = csrWithKey(b, newKey(b), csrTemplate(fmt.Sprintf("svc-%04d.bench.internal", i)))
	}

	cmd := exec.Command(bin,
		"--kubeconfig", kc, "--cluster-resource-namespace", clusterResourceNamespace,
		"--metrics-bind-address", "0", "--health-probe-bind-address", "0",
		"--kube-api-qps", strconv.Itoa(qps), "--kube-api-burst", strconv.Itoa(2*qps),
		"--max-concurrent-reconciles", "10", "--zap-log-level", "error")
	cmd.Env = append(os.Environ(), "ALICERT_CAS_ENDPOINT="+srv.URL, "ALICERT_KMS_ENDPOINT="+srv.URL, "ALICERT_DNS_ENDPOINT="+srv.URL)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	waitIssuerReadyTB(b, iss)

	// A watch, rather than listing a thousand requests again and again,
	// sees them become Ready: a list loop would load the API server more
	// than the controller does.
	wc, err := client.NewWithWatch(restConfig, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}
	// A watch without a resource version starts with every request as
	// it is, so one that ends (a server timeout) is simply made again.
	newWatch := func() watchpkg.Interface {
		w, err := wc.Watch(ctx, &cmapi.CertificateRequestList{}, client.InNamespace(ns))
		if err != nil {
			b.Fatal(err)
		}
		return w
	}
	watch := newWatch()
	defer func() { watch.Stop() }()
	cpuBefore := cpuTimes(b, cmd.Process.Pid)
	b.StartTimer()
	start := time.Now()
	go createApproved(b, ns, csrs)
	issued := map[string]bool{}
	deadline := time.After(30 * time.Minute)
	for len(issued) < benchRequests {
		select {
		case ev, ok := <-watch.ResultChan():
			if !ok {
				watch = newWatch()
				continue
			}
			cr, ok := ev.Object.(*cmapi.CertificateRequest)
			if !ok {
				continue
			}
			if c := requestCondition(cr); c != nil {
				switch c.Reason {
				case cmapi.CertificateRequestReasonIssued:
					issued[cr.Name] = true
				case cmapi.CertificateRequestReasonFailed:
					b.Fatalf("request %s failed: %s", cr.Name, c.Message)
				}
			}
		case <-deadline:
			b.Fatalf("%d of %d requests Ready after 30m; controller log:\n%s", len(issued), benchRequests, logs.String())
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	r := benchResult{elapsed: elapsed, peakRSS: peakRSS(b, cmd.Process.Pid), cpu: cpuTimes(b, cmd.Process.Pid)}
	for k, v := range cpuBefore {
		r.cpu[k] -= v
	}
	if n := srv.RequestCount("CreateCustomCertificate"); n != benchRequests {
		b.Errorf("%d certificates signed for %d requests", n, benchRequests)
	}
	return r
}

// cpuTimes reads the CPU time (user and system) the controller (pid), the
// API server and etcd (envtest's children of this process) and this
// process have used so far.
func cpuTimes(b *testing.B, controller int) map[string]time.Duration {
	times := map[string]time.Duration{"controller": procCPU(b, controller)}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil {
			continue
		}
		if name := strings.TrimSpace(string(comm)); (name == "kube-apiserver" || name == "etcd") && procParent(pid) == os.Getpid() {
			times[name] = procCPU(b, pid)
		}
	}
	var self syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err != nil {
		b.Fatal(err)
	}
	times["fake+client"] = time.Duration(self.Utime.Nano() + self.Stime.Nano())
	return times
}

// procStat returns the fields of /proc/pid/stat after the command name.
func procStat(pid int) []string {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(stat[i+1:]))
}

// procParent is a process's parent pid, or -1.
func procParent(pid int) int {
	f := procStat(pid)
	if len(f) < 2 {
		return -1
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// procCPU is a process's user and system time (utime and stime, in clock
// ticks of 1/100 s on Linux).
func procCPU(b *testing.B, pid int) time.Duration {
	f := procStat(pid)
	if len(f) < 13 {
		b.Fatalf("/proc/%d/stat: too few fields", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// buildIssuer builds the alicert-issuer command into a temporary
// directory.
func buildIssuer(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "alicert-issuer")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/alicert-issuer").CombinedOutput()
	if err != nil {
		b.Fatalf("building alicert-issuer: %v\n%s", err, out)
	}
	return bin
}

// createApproved creates an approved request for each CSR, 20 at a time.
func createApproved(b *testing.B, ns string, csrs [][]byte) {
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, len(csrs))
	for range 20 {
		wg.Go(func() {
			for i := range work {
				cr := &cmapi.CertificateRequest{
					ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("svc-%04d", i)},
					Spec: cmapi.CertificateRequestSpec{
						Request:   csrs[i],
						IssuerRef: cmmeta.IssuerReference{Group: api.GroupName, Kind: "PCAIssuer", Name: "pca"},
						Duration:  &metav1.Duration{Duration: 24 * time.Hour},
						Usages:    []cmapi.KeyUsage{cmapi.UsageDigitalSignature, cmapi.UsageKeyEncipherment, cmapi.UsageServerAuth},
					},
				}
				if err := approve(context.Background(), cr); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range csrs {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Error(err)
	}
}

// waitIssuerReadyTB waits until the issuer is Ready.
func waitIssuerReadyTB(b *testing.B, iss *api.PCAIssuer) {
	deadline := time.Now().Add(waitTimeout)
	for {
		got := new(api.PCAIssuer)
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(iss), got); err == nil {
			if c := readyCondition(got.Status.Conditions); c != nil && c.Status == metav1.ConditionTrue {
				return
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("issuer %s not Ready after %s", iss.Name, waitTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// peakRSS reads a process's peak resident set size (VmHWM) from /proc.
func peakRSS(b *testing.B, pid int) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}
