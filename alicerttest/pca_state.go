package alicerttest

import (
	"crypto"
	"errors"
	"fmt"
	"time"
)

// The Private CA's part of a state document (see state.go): its CAs with
// their keys, the certificates they issued, revocations, quotas and the
// counter of certificate ids. A version 1 document, written before the
// fake had a Private CA, has none.

type statePCA struct {
	CAs          []statePCACA   `json:"cas"`
	Certificates []statePCACert `json:"certificates"`
	LastCertID   int64          `json:"lastCertId"`
	// SeededRoot and SeededSubCA are the CAs WithPrivateCA made.
	SeededRoot  string `json:"seededRoot,omitempty"`
	SeededSubCA string `json:"seededSubCA,omitempty"`
}

type statePCACA struct {
	Identifier    string   `json:"identifier"`
	Parent        string   `json:"parent,omitempty"`
	Algorithm     string   `json:"algorithm"`
	Years         int      `json:"years"`
	Cert          string   `json:"cert"`
	Key           string   `json:"key"` // PKCS #8 PEM
	CertMaxTime   int64    `json:"certMaxTime,omitempty"`
	CrlDay        int64    `json:"crlDay,omitempty"`
	EnableCrl     bool     `json:"enableCrl,omitempty"`
	ResourceGroup string   `json:"resourceGroup,omitempty"`
	Tags          []tagDoc `json:"tags,omitempty"`
	Status        string   `json:"status"`
	Total         int64    `json:"total"`
	Issued        int64    `json:"issued"`
}

type statePCACert struct {
	ID               int64     `json:"id"`
	Identifier       string    `json:"identifier"`
	Parent           string    `json:"parent"`
	CustomIdentifier string    `json:"customIdentifier,omitempty"`
	Type             string    `json:"type"`
	Algorithm        string    `json:"algorithm"`
	Cert             string    `json:"cert"`
	ResourceGroup    string    `json:"resourceGroup,omitempty"`
	Tags             []tagDoc  `json:"tags,omitempty"`
	Status           string    `json:"status"`
	Revoked          time.Time `json:"revoked,omitzero"`
}

// snapshotPCA writes the Private CA into doc, leaving it out when it is
// empty.
func (s *Server) snapshotPCA(doc *stateDoc) error {
	p := s.pca
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.caOrder) == 0 && len(p.order) == 0 {
		return nil
	}
	sp := &statePCA{LastCertID: p.lastID, SeededRoot: p.seededRoot, SeededSubCA: p.seededSub}
	for _, ca := range p.caOrder {
		key, err := privateKeyPEM(ca.key)
		if err != nil {
			return err
		}
		sp.CAs = append(sp.CAs, statePCACA{
			Identifier: ca.identifier, Parent: ca.parent, Algorithm: ca.algorithm, Years: ca.years,
			Cert: ca.certPEM, Key: key, CertMaxTime: ca.certMaxTime, CrlDay: ca.crlDay, EnableCrl: ca.enableCrl,
			ResourceGroup: ca.resourceGroup, Tags: ca.tags, Status: ca.status, Total: ca.total, Issued: ca.issued,
		})
	}
	for _, leaf := range p.order {
		sp.Certificates = append(sp.Certificates, statePCACert{
			ID: leaf.id, Identifier: leaf.identifier, Parent: leaf.parent, CustomIdentifier: leaf.custom,
			Type: leaf.kind, Algorithm: leaf.family, Cert: leaf.certPEM, ResourceGroup: leaf.resourceGroup,
			Tags: leaf.tags, Status: leaf.status, Revoked: leaf.revoked,
		})
	}
	doc.PCA = sp
	return nil
}

// checkStatePCA checks the Private CA of a document: every CA's
// certificate is a CA certificate for its key, of a documented algorithm,
// under a root of the document; every issued certificate parses, under a
// sub-CA of the document; identifiers and custom identifiers are unique.
func checkStatePCA(sp *statePCA) error {
	if sp == nil {
		return nil
	}
	cas := make(map[string]statePCACA, len(sp.CAs))
	for i, ca := range sp.CAs {
		at := fmt.Sprintf("alicerttest: state: pca.cas[%d]", i)
		cert, err := firstCertificate(ca.Cert)
		if err != nil || !cert.IsCA {
			return errors.New(at + ".cert is not a CA certificate")
		}
		key, err := parsePrivateKeyPEM(ca.Key)
		if err != nil {
			return errors.New(at + ".key is not a PKCS #8 private key")
		}
		if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
			return errors.New(at + ".key is not the key of its cert")
		}
		if _, ok := pcaAlgorithms[ca.Algorithm]; !ok {
			return errors.New(at + ".algorithm is not a documented key algorithm")
		}
		if _, dup := cas[ca.Identifier]; dup || ca.Identifier == "" {
			return errors.New(at + ".identifier is empty or repeated")
		}
		if parent, ok := cas[ca.Parent]; ca.Parent != "" && (!ok || parent.Parent != "") {
			return errors.New(at + ".parent is not a root CA listed before it")
		}
		cas[ca.Identifier] = ca
	}
	seen, custom := map[string]bool{}, map[string]bool{}
	for i, c := range sp.Certificates {
		at := fmt.Sprintf("alicerttest: state: pca.certificates[%d]", i)
		if _, err := firstCertificate(c.Cert); err != nil {
			return errors.New(at + ".cert is not a certificate")
		}
		if parent, ok := cas[c.Parent]; !ok || parent.Parent == "" {
			return errors.New(at + ".parent is not a sub-CA of the document")
		}
		if seen[c.Identifier] || c.Identifier == "" || (c.CustomIdentifier != "" && custom[c.CustomIdentifier]) {
			return errors.New(at + ": its identifier or customIdentifier is empty or repeated")
		}
		seen[c.Identifier], custom[c.CustomIdentifier] = true, c.CustomIdentifier != ""
	}
	return nil
}

// restorePCA loads the Private CA of a parsed document.
func (s *Server) restorePCA(sp *statePCA) {
	if sp == nil {
		return
	}
	p := s.pca
	p.lastID = max(p.lastID, sp.LastCertID)
	p.seededRoot, p.seededSub = sp.SeededRoot, sp.SeededSubCA
	for _, sc := range sp.CAs {
		ca := &pcaCA{
			identifier: sc.Identifier, parent: sc.Parent, algorithm: sc.Algorithm, years: sc.Years,
			certPEM: sc.Cert, certMaxTime: sc.CertMaxTime, crlDay: sc.CrlDay, enableCrl: sc.EnableCrl,
			resourceGroup: sc.ResourceGroup, tags: sc.Tags, status: sc.Status, total: sc.Total, issued: sc.Issued,
		}
		ca.cert, _ = firstCertificate(sc.Cert) // checked by ParseState
		ca.key, _ = parsePrivateKeyPEM(sc.Key) // checked by ParseState
		ca.chainPEM = ca.certPEM
		if root := p.cas[sc.Parent]; root != nil { // listed before it: checked by ParseState
			ca.chainPEM += root.chainPEM
		}
		p.cas[ca.identifier] = ca
		p.caOrder = append(p.caOrder, ca)
	}
	for _, sc := range sp.Certificates {
		leaf := &pcaCert{
			id: sc.ID, identifier: sc.Identifier, parent: sc.Parent, custom: sc.CustomIdentifier, kind: sc.Type,
			family: sc.Algorithm, certPEM: sc.Cert, resourceGroup: sc.ResourceGroup, tags: sc.Tags,
			status: sc.Status, revoked: sc.Revoked,
		}
		leaf.cert, _ = firstCertificate(sc.Cert) // checked by ParseState
		p.certs[leaf.identifier] = leaf
		p.order = append(p.order, leaf)
		if leaf.custom != "" {
			p.byCustom[leaf.custom] = leaf.identifier
		}
	}
}
