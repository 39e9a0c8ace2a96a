package controller_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	issuerapi "github.com/cert-manager/issuer-lib/api/v1alpha1"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
	"github.com/alicert/alicert/issuer/internal/controller"
)

// One API server (a real kube-apiserver and etcd, started by envtest) for
// the whole package: starting it takes seconds, and each test works in a
// namespace of its own.
var (
	restConfig *rest.Config
	// kubeconfig reaches the API server as an administrator, for the
	// alicert-issuer binary the benchmark runs.
	kubeconfig []byte
	k8s        client.Client
	scheme     *runtime.Scheme
)

// clusterResourceNamespace is where the Secrets of cluster issuers live in
// these tests.
const clusterResourceNamespace = "alicert-system"

func TestMain(m *testing.M) {
	os.Exit(runWithAPIServer(m))
}

func runWithAPIServer(m *testing.M) int {
	assets, err := envtestAssets()
	if err != nil {
		// Never a skip: a suite that cannot start its API server fails.
		fmt.Fprintln(os.Stderr, "envtest assets:", err)
		return 1
	}
	crds, err := crdPaths()
	if err != nil {
		fmt.Fprintln(os.Stderr, "CRDs:", err)
		return 1
	}
	log.SetLogger(testLogger())
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     crds,
		ErrorIfCRDPathMissing: true,
	}
	restConfig, err = env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the API server:", err)
		return 1
	}
	kubeconfig = env.KubeConfig
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the API server:", err)
		}
	}()
	// Many objects are made and watched at once (the benchmark's
	// thousand requests): the default client rate of 5/s would measure
	// the rate limiter.
	restConfig.QPS, restConfig.Burst = 1000, 2000
	if scheme, err = controller.NewScheme(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if k8s, err = client.New(restConfig, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusterResourceNamespace}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// envtestAssets returns the directory of kube-apiserver and etcd:
// KUBEBUILDER_ASSETS when set, else what the repository's
// scripts/envtest-assets prints, which builds them the first time.
func envtestAssets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		for _, bin := range []string{"kube-apiserver", "etcd"} {
			if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
				return "", fmt.Errorf("KUBEBUILDER_ASSETS=%s: %w", dir, err)
			}
		}
		return dir, nil
	}
	script, err := filepath.Abs("../../../scripts/envtest-assets")
	if err != nil {
		return "", err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(script)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w\n%s", script, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// crdPaths returns cert-manager's CertificateRequest CRD, from the module
// the issuer builds with, and the issuer's own CRDs.
func crdPaths() ([]string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/cert-manager/cert-manager").Output()
	if err != nil {
		return nil, fmt.Errorf("finding the cert-manager module: %w", err)
	}
	certManager := filepath.Join(strings.TrimSpace(string(out)), "deploy", "crds", "cert-manager.io_certificaterequests.yaml")
	return []string{certManager, "../../deploy/crds"}, nil
}

// harness is one test's world: a namespace, a fake Alibaba Cloud and the
// controller (which a test may stop and start again).
type harness struct {
	t    *testing.T
	ns   string
	srv  *alicerttest.Server
	opts controller.Options
	stop context.CancelFunc
	done chan error
}

var namespaces atomic.Int64

// newHarness makes a namespace and a fake with opts, and starts nothing.
func newHarness(t *testing.T, opts ...alicerttest.Option) *harness {
	t.Helper()
	srv := alicerttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	ns := fmt.Sprintf("t%d-%s", namespaces.Add(1), strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	if len(ns) > 63 {
		ns = ns[:63]
	}
	ns = strings.Trim(strings.ReplaceAll(ns, "_", "-"), "-")
	if err := k8s.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ns: ns, srv: srv, opts: controller.Options{
		ClusterResourceNamespace: clusterResourceNamespace,
		// Point every client at the fake, and retry within the library
		// quickly; the credentials come from each issuer.
		ClientOptions: []alicert.Option{
			alicert.WithCASEndpoint(srv.URL), alicert.WithKMSEndpoint(srv.URL), alicert.WithDNSEndpoint(srv.URL),
			alicert.WithHTTPClient(srv.Client()), alicert.WithRetryDelay(time.Millisecond, 10*time.Millisecond),
		},
		CheckInterval:           500 * time.Millisecond,
		PollInterval:            100 * time.Millisecond,
		UnknownOutcomeSettle:    300 * time.Millisecond,
		MaxConcurrentReconciles: 4,
	}}
	t.Cleanup(h.stopController)
	return h
}

// startController starts a manager with the alicert controllers, whose
// cache sees only the test's namespace (and cluster-scoped objects).
func (h *harness) startController() {
	h.t.Helper()
	if h.stop != nil {
		h.t.Fatal("the controller is running already")
	}
	// A scheme of its own: issuer-lib adds to the manager's scheme while
	// it sets up, which must not race with a manager stopped before.
	mgrScheme, err := controller.NewScheme()
	if err != nil {
		h.t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                 mgrScheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{h.ns: {}}},
		Controller:             ctrlConfigSkipNameValidation(),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := controller.Setup(ctx, mgr, h.opts); err != nil {
		cancel()
		h.t.Fatal(err)
	}
	h.stop, h.done = cancel, make(chan error, 1)
	go func() { h.done <- mgr.Start(ctx) }()
}

// stopController stops the manager and waits until it has.
func (h *harness) stopController() {
	if h.stop == nil {
		return
	}
	h.stop()
	if err := <-h.done; err != nil && !errors.Is(err, context.Canceled) {
		h.t.Errorf("manager: %v", err)
	}
	h.stop, h.done = nil, nil
}

// accessKeySecret makes a Secret with an AccessKey pair the fake accepts.
func (h *harness) accessKeySecret(namespace, name, id, secret string) *corev1.Secret {
	h.t.Helper()
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Data:       map[string][]byte{api.DefaultAccessKeyIDKey: []byte(id), api.DefaultAccessKeySecretKey: []byte(secret)},
	}
	if err := k8s.Create(context.Background(), s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// secretCredentials makes a Secret with the fake's own key and returns
// credentials that name it.
func (h *harness) secretCredentials(namespace string) api.Credentials {
	id, secret := h.srv.Credentials()
	s := h.accessKeySecret(namespace, "alicloud", id, secret)
	return api.Credentials{SecretRef: &api.AccessKeySecretRef{Name: s.Name}}
}

// casSpec is a valid CASIssuer spec with the fake's credentials.
func (h *harness) casSpec() api.CASIssuerSpec {
	return api.CASIssuerSpec{
		Contact:     api.Contact{Name: "Tom", Phone: "13900000000", Email: "tom@example.com"},
		Credentials: h.secretCredentials(h.ns),
	}
}

// createCASIssuer makes a CASIssuer and waits until it is Ready.
func (h *harness) createCASIssuer(name string, spec api.CASIssuerSpec) *api.CASIssuer {
	h.t.Helper()
	iss := &api.CASIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: name}, Spec: spec}
	if err := k8s.Create(context.Background(), iss); err != nil {
		h.t.Fatal(err)
	}
	h.waitIssuerReady(iss, metav1.ConditionTrue)
	return iss
}

// waitIssuerReady waits until the issuer's Ready condition has status.
func (h *harness) waitIssuerReady(iss client.Object, status metav1.ConditionStatus) *metav1.Condition {
	h.t.Helper()
	var last *metav1.Condition
	h.eventually(fmt.Sprintf("issuer %s Ready=%s", iss.GetName(), status), func() bool {
		obj := iss.DeepCopyObject().(client.Object)
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(iss), obj); err != nil {
			return false
		}
		last = readyCondition(obj.(issuerapi.Issuer).GetConditions())
		return last != nil && last.Status == status && last.ObservedGeneration == obj.GetGeneration()
	}, func() string { return fmt.Sprintf("last Ready condition: %+v", last) })
	return last
}

func readyCondition(conds []metav1.Condition) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == issuerapi.IssuerConditionTypeReady {
			return &conds[i]
		}
	}
	return nil
}

// newCSR returns a PEM CSR for names (the first as common name) with a
// new ECDSA P-256 key, and the key.
func newCSR(t *testing.T, names ...string) ([]byte, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return csrWithKey(t, key, &x509.CertificateRequest{Subject: pkix.Name{CommonName: names[0]}, DNSNames: names}), key
}

func csrWithKey(t testing.TB, key crypto.Signer, tmpl *x509.CertificateRequest) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// createRequest makes an approved CertificateRequest for csr from the
// issuer of kind and name: envtest runs no cert-manager, so the test
// approves it as cert-manager's approver would.
func (h *harness) createRequest(name string, csr []byte, kind, issuer string, mutate ...func(*cmapi.CertificateRequest)) *cmapi.CertificateRequest {
	h.t.Helper()
	cr := &cmapi.CertificateRequest{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.ns, Name: name},
		Spec: cmapi.CertificateRequestSpec{
			Request:   csr,
			IssuerRef: cmmeta.IssuerReference{Group: api.GroupName, Kind: kind, Name: issuer},
			Usages:    []cmapi.KeyUsage{cmapi.UsageDigitalSignature, cmapi.UsageKeyEncipherment, cmapi.UsageServerAuth},
		},
	}
	for _, m := range mutate {
		m(cr)
	}
	if err := approve(context.Background(), cr); err != nil {
		h.t.Fatal(err)
	}
	return cr
}

// approve creates cr and sets its Approved condition.
func approve(ctx context.Context, cr *cmapi.CertificateRequest) error {
	if err := k8s.Create(ctx, cr); err != nil {
		return err
	}
	cr.Status.Conditions = append(cr.Status.Conditions, cmapi.CertificateRequestCondition{
		Type: cmapi.CertificateRequestConditionApproved, Status: cmmeta.ConditionTrue,
		Reason: "test", Message: "approved by the test", LastTransitionTime: &metav1.Time{Time: time.Now()},
	})
	return k8s.Status().Update(ctx, cr)
}

// requestCondition returns cr's Ready condition.
func requestCondition(cr *cmapi.CertificateRequest) *cmapi.CertificateRequestCondition {
	for i := range cr.Status.Conditions {
		if cr.Status.Conditions[i].Type == cmapi.CertificateRequestConditionReady {
			return &cr.Status.Conditions[i]
		}
	}
	return nil
}

// waitRequest waits until the request's Ready condition has reason
// (Issued or Failed) and returns the request.
func (h *harness) waitRequest(cr *cmapi.CertificateRequest, reason string) *cmapi.CertificateRequest {
	h.t.Helper()
	got := new(cmapi.CertificateRequest)
	h.eventually(fmt.Sprintf("request %s %s", cr.Name, reason), func() bool {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(cr), got); err != nil {
			return false
		}
		c := requestCondition(got)
		if c != nil && c.Reason != reason && (c.Reason == cmapi.CertificateRequestReasonFailed || c.Reason == cmapi.CertificateRequestReasonIssued) {
			h.t.Fatalf("request %s: want %s, got the final condition %+v; annotations %v", cr.Name, reason, c, got.Annotations)
		}
		return c != nil && c.Reason == reason
	}, func() string {
		return fmt.Sprintf("last Ready condition: %+v; annotations %v", requestCondition(got), got.Annotations)
	})
	return got
}

// getRequest reads cr again.
func (h *harness) getRequest(cr *cmapi.CertificateRequest) *cmapi.CertificateRequest {
	h.t.Helper()
	got := new(cmapi.CertificateRequest)
	if err := k8s.Get(context.Background(), types.NamespacedName{Namespace: cr.Namespace, Name: cr.Name}, got); err != nil {
		h.t.Fatal(err)
	}
	return got
}

// waitTimeout bounds every wait: far above what any step takes, so that
// a slow machine never fails a test, while a hang still ends.
const waitTimeout = 2 * time.Minute

// eventually polls cond until it holds, and fails the test with
// describe's account of the last state when it never does.
func (h *harness) eventually(what string, cond func() bool, describe func() string) {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("waiting for %s: gave up after %s; %s", what, waitTimeout, describe())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ctrlConfigSkipNameValidation lets each test start a manager of its own
// in this one process: controller-runtime refuses a second controller of
// the same name otherwise.
func ctrlConfigSkipNameValidation() ctrlconfig.Controller {
	return ctrlconfig.Controller{SkipNameValidation: new(true)}
}

// testLogger logs the controllers to stderr when ALICERT_TEST_LOG is set,
// and nowhere otherwise.
func testLogger() logr.Logger {
	if os.Getenv("ALICERT_TEST_LOG") == "" {
		return logr.Discard()
	}
	return zap.New(zap.UseDevMode(true), zap.WriteTo(os.Stderr))
}

// weakRSAKey is an RSA key of 1024 bits, which no DV order takes.
func weakRSAKey(t *testing.T) crypto.Signer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// newKey is a new ECDSA P-256 key.
func newKey(t testing.TB) crypto.Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// csrTemplate is a CSR template for one DNS name, also the common name.
func csrTemplate(name string) *x509.CertificateRequest {
	return &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}}
}
