package signer

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cert-manager/cert-manager/pkg/util/pki"
	issuerapi "github.com/cert-manager/issuer-lib/api/v1alpha1"
	"github.com/cert-manager/issuer-lib/controllers/signer"
	"k8s.io/apimachinery/pkg/types"

	"github.com/alicert/alicert"

	api "github.com/alicert/alicert/issuer/api/v1alpha1"
	"github.com/alicert/alicert/issuer/internal/aliclient"
)

// PCA signs CertificateRequests for PCAIssuers and PCAClusterIssuers,
// synchronously: one SignCSR call (CreateCustomCertificate) per request,
// for the request's duration, with the CSR's names and the request's key
// usages. The certificate is returned as cert-manager expects: the leaf
// and its intermediates as the certificate (tls.crt), the root as the CA
// (ca.crt).
//
// Each certificate is created with the request's UID as its
// CustomIdentifier. When a create's outcome is unknown, or the service
// refuses it (a certificate with that identifier exists), the
// certificate is looked for by that identifier (ListClientCertificate)
// before anything is signed again.
type PCA struct {
	// Clients makes the issuers' Alibaba Cloud clients.
	Clients *aliclient.Factory

	// unknown holds the UIDs of requests whose last create had an unknown
	// outcome.
	unknown sync.Map
}

// PCASpec returns the spec of a PCAIssuer or PCAClusterIssuer.
func PCASpec(issuer issuerapi.Issuer) (*api.PCAIssuerSpec, bool) {
	switch i := issuer.(type) {
	case *api.PCAIssuer:
		return &i.Spec, true
	case *api.PCAClusterIssuer:
		return &i.Spec, true
	}
	return nil, false
}

// Sign signs cr with the issuer's sub-CA.
func (s *PCA) Sign(ctx context.Context, cr signer.CertificateRequestObject, issuer issuerapi.Issuer) (signer.PEMBundle, error) {
	spec, ok := PCASpec(issuer)
	if !ok {
		return signer.PEMBundle{}, fmt.Errorf("PCA signer given a %T", issuer)
	}
	details, err := cr.GetCertificateDetails()
	if err != nil {
		return signer.PEMBundle{}, permanent(err)
	}
	if details.IsCA {
		// CreateCustomCertificate's model offers key usages, extended key
		// usages and names, but no basic constraints: the service signs
		// end-entity certificates only.
		return signer.PEMBundle{}, permanent(errors.New("the request asks for a CA certificate (isCA); " +
			"a Private CA issuer signs end-entity certificates only (make sub-CAs in the Private CA console)"))
	}
	c, err := s.Clients.Client(ctx, issuer, spec.Region, spec.Credentials)
	if err != nil {
		return signer.PEMBundle{}, issuerProblem(err)
	}
	age := time.Since(cr.GetCreationTimestamp().Time)
	uid := cr.GetUID()
	if _, ok := s.unknown.Load(uid); ok {
		bundle, found, err := s.lookup(ctx, c, spec, uid, details.CSR)
		switch {
		case err != nil:
			return signer.PEMBundle{}, pcaFailure(err, age, "looking for the certificate of a create whose outcome was unknown")
		case found:
			s.unknown.Delete(uid)
			return bundle, nil
		}
		s.unknown.Delete(uid)
	}
	subject, err := templateSubject(details.CSR, spec.Template)
	if err != nil {
		return signer.PEMBundle{}, permanent(err)
	}
	out, err := c.PCA.SignCSR(ctx, &alicert.SignCSRInput{
		CAIdentifier:     spec.CAIdentifier,
		CSR:              string(details.CSR),
		Subject:          subject,
		Duration:         details.Duration,
		KeyUsage:         details.KeyUsage,
		ExtKeyUsages:     details.ExtKeyUsage,
		CustomIdentifier: string(uid),
	})
	switch {
	case err == nil:
		return signer.PEMBundle{ChainPEM: []byte(out.FullChainPEM()), CAPEM: []byte(out.CAPEM)}, nil
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		s.unknown.Store(uid, true)
		return signer.PEMBundle{}, pending(fmt.Errorf("the certificate may have been signed: %w; looking for it before signing again", err), time.Second)
	case errors.As(err, new(*alicert.ValidationError)):
		return signer.PEMBundle{}, permanent(fmt.Errorf("the request cannot be signed: %w; nothing was sent", err))
	case errors.As(err, new(*alicert.IssuedCertificateError)):
		// The sub-CA signed something else than was asked: signing again
		// would spend quota on the same answer.
		return signer.PEMBundle{}, permanent(err)
	case classify(err) == refused:
		// A refusal may be the service's answer to a second create with
		// the same CustomIdentifier, after a create of unknown outcome that
		// a restart forgot: the certificate then exists.
		bundle, found, lerr := s.lookup(ctx, c, spec, uid, details.CSR)
		if lerr == nil && found {
			return bundle, nil
		}
	}
	return signer.PEMBundle{}, pcaFailure(err, age, "signing with sub-CA %s", spec.CAIdentifier)
}

// templateSubject is the subject a certificate gets under the issuer's
// template: the CSR's common name, and each organization field from the
// CSR when it has one, else from the template. Nil without a template:
// the CSR's subject is signed as it is. With a template, the subject holds
// only these fields (the model's ApiPassthrough.Subject), and the first
// value of each.
func templateSubject(csrPEM []byte, tmpl *api.CertificateTemplate) (*alicert.CustomCertificateSubject, error) {
	if tmpl == nil || tmpl.Subject == nil {
		return nil, nil
	}
	csr, err := alicert.ParseCSR(string(csrPEM))
	if err != nil {
		return nil, fmt.Errorf("the CSR does not parse: %w", err)
	}
	first := func(csrValues []string, fallback string) string {
		if len(csrValues) > 0 && csrValues[0] != "" {
			return csrValues[0]
		}
		return fallback
	}
	t, n := tmpl.Subject, csr.Subject
	return &alicert.CustomCertificateSubject{
		CommonName:       n.CommonName,
		Organization:     first(n.Organization, t.Organization),
		OrganizationUnit: first(n.OrganizationalUnit, t.OrganizationalUnit),
		Country:          first(n.Country, t.Country),
		State:            first(n.Province, t.State),
		Locality:         first(n.Locality, t.Locality),
	}, nil
}

// lookup finds the certificate created for the request with UID uid, by
// its CustomIdentifier (ListClientCertificate has no filter for it: every
// page is read, by the library's iterator, which ends a listing that does
// not page as asked), and returns it split as Sign does.
func (s *PCA) lookup(ctx context.Context, c *alicert.Client, spec *api.PCAIssuerSpec, uid types.UID, csrPEM []byte) (signer.PEMBundle, bool, error) {
	for e, err := range c.PCA.AllClientCertificates(ctx, nil) {
		if err != nil {
			return signer.PEMBundle{}, false, err
		}
		if e.CustomIdentifier != string(uid) || e.ParentIdentifier != spec.CAIdentifier {
			continue
		}
		got, err := c.PCA.DescribeClientCertificate(ctx, &alicert.DescribeClientCertificateInput{Identifier: e.Identifier})
		if err != nil {
			return signer.PEMBundle{}, false, err
		}
		bundle, err := pcaBundle(got.Certificate.X509Certificate+"\n"+got.Certificate.CertChain, csrPEM)
		if err != nil {
			return signer.PEMBundle{}, false, permanent(fmt.Errorf("certificate %s, signed for this request: %w", e.Identifier, err))
		}
		return bundle, true, nil
	}
	return signer.PEMBundle{}, false, nil
}

// pcaBundle splits a certificate and its chain as cert-manager does, after
// checking that the certificate holds the CSR's key.
func pcaBundle(chainPEM string, csrPEM []byte) (signer.PEMBundle, error) {
	certs, err := alicert.ParseCertificates(chainPEM)
	if err != nil {
		return signer.PEMBundle{}, err
	}
	csr, err := alicert.ParseCSR(string(csrPEM))
	if err != nil {
		return signer.PEMBundle{}, err
	}
	if pub, ok := certs[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(csr.PublicKey) {
		return signer.PEMBundle{}, errors.New("it does not hold the public key of the request's CSR")
	}
	bundle, err := pki.ParseSingleCertificateChain(certs)
	if err != nil {
		return signer.PEMBundle{}, err
	}
	return signer.PEMBundle(bundle), nil
}

// pcaFailure turns an error of the PCA path into what issuer-lib makes
// of it, as dvOrder.failure does.
func pcaFailure(err error, age time.Duration, format string, args ...any) error {
	err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
	if errors.As(err, new(signer.PermanentError)) {
		return err
	}
	switch classify(err) {
	case credentials:
		return issuerProblem(err)
	case refused:
		return permanent(err)
	}
	return pending(err, retryBackoff(age))
}
