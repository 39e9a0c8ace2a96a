// Package controller wires the alicert signers into issuer-lib's
// controllers: the issuer reconcilers, which run the checks, and the
// CertificateRequest reconciler, which signs.
package controller

import (
	"context"
	"fmt"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	issuerapi "github.com/cert-manager/issuer-lib/api/v1alpha1"
	"github.com/cert-manager/issuer-lib/controllers"
	"github.com/cert-manager/issuer-lib/controllers/signer"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/alicert/alicert"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
	"github.com/alicert/alicert/issuer/internal/aliclient"
	alisigner "github.com/alicert/alicert/issuer/internal/signer"
)

// FieldOwner is the field manager of what the controller writes.
const FieldOwner = "alicert-issuer"

// Defaults of Options.
const (
	DefaultCheckInterval    = 5 * time.Minute
	DefaultMaxRetryDuration = time.Hour
)

// Options configures the controllers.
type Options struct {
	// ClusterResourceNamespace is where the Secrets of cluster issuers
	// live.
	ClusterResourceNamespace string
	// IssuerAmbientCredentials and ClusterIssuerAmbientCredentials let
	// namespaced and cluster issuers use the controller's ambient
	// credentials.
	IssuerAmbientCredentials        bool
	ClusterIssuerAmbientCredentials bool
	// ClientOptions are added to every Alibaba Cloud client's options.
	ClientOptions []alicert.Option
	// CheckInterval is how often every issuer is checked again, so that a
	// revoked key, a disabled CA or an exhausted quota shows on it
	// (DefaultCheckInterval when zero).
	CheckInterval time.Duration
	// MaxRetryDuration is how long issuer-lib retries a request whose
	// signing returned an error it does not know; the signers return
	// transient failures as pending, which it never times out
	// (DefaultMaxRetryDuration when zero).
	MaxRetryDuration time.Duration
	// MaxConcurrentReconciles is the number of requests (and of issuers)
	// worked on at once (1 when zero).
	MaxConcurrentReconciles int
	// PollInterval and UnknownOutcomeSettle tune the DV signer (see
	// signer.CAS); zero means its defaults.
	PollInterval         time.Duration
	UnknownOutcomeSettle time.Duration
}

// Setup adds the controllers to mgr.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	clients := &aliclient.Factory{
		Secrets:                         mgr.GetAPIReader(),
		ClusterResourceNamespace:        opts.ClusterResourceNamespace,
		IssuerAmbientCredentials:        opts.IssuerAmbientCredentials,
		ClusterIssuerAmbientCredentials: opts.ClusterIssuerAmbientCredentials,
		Options:                         opts.ClientOptions,
	}
	recorder := mgr.GetEventRecorder(FieldOwner)
	cas := &alisigner.CAS{
		Clients: clients, Kube: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Events: recorder,
		PollInterval: opts.PollInterval, UnknownOutcomeSettle: opts.UnknownOutcomeSettle,
	}
	pca := &alisigner.PCA{Clients: clients}
	interval := opts.CheckInterval
	if interval <= 0 {
		interval = DefaultCheckInterval
	}
	maxRetry := opts.MaxRetryDuration
	if maxRetry <= 0 {
		maxRetry = DefaultMaxRetryDuration
	}
	c := &controllers.CombinedController{
		IssuerTypes:        []issuerapi.Issuer{&api.CASIssuer{}, &api.PCAIssuer{}},
		ClusterIssuerTypes: []issuerapi.Issuer{&api.CASClusterIssuer{}, &api.PCAClusterIssuer{}},
		FieldOwner:         FieldOwner,
		MaxRetryDuration:   maxRetry,
		Sign: func(ctx context.Context, cr signer.CertificateRequestObject, issuer issuerapi.Issuer) (signer.PEMBundle, error) {
			if _, ok := alisigner.CASSpec(issuer); ok {
				return cas.Sign(ctx, cr, issuer)
			}
			return pca.Sign(ctx, cr, issuer)
		},
		Check: func(ctx context.Context, issuer issuerapi.Issuer) error {
			if _, ok := alisigner.CASSpec(issuer); ok {
				return cas.Check(ctx, issuer)
			}
			return pca.Check(ctx, issuer)
		},
		EventRecorder: recorder,
		// ca.crt gets the root (or the topmost CA the chain holds), as
		// cert-manager's own CA issuers do; issuer-lib leaves it out unless
		// asked. Users of Private CA issuers need the root to trust the
		// certificates, and ca.crt is where cert-manager's CA, Vault and
		// Venafi issuers put it.
		//lint:ignore SA1019 deprecated in favour of trust-manager, which many clusters do not run; ca.crt is the documented split
		SetCAOnCertificateRequest: true,
		// Kubernetes CertificateSigningRequests are not signed: the DV
		// signer keeps its progress in annotations of cert-manager
		// CertificateRequests.
		DisableKubernetesCSRController: true,
		ControllerOptions:              controller.Options{MaxConcurrentReconciles: max(opts.MaxConcurrentReconciles, 1)},
		PostSetupWithManager: func(ctx context.Context, gvk schema.GroupVersionKind, mgr ctrl.Manager, c controller.Controller) error {
			newList, ok := issuerLists[gvk.Kind]
			if !ok {
				return nil // the CertificateRequest controller
			}
			return c.Watch(recheck(mgr.GetClient(), newList, interval))
		},
	}
	if err := c.SetupWithManager(ctx, mgr); err != nil {
		return fmt.Errorf("setting up the alicert issuer controllers: %w", err)
	}
	return nil
}

// issuerLists makes an empty list of each issuer kind, by kind.
var issuerLists = map[string]func() client.ObjectList{
	"CASIssuer":        func() client.ObjectList { return &api.CASIssuerList{} },
	"CASClusterIssuer": func() client.ObjectList { return &api.CASClusterIssuerList{} },
	"PCAIssuer":        func() client.ObjectList { return &api.PCAIssuerList{} },
	"PCAClusterIssuer": func() client.ObjectList { return &api.PCAClusterIssuerList{} },
}

// recheck is a source that queues every issuer of one kind every
// interval, so that its check runs again: issuer-lib checks an issuer
// only when its spec changes or a request reports an issuer error, and a
// key revoked in the console changes neither.
func recheck(c client.Reader, newList func() client.ObjectList, interval time.Duration) source.Source {
	return source.Func(func(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
		go func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				list := newList()
				if err := c.List(ctx, list); err != nil {
					log.FromContext(ctx).Error(err, "listing issuers to check them again")
					continue
				}
				for _, name := range itemNames(list) {
					q.Add(reconcile.Request{NamespacedName: name})
				}
			}
		}()
		return nil
	})
}

func itemNames(list client.ObjectList) []types.NamespacedName {
	var names []types.NamespacedName
	add := func(o client.Object) { names = append(names, client.ObjectKeyFromObject(o)) }
	switch l := list.(type) {
	case *api.CASIssuerList:
		for i := range l.Items {
			add(&l.Items[i])
		}
	case *api.CASClusterIssuerList:
		for i := range l.Items {
			add(&l.Items[i])
		}
	case *api.PCAIssuerList:
		for i := range l.Items {
			add(&l.Items[i])
		}
	case *api.PCAClusterIssuerList:
		for i := range l.Items {
			add(&l.Items[i])
		}
	}
	return names
}

// NewScheme returns a scheme holding what the controllers read and
// write: Kubernetes' own kinds, cert-manager's CertificateRequests and the
// alicert issuer kinds.
func NewScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, cmapi.AddToScheme, api.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	return scheme, nil
}
