// Command alicert-issuer is a cert-manager external issuer for Alibaba
// Cloud: CASIssuer and CASClusterIssuer order DV certificates from
// Certificate Management Service with each CertificateRequest's own CSR,
// validated through Alibaba Cloud DNS; PCAIssuer and PCAClusterIssuer sign
// them with a Private CA sub-CA.
//
// It takes controller-runtime's usual flags (--kubeconfig, --leader-elect,
// --metrics-bind-address, --health-probe-bind-address) and
// --cluster-resource-namespace, where the Secrets of cluster issuers live.
// ALICERT_CAS_ENDPOINT, ALICERT_KMS_ENDPOINT and ALICERT_DNS_ENDPOINT point
// it at other endpoints, such as those of `alicert fake`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/alicert/alicert/issuer/internal/controller"
)

// serviceAccountNamespace is where Kubernetes tells a pod its namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "alicert-issuer:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("alicert-issuer", flag.ContinueOnError)
	var (
		metricsAddr, probeAddr, clusterNS, leaderNS string
		leaderElect, issuerAmbient, clusterAmbient  bool
		kubeQPS                                     float64
		kubeBurst                                   int
		opts                                        controller.Options
	)
	fs.StringVar(&metricsAddr, "metrics-bind-address", ":8080", `address the metrics endpoint binds to; "0" disables it`)
	fs.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "address the /healthz and /readyz probes bind to")
	fs.BoolVar(&leaderElect, "leader-elect", false, "elect a leader among replicas, so that one signs at a time")
	fs.StringVar(&leaderNS, "leader-election-namespace", "", "namespace of the leader election Lease (default: the pod's namespace)")
	fs.StringVar(&clusterNS, "cluster-resource-namespace", "",
		"namespace of the Secrets that cluster issuers name (default: the pod's namespace)")
	fs.BoolVar(&issuerAmbient, "issuer-ambient-credentials", false,
		"let namespaced issuers use the controller's ambient credentials (environment, RRSA/OIDC, ECS RAM role)")
	fs.BoolVar(&clusterAmbient, "cluster-issuer-ambient-credentials", true,
		"let cluster issuers use the controller's ambient credentials")
	fs.DurationVar(&opts.CheckInterval, "issuer-check-interval", controller.DefaultCheckInterval,
		"how often every issuer's credentials and quota or CA are checked again")
	fs.DurationVar(&opts.MaxRetryDuration, "max-retry-duration", controller.DefaultMaxRetryDuration,
		"how long a request is retried after an unexpected error before it fails (transient failures never fail it)")
	fs.IntVar(&opts.MaxConcurrentReconciles, "max-concurrent-reconciles", 10, "requests and issuers worked on at once")
	fs.Float64Var(&kubeQPS, "kube-api-qps", 20, "requests per second to the Kubernetes API server, on average")
	fs.IntVar(&kubeBurst, "kube-api-burst", 50, "requests to the Kubernetes API server in a burst")
	zapOpts := zap.Options{TimeEncoder: zapcore.RFC3339NanoTimeEncoder}
	zapOpts.BindFlags(fs)
	// --kubeconfig: controller-runtime's own flag, which ctrl.GetConfig
	// reads (default: $KUBECONFIG, in-cluster, then ~/.kube/config).
	config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))

	podNS := podNamespace()
	if clusterNS == "" {
		clusterNS = podNS
	}
	if clusterNS == "" {
		return errors.New("--cluster-resource-namespace is required outside a pod (where the Secrets of cluster issuers live)")
	}
	if leaderElect && leaderNS == "" {
		leaderNS = podNS
	}
	opts.ClusterResourceNamespace = clusterNS
	opts.IssuerAmbientCredentials = issuerAmbient
	opts.ClusterIssuerAmbientCredentials = clusterAmbient

	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("finding the cluster: %w", err)
	}
	cfg.QPS, cfg.Burst = float32(kubeQPS), kubeBurst
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress:  probeAddr,
		LeaderElection:          leaderElect,
		LeaderElectionID:        "alicert-issuer.alicert.io",
		LeaderElectionNamespace: leaderNS,
		// A replica that loses the lease stops at once rather than sign
		// beside the new leader.
		LeaderElectionReleaseOnCancel: true,
		GracefulShutdownTimeout:       new(30 * time.Second),
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	if err := controller.Setup(ctx, mgr, opts); err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// podNamespace returns the namespace the controller's pod runs in: the
// POD_NAMESPACE environment variable (the chart sets it from the downward
// API), else the service account's namespace file, else "".
func podNamespace() string {
	if ns := os.Getenv("POD_NAMESPACE"); ns != "" {
		return ns
	}
	if b, err := os.ReadFile(serviceAccountNamespace); err == nil {
		return strings.TrimSpace(string(b))
	}
	return ""
}
