package alicert

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
)

// UploadObtainedInput is the input of UploadObtained.
type UploadObtainedInput struct {
	// Name names the upload: up to 63 letters, digits and underscores,
	// unique in the account (see UploadUserCertificateInput.Name).
	Name string
	// Obtained is what Obtain returned.
	Obtained *ObtainOutput
	// Key is the key the order was placed with (ObtainInput.Key), when it
	// was the caller's: an ECDSA or RSA private key, uploaded as PKCS #8.
	// A key that cannot leave where it is (a KMSSigner) cannot be uploaded,
	// and neither can its certificate be deployed. Nil uploads
	// Obtained.PrivateKey, the key the service made. Formatting an
	// UploadObtainedInput shows only the key's type.
	Key crypto.Signer `redact:"secret"`
}

// UploadObtained uploads a certificate Obtain returned, with its private
// key, and returns the upload's output, whose CertID is the id DeployInput
// takes. A certificate ordered with a key of the caller's own
// (ObtainInput.Key) needs it before Deploy: the service never had that
// key, so the certificate it knows by ObtainOutput.CertID has none to
// install on a resource.
//
// It is one UploadUserCertificate call, with its checks (the key must be
// the certificate's) and its rules: a create, never repeated when its
// outcome is unknown (ErrOutcomeUnknown); look Name up with
// FindUploadedCertificate before trying again.
func (s *CASService) UploadObtained(ctx context.Context, in *UploadObtainedInput) (*UploadUserCertificateOutput, error) {
	up, problems := in.uploadInput()
	if len(problems) > 0 {
		return nil, &ValidationError{Operation: "UploadObtained", Fields: problems}
	}
	return s.UploadUserCertificate(ctx, up)
}

// uploadInput is the UploadUserCertificate input of in, or the problems
// that keep it from being one.
func (in *UploadObtainedInput) uploadInput() (*UploadUserCertificateInput, problems) {
	var p problems
	if in == nil || in.Obtained == nil {
		p.add("Obtained", "is required: the output of Obtain")
		return nil, p
	}
	keyPEM := in.Obtained.PrivateKey
	if in.Key != nil {
		der, err := x509.MarshalPKCS8PrivateKey(in.Key)
		if err != nil {
			p.add("Key", "cannot be exported (a key that never leaves KMS, or of an unknown kind): "+
				"a certificate of it cannot be uploaded, nor deployed")
			return nil, p
		}
		keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	}
	if keyPEM == "" {
		p.add("Key", "is required when Obtained has no PrivateKey: the key the order was placed with (ObtainInput.Key)")
		return nil, p
	}
	return &UploadUserCertificateInput{Name: in.Name, Cert: in.Obtained.Certificate, Key: keyPEM}, nil
}
