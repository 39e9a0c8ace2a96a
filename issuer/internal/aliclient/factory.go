// Package aliclient makes the alicert.Client an issuer calls Alibaba Cloud
// with: from the AccessKey in the Secret its spec names, or from the
// controller's ambient credentials, and keeps one client per issuer for as
// long as its region and credentials stay the same.
package aliclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/alicert/alicert"
	issuerapi "github.com/cert-manager/issuer-lib/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
)

// ErrAmbientNotAllowed is matched by the error of an issuer that asks for
// ambient credentials the controller does not grant to its kind.
var ErrAmbientNotAllowed = errors.New("ambient credentials are not allowed")

// Factory makes and caches the clients of issuers. It is safe for
// concurrent use.
type Factory struct {
	// Secrets reads the Secrets that issuers name. The controller gives it
	// a reader that goes to the API server, so that it needs only get
	// permission on Secrets, never list or watch, and always sees the
	// Secret as it is now (a rotated key takes effect at once).
	Secrets client.Reader
	// ClusterResourceNamespace is where the Secrets of cluster-scoped
	// issuers live.
	ClusterResourceNamespace string
	// IssuerAmbientCredentials lets namespaced issuers use ambient
	// credentials.
	IssuerAmbientCredentials bool
	// ClusterIssuerAmbientCredentials lets cluster-scoped issuers use
	// ambient credentials.
	ClusterIssuerAmbientCredentials bool
	// Options are added to every client's options, after those the issuer
	// gives: endpoints and HTTP clients for tests, for instance. The
	// endpoints also come from ALICERT_CAS_ENDPOINT, ALICERT_KMS_ENDPOINT
	// and ALICERT_DNS_ENDPOINT, as for any alicert.Client.
	Options []alicert.Option
	// NewClient makes a client; nil means alicert.NewClient.
	NewClient func(opts ...alicert.Option) (*alicert.Client, error)

	mu      sync.Mutex
	clients map[string]cachedClient // issuer key -> its client
}

type cachedClient struct {
	fingerprint string
	client      *alicert.Client
}

// Client returns the client of issuer, which has the given region and
// credentials. An error about the credentials (a Secret missing, a key
// missing in it, ambient credentials refused) names what to fix.
func (f *Factory) Client(ctx context.Context, issuer issuerapi.Issuer, region string, creds api.Credentials) (*alicert.Client, error) {
	opts, fingerprint, err := f.credentialOptions(ctx, issuer, creds)
	if err != nil {
		return nil, err
	}
	key := issuerKey(issuer)
	fingerprint = region + "\x00" + fingerprint
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[key]; ok && c.fingerprint == fingerprint {
		return c.client, nil
	}
	newClient := f.NewClient
	if newClient == nil {
		newClient = alicert.NewClient
	}
	if region != "" {
		opts = append(opts, alicert.WithRegion(region))
	}
	c, err := newClient(append(opts, f.Options...)...)
	if err != nil {
		return nil, fmt.Errorf("making the Alibaba Cloud client: %w", err)
	}
	if old, ok := f.clients[key]; ok {
		// Only idle connections close: calls still running on the old
		// client finish.
		_ = old.client.Close()
	}
	if f.clients == nil {
		f.clients = make(map[string]cachedClient)
	}
	f.clients[key] = cachedClient{fingerprint: fingerprint, client: c}
	return c, nil
}

// Forget drops the client of an issuer that no longer exists.
func (f *Factory) Forget(issuer issuerapi.Issuer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[issuerKey(issuer)]; ok {
		_ = c.client.Close()
		delete(f.clients, issuerKey(issuer))
	}
}

// issuerKey identifies an issuer across kinds: its type identifier, which
// differs between the namespaced and cluster-scoped kinds, and its name.
func issuerKey(issuer issuerapi.Issuer) string {
	return issuer.GetIssuerTypeIdentifier() + "/" + issuer.GetNamespace() + "/" + issuer.GetName()
}

// credentialOptions returns the credential option of creds, and a
// fingerprint that changes whenever the credentials do. The fingerprint
// is a hash, so that no secret is kept in the clear beside the client.
func (f *Factory) credentialOptions(ctx context.Context, issuer issuerapi.Issuer, creds api.Credentials) ([]alicert.Option, string, error) {
	clusterScoped := issuer.GetNamespace() == ""
	switch {
	case creds.SecretRef != nil && creds.Ambient:
		return nil, "", errors.New("spec.credentials: set either secretRef or ambient, not both")
	case creds.Ambient:
		if clusterScoped && !f.ClusterIssuerAmbientCredentials {
			return nil, "", fmt.Errorf("spec.credentials.ambient: %w for cluster issuers: the controller runs with --cluster-issuer-ambient-credentials=false", ErrAmbientNotAllowed)
		}
		if !clusterScoped && !f.IssuerAmbientCredentials {
			return nil, "", fmt.Errorf("spec.credentials.ambient: %w for namespaced issuers unless the controller runs with --issuer-ambient-credentials; use a cluster issuer, or a Secret (spec.credentials.secretRef)", ErrAmbientNotAllowed)
		}
		// No credentials option: alicert.NewClient uses credentials-go's
		// default chain, RRSA's OIDC token file included, which it asks
		// on every call so that refreshed tokens are used.
		return nil, "ambient", nil
	case creds.SecretRef != nil:
		return f.secretOptions(ctx, issuer, creds.SecretRef, clusterScoped)
	}
	return nil, "", errors.New("spec.credentials: set secretRef (a Secret with an AccessKey) or ambient: true")
}

func (f *Factory) secretOptions(ctx context.Context, issuer issuerapi.Issuer, ref *api.AccessKeySecretRef, clusterScoped bool) ([]alicert.Option, string, error) {
	ns := issuer.GetNamespace()
	if clusterScoped {
		ns = f.ClusterResourceNamespace
	}
	name := types.NamespacedName{Namespace: ns, Name: ref.Name}
	var secret corev1.Secret
	if err := f.Secrets.Get(ctx, name, &secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, "", fmt.Errorf("spec.credentials.secretRef: Secret %s not found", name)
		}
		return nil, "", fmt.Errorf("reading Secret %s: %w", name, err)
	}
	idKey := orDefault(ref.AccessKeyIDKey, api.DefaultAccessKeyIDKey)
	secretKey := orDefault(ref.AccessKeySecretKey, api.DefaultAccessKeySecretKey)
	tokenKey := orDefault(ref.SecurityTokenKey, api.DefaultSecurityTokenKey)
	id, key := secret.Data[idKey], secret.Data[secretKey]
	var missing []string
	if len(id) == 0 {
		missing = append(missing, fmt.Sprintf("%q (the AccessKey id)", idKey))
	}
	if len(key) == 0 {
		missing = append(missing, fmt.Sprintf("%q (the AccessKey secret)", secretKey))
	}
	if len(missing) > 0 {
		return nil, "", fmt.Errorf("the Secret %s has no key %s", name, joinAnd(missing))
	}
	h := sha256.New()
	for _, part := range [][]byte{id, key, secret.Data[tokenKey]} {
		h.Write(part)
		h.Write([]byte{0})
	}
	fingerprint := "secret\x00" + hex.EncodeToString(h.Sum(nil))
	if token, ok := secret.Data[tokenKey]; ok && len(token) > 0 {
		return []alicert.Option{alicert.WithSTSToken(string(id), string(key), string(token))}, fingerprint, nil
	}
	return []alicert.Option{alicert.WithAccessKey(string(id), string(key))}, fingerprint, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, it := range items[1 : len(items)-1] {
		out += ", " + it
	}
	return out + " or " + items[len(items)-1]
}
