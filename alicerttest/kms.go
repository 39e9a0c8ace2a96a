package alicerttest

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/alicert/alicert/internal/pemchain"
	"github.com/alicert/alicert/internal/wire"
)

// kmsAPI is KMS, API version 2016-01-20: the certificate operations and
// asymmetric keys.
func kmsAPI() api {
	return api{
		product: "kms",
		version: "2016-01-20",
		actions: map[string]handler{
			"CreateCertificate": (*Server).createCertificate,
			"UploadCertificate": (*Server).uploadCertificate,
			// Asymmetric keys, in kms_keys.go.
			"CreateKey":       (*Server).createKey,
			"GetPublicKey":    (*Server).getPublicKey,
			"AsymmetricSign":  (*Server).asymmetricSign,
			"ListKeyVersions": (*Server).listKeyVersions,
		},
	}
}

// defaultRegion is the region in KMS ARNs when the request names none.
const defaultRegion = "cn-hangzhou"

// maxKMSSANs is the most subject alternative names KMS accepts.
const maxKMSSANs = wire.MaxKMSSubjectAlternativeNames

// kmsCertificate is one certificate created in KMS.
type kmsCertificate struct {
	id        string
	csrPEM    string
	publicKey crypto.PublicKey
	certPEM   string // once uploaded
	chainPEM  string
}

type createCertificateResponse struct {
	CertificateID string `json:"CertificateId"`
	Arn           string `json:"Arn"`
	Csr           string `json:"Csr"`
	RequestID     string `json:"RequestId"`
}

// createCertificate generates a key, which stays in the fake KMS, and
// returns a CSR for the subject.
func (s *Server) createCertificate(c *call) (any, *apiError) {
	req, e := checkCreateCertificate(c)
	if e != nil {
		return nil, e
	}
	var key crypto.Signer
	var err error
	if req.keySpec == "RSA_2048" {
		key, err = s.rsa.get(2048)
	} else {
		key, err = newECKey() // EC_P256, and EC_SM2 approximated by P-256
	}
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalFailure", "generating the key: " + err.Error()}
	}
	csrPEM, err := newCSR(key, req.subject, req.sans)
	if err != nil {
		return nil, &apiError{http.StatusInternalServerError, "InternalFailure", "creating the CSR: " + err.Error()}
	}
	cert := &kmsCertificate{id: uuid(), csrPEM: csrPEM, publicKey: key.Public()}
	s.mu.Lock()
	s.kmsCerts[cert.id] = cert
	s.mu.Unlock()
	region := c.get("RegionId")
	if region == "" {
		region = defaultRegion
	}
	return createCertificateResponse{
		CertificateID: cert.id,
		Arn:           "acs:kms:" + region + ":" + s.account + ":certificate/" + cert.id,
		Csr:           csrPEM,
		RequestID:     c.requestID,
	}, nil
}

// certificateRequest is a checked CreateCertificate request.
type certificateRequest struct {
	keySpec string
	subject pkix.Name
	sans    []string
}

// checkCreateCertificate validates CreateCertificate's parameters as its
// reference describes them.
func checkCreateCertificate(c *call) (certificateRequest, *apiError) {
	var req certificateRequest
	switch req.keySpec = c.get("KeySpec"); req.keySpec {
	case "":
		return req, missing("KeySpec")
	case "RSA_2048", "EC_P256", "EC_SM2":
	default:
		return req, invalid("KeySpec", fmt.Sprintf("%q is not RSA_2048, EC_P256 or EC_SM2", req.keySpec))
	}
	dn := c.get("Subject")
	if dn == "" {
		return req, missing("Subject")
	}
	subject, err := kmsSubject(dn)
	if err != nil {
		return req, invalid("Subject", err.Error())
	}
	req.subject = subject
	if raw := c.get("SubjectAlternativeNames"); raw != "" {
		sans, err := parseKMSSANs(raw)
		if err != nil {
			return req, invalid("SubjectAlternativeNames", err.Error())
		}
		req.sans = sans
		if len(req.sans) > maxKMSSANs {
			return req, invalid("SubjectAlternativeNames", fmt.Sprintf("%d names; at most %d are allowed", len(req.sans), maxKMSSANs))
		}
		for _, san := range req.sans {
			if strings.TrimSpace(san) == "" {
				return req, invalid("SubjectAlternativeNames", "a name is empty")
			}
		}
	}
	// The fake keeps every key; it checks the flag's form only.
	switch v := c.get("ExportablePrivateKey"); v {
	case "", "true", "false":
	default:
		return req, invalid("ExportablePrivateKey", fmt.Sprintf("%q is not true or false", v))
	}
	return req, nil
}

type uploadCertificateResponse struct {
	RequestID string `json:"RequestId"`
}

// uploadCertificate imports the certificate a CA issued for the CSR of a
// KMS certificate. It must be for that CSR's key.
func (s *Server) uploadCertificate(c *call) (any, *apiError) {
	id := c.get("CertificateId")
	if id == "" {
		return nil, missing("CertificateId")
	}
	certPEM := c.get("Certificate")
	if certPEM == "" {
		return nil, missing("Certificate")
	}
	s.mu.Lock()
	kc := s.kmsCerts[id]
	s.mu.Unlock()
	if kc == nil {
		return nil, &apiError{http.StatusNotFound, "Forbidden.ResourceNotFound",
			fmt.Sprintf("The certificate %q is not found.", id)}
	}
	certs, err := parseCertificates(certPEM)
	switch {
	case err != nil:
		return nil, invalid("Certificate", err.Error())
	case len(certs) != 1:
		return nil, invalid("Certificate", fmt.Sprintf("holds %d certificates; upload the one certificate here and its issuers in CertificateChain", len(certs)))
	}
	if k, ok := certs[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(kc.publicKey) {
		return nil, invalid("Certificate", "the certificate's public key does not match the key of certificate "+id+
			"; upload the certificate the CA issued for this certificate's CSR")
	}
	chainPEM := c.get("CertificateChain")
	if chainPEM != "" {
		if _, err := parseCertificates(chainPEM); err != nil {
			return nil, invalid("CertificateChain", err.Error())
		}
	}
	s.mu.Lock()
	kc.certPEM, kc.chainPEM = certPEM, chainPEM
	s.mu.Unlock()
	return uploadCertificateResponse{RequestID: c.requestID}, nil
}

// parseCertificates parses PEM holding only CERTIFICATE blocks, the
// fake's one reading of an uploaded chain. Its messages are the fake's own
// wording (the service's are not documented) and never quote the value.
func parseCertificates(s string) ([]*x509.Certificate, error) {
	certs, err := pemchain.Certificates([]byte(s))
	var typeErr *pemchain.TypeError
	var parseErr *pemchain.ParseError
	var blocksErr *pemchain.Error
	switch {
	case err == nil:
		return certs, nil
	case errors.As(err, &typeErr) && typeErr.PrivateKey():
		return nil, errors.New("the value holds a private key; upload certificates only")
	case errors.As(err, &typeErr):
		return nil, fmt.Errorf("the value holds a %s PEM block; upload certificates only", typeErr.Type)
	case errors.As(err, &parseErr):
		return nil, fmt.Errorf("a certificate does not parse: %v", parseErr.Err)
	case errors.As(err, &blocksErr) && blocksErr.Problem == pemchain.StrayText && blocksErr.Found > 0:
		return nil, errors.New("the value has text after its last PEM block")
	default:
		return nil, errors.New("the value is not a PEM certificate")
	}
}

// UploadedCertificate returns what UploadCertificate last imported for the
// KMS certificate id: the certificate and chain PEM. ok is false when
// nothing was uploaded for it.
func (s *Server) UploadedCertificate(id string) (certPEM, chainPEM string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kc := s.kmsCerts[id]
	if kc == nil || kc.certPEM == "" {
		return "", "", false
	}
	return kc.certPEM, kc.chainPEM, true
}

// parseKMSSANs reads SubjectAlternativeNames in either form the service
// accepts: a JSON array of names (the documented form), or a JSON object
// whose values are names or arrays of names (what the official SDKs, whose
// model types the field as a map, send).
func parseKMSSANs(raw string) ([]string, error) {
	var list []string
	if json.Unmarshal([]byte(raw), &list) == nil {
		return list, nil
	}
	var object map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &object) != nil {
		return nil, errors.New("the value is not a JSON array of names, nor an object of them")
	}
	keys := slices.Sorted(maps.Keys(object))
	for _, k := range keys {
		var one string
		if json.Unmarshal(object[k], &one) == nil {
			list = append(list, one)
			continue
		}
		var many []string
		if json.Unmarshal(object[k], &many) != nil {
			return nil, fmt.Errorf("the value of %q is not a name or an array of names", k)
		}
		list = append(list, many...)
	}
	return list, nil
}
