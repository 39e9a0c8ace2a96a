package signer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	issuerapi "github.com/cert-manager/issuer-lib/api/v1alpha1"
	"github.com/cert-manager/issuer-lib/controllers/signer"

	"github.com/alicert/alicert"
)

// Check proves that a CASIssuer can order: its spec is one the service
// takes, its credentials work, and its quota is above the minimum it
// keeps, all with one read (DescribePackageState). A spec the service
// would refuse fails the issuer until the spec changes; anything else
// (a key disabled, a Secret missing, the quota low, the network down)
// leaves it not Ready, checked again with backoff and on the controller's
// timer.
func (s *CAS) Check(ctx context.Context, issuer issuerapi.Issuer) error {
	spec, ok := CASSpec(issuer)
	if !ok {
		return fmt.Errorf("CAS check given a %T", issuer)
	}
	in := &alicert.ObtainInput{
		Domain: "example.com", ProductCode: spec.ProductCode,
		Username: spec.Contact.Name, Phone: spec.Contact.Phone, Email: spec.Contact.Email,
		ValidateType: alicert.ValidateDNS, DNS: noDNS{},
	}
	var invalid *alicert.ValidationError
	if err := in.Validate(); errors.As(err, &invalid) {
		var spec []string
		for _, f := range invalid.Fields {
			if field, ok := casSpecFields[f.Field]; ok {
				spec = append(spec, field+": "+f.Problem)
			}
		}
		if len(spec) > 0 {
			return signer.PermanentError{Err: fmt.Errorf("the spec cannot be ordered with: %s", strings.Join(spec, "; "))}
		}
	}
	c, err := s.Clients.Client(ctx, issuer, spec.Region, spec.Credentials)
	if err != nil {
		return err
	}
	return checkResult(checkQuota(ctx, c, spec))
}

// casSpecFields maps the ObtainInput fields the spec fills to the spec's
// own names.
var casSpecFields = map[string]string{
	"ProductCode": "spec.productCode",
	"Username":    "spec.contact.name",
	"Phone":       "spec.contact.phone",
	"Email":       "spec.contact.email",
}

// Check proves that a PCAIssuer can sign: its credentials work and its
// sub-CA is issued (DescribeCACertificate reports status ISSUE), with one
// read.
func (s *PCA) Check(ctx context.Context, issuer issuerapi.Issuer) error {
	spec, ok := PCASpec(issuer)
	if !ok {
		return fmt.Errorf("PCA check given a %T", issuer)
	}
	c, err := s.Clients.Client(ctx, issuer, spec.Region, spec.Credentials)
	if err != nil {
		return err
	}
	out, err := c.PCA.DescribeCACertificate(ctx, &alicert.DescribeCACertificateInput{Identifier: spec.CAIdentifier})
	if err != nil {
		return checkResult(fmt.Errorf("reading sub-CA %s: %w", spec.CAIdentifier, err))
	}
	if out.Certificate.Status != "ISSUE" {
		return fmt.Errorf("sub-CA %s has status %s; it signs only with status ISSUE", spec.CAIdentifier, out.Certificate.Status)
	}
	return nil
}

// checkResult is the error a check returns for err: a spec the client
// refused before sending fails the issuer until the spec changes; every
// other failure is retried.
func checkResult(err error) error {
	if err == nil {
		return nil
	}
	var issuerErr signer.IssuerError
	if errors.As(err, &issuerErr) {
		err = issuerErr.Err
	}
	if errors.As(err, new(*alicert.ValidationError)) {
		return signer.PermanentError{Err: err}
	}
	return err
}
