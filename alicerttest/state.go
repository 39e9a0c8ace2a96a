package alicerttest

import (
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// StateVersion is the version of the document Snapshot writes. ParseState
// reads it and version 1, the same document before the fake had a Private
// CA; a document of another version is refused.
const StateVersion = 2

// oldestStateVersion is the oldest version ParseState reads.
const oldestStateVersion = 1

// State is a fake's state read back by ParseState, for WithState.
type State struct {
	doc stateDoc
	ca  *testCA
}

// Snapshot returns the server's state as a JSON document (StateVersion),
// so that a new server can carry on from it (ParseState, WithState): the
// AccessKey pairs it accepts, its test CA, account id and start time,
// orders, CSRs, certificates (uploaded, seeded and issued), KMS keys and
// certificates, cloud resources, contacts, deployment jobs, DNS zones and
// records, revocations and quota, the Private CA's CAs (with their keys),
// issued certificates, revocations and quotas, and the counters the next
// ids come from.
// Ids are JSON numbers that fit an int64 exactly.
//
// The document holds secrets: the AccessKey secrets, the test CA's key, the
// private keys of orders, CSRs and uploads, the KMS keys and the Private
// CA's keys. Keep it as a
// private key is kept (a file of mode 0600). It does not hold what the
// options set (WithDNSCheck, WithImmediateIssue, the clock...), the
// request log and queued faults, nor the signature nonces seen: a request
// replayed after a restart, within the 15 minutes its timestamp allows, is
// accepted again.
func (s *Server) Snapshot() ([]byte, error) {
	doc := stateDoc{Version: StateVersion, Account: s.account, Started: s.started, AccessKeyID: s.id}
	caKey, err := x509.MarshalPKCS8PrivateKey(s.ca.key)
	if err != nil {
		return nil, err
	}
	doc.CA = stateCA{Cert: s.ca.certPEM, Key: pemString("PRIVATE KEY", caKey)}
	if err := s.snapshotServer(&doc); err != nil {
		return nil, err
	}
	s.snapshotDNS(&doc)
	if err := s.snapshotKMSKeys(&doc); err != nil {
		return nil, err
	}
	s.snapshotDeploy(&doc)
	s.snapshotLifecycle(&doc)
	if err := s.snapshotPCA(&doc); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// ParseState reads a document from Snapshot, checking its version, its
// test CA and every key and certificate it holds. Its errors name the
// field at fault and never quote a secret.
func ParseState(data []byte) (*State, error) {
	var doc stateDoc
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("alicerttest: state: %v", err)
	}
	if doc.Version < oldestStateVersion || doc.Version > StateVersion {
		return nil, fmt.Errorf("alicerttest: state: version %d, want %d to %d", doc.Version, oldestStateVersion, StateVersion)
	}
	ca, err := parseStateCA(doc.CA)
	if err != nil {
		return nil, err
	}
	if _, ok := doc.Credentials[doc.AccessKeyID]; !ok || doc.AccessKeyID == "" {
		return nil, errors.New("alicerttest: state: accessKeyId is not among the credentials")
	}
	if err := checkStateKeys(&doc); err != nil {
		return nil, err
	}
	if err := checkStatePCA(doc.PCA); err != nil {
		return nil, err
	}
	return &State{doc: doc, ca: ca}, nil
}

// String describes the state without its secrets: a State holds private
// keys, and %v of a struct would print them.
func (st State) String() string {
	return fmt.Sprintf("alicerttest.State{Version: %d, Orders: %d, Certificates: %d, KMSKeys: %d}",
		st.doc.Version, len(st.doc.Orders), len(st.doc.Certificates), len(st.doc.KMSKeys))
}

// GoString is String, so that %#v shows no secret either.
func (st State) GoString() string { return st.String() }

// Format writes String whatever the verb.
func (st State) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, st.String()) }

// MarshalJSON writes String as a JSON string: the document itself comes
// from Snapshot, never from marshalling a State.
func (st State) MarshalJSON() ([]byte, error) { return json.Marshal(st.String()) }

// LogValue is String, for log/slog.
func (st State) LogValue() slog.Value { return slog.StringValue(st.String()) }

// WithState makes the server carry on from st (see Snapshot and
// ParseState) instead of starting empty: its AccessKey pair, test CA and
// everything else. Options that seed (WithCloudResource, WithContact,
// WithCertificates, WithDNSZones) add to it, but WithPrivateCA seeds only
// when st does not hold the CAs it seeded before; the others apply as
// usual.
func WithState(st *State) Option {
	return func(c *config) { c.state = st }
}

// stateDoc is the JSON document.
type stateDoc struct {
	Version     int                        `json:"version"`
	Account     string                     `json:"account"`
	Started     time.Time                  `json:"started"`
	AccessKeyID string                     `json:"accessKeyId"`
	Credentials map[string]stateCredential `json:"credentials"`
	CA          stateCA                    `json:"ca"`

	Orders      []stateOrder   `json:"orders"`
	LastOrderID int64          `json:"lastOrderId"`
	CSRs        []stateCSR     `json:"csrs"`
	LastCsrID   int64          `json:"lastCsrId"`
	KMSCerts    []stateKMSCert `json:"kmsCertificates"`
	KMSKeys     []stateKMSKey  `json:"kmsKeys"`

	DNSZones     []string    `json:"dnsZones"`
	DNSRecords   []DNSRecord `json:"dnsRecords"`
	LastRecordID int64       `json:"lastRecordId"`

	Resources    []CloudResource `json:"resources"`
	Contacts     []fakeContact   `json:"contacts"`
	Jobs         []stateJob      `json:"jobs"`
	LastJobID    int64           `json:"lastJobId"`
	LastWorkerID int64           `json:"lastWorkerId"`

	Certificates []stateUserCert     `json:"certificates"`
	LastCertID   int64               `json:"lastCertId"`
	Revoked      map[int64]time.Time `json:"revoked"`
	Quota        map[string]int64    `json:"quota"`

	// PCA is the Private CA (see pca_state.go); nil when it is empty.
	PCA *statePCA `json:"pca,omitempty"`
}

type stateCredential struct {
	Secret string `json:"secret"`
	Token  string `json:"token,omitempty"`
}

type stateCA struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

type stateOrder struct {
	ID           int64     `json:"id"`
	CertID       int64     `json:"certId"`
	Domain       string    `json:"domain"`
	ValidateType string    `json:"validateType"`
	ProductCode  string    `json:"productCode"`
	Created      time.Time `json:"created"`
	Token        string    `json:"token"`
	State        string    `json:"state"`
	Reads        int       `json:"reads"`
	CSR          string    `json:"csr,omitempty"`
	CertDeleted  bool      `json:"certDeleted,omitempty"`
	Expiring     bool      `json:"expiring,omitempty"`
	ChainPEM     string    `json:"chain,omitempty"`
	KeyPEM       string    `json:"key,omitempty"`
}

type stateCSR struct {
	ID     int64  `json:"id"`
	CSRPEM string `json:"csr"`
	KeyPEM string `json:"key"`
}

type stateKMSCert struct {
	ID       string `json:"id"`
	CSRPEM   string `json:"csr"`
	CertPEM  string `json:"cert,omitempty"`
	ChainPEM string `json:"chain,omitempty"`
}

type stateKMSKey struct {
	ID          string            `json:"id"`
	Spec        string            `json:"spec"`
	Usage       string            `json:"usage"`
	Description string            `json:"description"`
	Protection  string            `json:"protection"`
	Instance    string            `json:"instance"`
	ARN         string            `json:"arn"`
	Created     time.Time         `json:"created"`
	Rotation    time.Duration     `json:"rotation"`
	Versions    []stateKMSVersion `json:"versions"`
}

type stateKMSVersion struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Key     string    `json:"key,omitempty"` // PKCS #8 PEM; none for a symmetric key
}

type stateJob struct {
	ID         int64         `json:"id"`
	Name       string        `json:"name"`
	JobType    string        `json:"jobType"`
	CertID     int64         `json:"certId"`
	ContactIDs []int64       `json:"contactIds"`
	Schedule   int64         `json:"schedule"`
	Status     string        `json:"status"`
	Created    time.Time     `json:"created"`
	Modified   time.Time     `json:"modified"`
	Started    time.Time     `json:"started"`
	Ended      time.Time     `json:"ended"`
	Deleted    bool          `json:"deleted,omitempty"`
	Rollback   bool          `json:"rollback,omitempty"`
	Workers    []stateWorker `json:"workers"`
}

type stateWorker struct {
	ID         int64  `json:"id"`
	ResourceID int64  `json:"resourceId"`
	OldCertID  int64  `json:"oldCertId"`
	OldName    string `json:"oldName"`
	Status     string `json:"status"`
}

type stateUserCert struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Domain        string    `json:"domain"`
	Upload        bool      `json:"upload,omitempty"`
	ResourceGroup string    `json:"resourceGroup,omitempty"`
	InstanceID    string    `json:"instanceId"`
	NotBefore     time.Time `json:"notBefore"`
	NotAfter      time.Time `json:"notAfter"`
	ChainPEM      string    `json:"chain,omitempty"`
	KeyPEM        string    `json:"key,omitempty"`
	Tags          []tagDoc  `json:"tags,omitempty"`
	SM            bool      `json:"sm,omitempty"`
	SignCert      string    `json:"signCert,omitempty"`
	SignKey       string    `json:"signKey,omitempty"`
	EncryptCert   string    `json:"encryptCert,omitempty"`
	EncryptKey    string    `json:"encryptKey,omitempty"`
	// Uploaded: uploaded through the API (listed from its leaf), not seeded.
	Uploaded bool `json:"uploaded,omitempty"`
}

func (s *Server) snapshotServer(doc *stateDoc) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc.Credentials = make(map[string]stateCredential, len(s.creds))
	for id, c := range s.creds {
		doc.Credentials[id] = stateCredential{Secret: c.secret, Token: c.token}
	}
	doc.LastOrderID, doc.LastCsrID = s.lastOrderID, s.lastCsrID
	for _, id := range sortedKeys(s.orders) {
		o := s.orders[id]
		so := stateOrder{ID: o.id, CertID: o.certID, Domain: o.domain, ValidateType: o.validateType,
			ProductCode: o.productCode, Created: o.created, Token: o.token, State: o.state, Reads: o.reads,
			CertDeleted: o.certDeleted, Expiring: o.expiring}
		if o.csr != nil {
			so.CSR = pemString("CERTIFICATE REQUEST", o.csr.Raw)
		}
		// issued is filled once, under issueOnce: read it only when done.
		if done := o.issuedDone(); done {
			so.ChainPEM, so.KeyPEM = o.chainPEM, o.keyPEM
		}
		doc.Orders = append(doc.Orders, so)
	}
	for _, id := range sortedKeys(s.csrs) {
		doc.CSRs = append(doc.CSRs, stateCSR{ID: id, CSRPEM: s.csrs[id].csrPEM, KeyPEM: s.csrs[id].keyPEM})
	}
	for _, id := range sortedKeys(s.kmsCerts) {
		kc := s.kmsCerts[id]
		doc.KMSCerts = append(doc.KMSCerts, stateKMSCert{ID: kc.id, CSRPEM: kc.csrPEM, CertPEM: kc.certPEM, ChainPEM: kc.chainPEM})
	}
	return nil
}

// issuedDone reports whether the order's certificate was issued, without
// issuing it: a Once cannot be asked, so issued records it.
func (o *order) issuedDone() bool { return o.issuedFlag.Load() }

// sortedKeys returns the keys of m in ascending order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (s *Server) snapshotDNS(doc *stateDoc) {
	d := s.dns
	d.mu.Lock()
	defer d.mu.Unlock()
	doc.DNSZones = append([]string{}, d.zones...)
	doc.DNSRecords = append([]DNSRecord{}, d.records...)
	doc.LastRecordID = d.lastID
}

func (s *Server) snapshotKMSKeys(doc *stateDoc) error {
	ks := &s.kmsKeys
	ks.mu.Lock()
	defer ks.mu.Unlock()
	for _, id := range sortedKeys(ks.keys) {
		k := ks.keys[id]
		sk := stateKMSKey{ID: k.id, Spec: k.spec, Usage: k.usage, Description: k.description, Protection: k.protection,
			Instance: k.instance, ARN: k.arn, Created: k.created, Rotation: k.rotation}
		for _, v := range k.versions {
			sv := stateKMSVersion{ID: v.id, Created: v.created}
			if v.signer != nil {
				p, err := privateKeyPEM(v.signer)
				if err != nil {
					return err
				}
				sv.Key = p
			}
			sk.Versions = append(sk.Versions, sv)
		}
		doc.KMSKeys = append(doc.KMSKeys, sk)
	}
	return nil
}

func (s *Server) snapshotDeploy(doc *stateDoc) {
	d := s.deploy
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.resources {
		doc.Resources = append(doc.Resources, *r)
	}
	doc.Contacts = append([]fakeContact{}, d.contacts...)
	doc.LastJobID, doc.LastWorkerID = d.lastJobID, d.lastWorkerID
	for _, id := range sortedKeys(d.jobs) {
		j := d.jobs[id]
		sj := stateJob{ID: j.id, Name: j.name, JobType: j.jobType, CertID: j.certID, ContactIDs: j.contactIDs,
			Schedule: j.schedule, Status: j.status, Created: j.created, Modified: j.modified, Started: j.started,
			Ended: j.ended, Deleted: j.deleted, Rollback: j.rollback}
		for _, w := range j.workers {
			sj.Workers = append(sj.Workers, stateWorker{ID: w.id, ResourceID: w.resourceID, OldCertID: w.oldCertID,
				OldName: w.oldName, Status: w.status})
		}
		doc.Jobs = append(doc.Jobs, sj)
	}
}

func (s *Server) snapshotLifecycle(doc *stateDoc) {
	l := s.life
	l.mu.Lock()
	defer l.mu.Unlock()
	doc.LastCertID = l.lastID
	doc.Revoked = make(map[int64]time.Time, len(l.revoked))
	for id, t := range l.revoked {
		doc.Revoked[id] = t
	}
	doc.Quota = make(map[string]int64, len(l.quota))
	for code, n := range l.quota {
		doc.Quota[code] = n
	}
	for _, u := range l.certs {
		su := stateUserCert{ID: u.id, Name: u.name, Domain: u.domain, Upload: u.upload, ResourceGroup: u.resourceGroup,
			InstanceID: u.instanceID, NotBefore: u.notBefore, NotAfter: u.notAfter, Tags: u.tags,
			SM: u.sm, SignCert: u.signCert, SignKey: u.signKey, EncryptCert: u.encryptCert, EncryptKey: u.encryptKey,
			Uploaded: u.uploaded != nil}
		if u.materialized.Load() {
			su.ChainPEM, su.KeyPEM = u.chainPEM, u.keyPEM
		}
		doc.Certificates = append(doc.Certificates, su)
	}
}

// parseStateCA reads the test CA of a state document.
func parseStateCA(c stateCA) (*testCA, error) {
	cert, err := firstCertificate(c.Cert)
	if err != nil || !cert.IsCA {
		return nil, errors.New("alicerttest: state: ca.cert is not a CA certificate")
	}
	key, err := parsePrivateKeyPEM(c.Key)
	if err != nil {
		return nil, errors.New("alicerttest: state: ca.key is not a PKCS #8 private key")
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || !ec.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("alicerttest: state: ca.key is not the key of ca.cert")
	}
	return &testCA{cert: cert, certPEM: c.Cert, key: ec}, nil
}

// parsePrivateKeyPEM reads a PKCS #8 PEM private key.
func parsePrivateKeyPEM(p string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, errors.New("not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("not a signing key")
	}
	return signer, nil
}

// checkStateKeys checks the certificates and keys a document holds, so
// that a damaged one is refused at start rather than failing a request.
func checkStateKeys(doc *stateDoc) error {
	for i, o := range doc.Orders {
		if o.ID <= 0 {
			return fmt.Errorf("alicerttest: state: orders[%d].id is not positive", i)
		}
		if o.CSR != "" {
			if _, err := parseCSR(o.CSR); err != nil {
				return fmt.Errorf("alicerttest: state: orders[%d].csr: not a CSR", i)
			}
		}
		if o.ChainPEM != "" {
			if _, err := firstCertificate(o.ChainPEM); err != nil {
				return fmt.Errorf("alicerttest: state: orders[%d].chain: not a certificate", i)
			}
		}
	}
	for i, k := range doc.KMSKeys {
		if len(k.Versions) == 0 {
			return fmt.Errorf("alicerttest: state: kmsKeys[%d] has no version", i)
		}
		for j, v := range k.Versions {
			if v.Key == "" {
				continue
			}
			if _, err := parsePrivateKeyPEM(v.Key); err != nil {
				return fmt.Errorf("alicerttest: state: kmsKeys[%d].versions[%d].key: not a PKCS #8 private key", i, j)
			}
		}
	}
	for i, c := range doc.KMSCerts {
		if _, err := parseCSR(c.CSRPEM); err != nil {
			return fmt.Errorf("alicerttest: state: kmsCertificates[%d].csr: not a CSR", i)
		}
	}
	for i, u := range doc.Certificates {
		if u.ChainPEM != "" && !u.SM {
			if _, err := firstCertificate(u.ChainPEM); err != nil {
				return fmt.Errorf("alicerttest: state: certificates[%d].chain: not a certificate", i)
			}
		}
	}
	return nil
}

// restore loads a parsed state into a new server, before it serves.
func (s *Server) restore(st *State) {
	doc := &st.doc
	s.ca, s.account, s.started = st.ca, doc.Account, doc.Started
	s.id, s.secret = doc.AccessKeyID, doc.Credentials[doc.AccessKeyID].Secret
	s.creds = make(map[string]credential, len(doc.Credentials))
	for id, c := range doc.Credentials {
		s.creds[id] = credential{secret: c.Secret, token: c.Token}
	}
	s.lastOrderID, s.lastCsrID = doc.LastOrderID, doc.LastCsrID
	for _, so := range doc.Orders {
		o := &order{id: so.ID, certID: so.CertID, domain: so.Domain, validateType: so.ValidateType,
			productCode: so.ProductCode, created: so.Created, token: so.Token, state: so.State, reads: so.Reads,
			certDeleted: so.CertDeleted, expiring: so.Expiring}
		if so.CSR != "" {
			o.csr, _ = parseCSR(so.CSR) // checked by ParseState
		}
		if so.ChainPEM != "" {
			o.chainPEM, o.keyPEM = so.ChainPEM, so.KeyPEM
			o.issueOnce.Do(func() {})
			o.issuedFlag.Store(true)
		}
		s.orders[o.id] = o
	}
	for _, c := range doc.CSRs {
		s.csrs[c.ID] = &csrRecord{csrPEM: c.CSRPEM, keyPEM: c.KeyPEM}
	}
	for _, c := range doc.KMSCerts {
		csr, _ := parseCSR(c.CSRPEM) // checked by ParseState
		s.kmsCerts[c.ID] = &kmsCertificate{id: c.ID, csrPEM: c.CSRPEM, publicKey: csr.PublicKey, certPEM: c.CertPEM, chainPEM: c.ChainPEM}
	}
	s.restoreKMSKeys(doc)
	s.restoreDNS(doc)
	s.restoreDeploy(doc)
	s.restoreLifecycle(doc)
	s.restorePCA(doc.PCA)
}

func (s *Server) restoreKMSKeys(doc *stateDoc) {
	if s.kmsKeys.keys == nil {
		s.kmsKeys.keys = make(map[string]*kmsKey)
	}
	for _, sk := range doc.KMSKeys {
		k := &kmsKey{id: sk.ID, spec: sk.Spec, usage: sk.Usage, description: sk.Description, protection: sk.Protection,
			instance: sk.Instance, arn: sk.ARN, created: sk.Created, rotation: sk.Rotation}
		for _, sv := range sk.Versions {
			v := &kmsKeyVersion{id: sv.ID, created: sv.Created}
			if sv.Key != "" {
				v.signer, _ = parsePrivateKeyPEM(sv.Key) // checked by ParseState
			}
			k.versions = append(k.versions, v)
		}
		s.kmsKeys.keys[k.id] = k
	}
}

func (s *Server) restoreDNS(doc *stateDoc) {
	d := s.dns
	for _, z := range doc.DNSZones {
		if !slices.Contains(d.zones, z) {
			d.zones = append(d.zones, z)
		}
	}
	d.records = append(append([]DNSRecord{}, doc.DNSRecords...), d.records...)
	d.lastID = max(d.lastID, doc.LastRecordID)
}

func (s *Server) restoreDeploy(doc *stateDoc) {
	d := s.deploy
	seeded := d.resources
	d.resources = nil
	for _, r := range doc.Resources {
		r := r
		d.resources = append(d.resources, &r)
	}
	for _, r := range seeded {
		if d.resource(r.ID) == nil {
			d.resources = append(d.resources, r)
		}
	}
	slices.SortFunc(d.resources, func(a, b *CloudResource) int { return cmp.Compare(a.ID, b.ID) })
	d.contacts = append(append([]fakeContact{}, doc.Contacts...), d.contacts...)
	d.lastJobID, d.lastWorkerID = max(d.lastJobID, doc.LastJobID), max(d.lastWorkerID, doc.LastWorkerID)
	for _, sj := range doc.Jobs {
		j := &deployJob{id: sj.ID, name: sj.Name, jobType: sj.JobType, certID: sj.CertID, contactIDs: sj.ContactIDs,
			schedule: sj.Schedule, status: sj.Status, created: sj.Created, modified: sj.Modified, started: sj.Started,
			ended: sj.Ended, deleted: sj.Deleted, rollback: sj.Rollback}
		for _, w := range sj.Workers {
			j.workers = append(j.workers, &deployWorker{id: w.ID, resourceID: w.ResourceID, oldCertID: w.OldCertID,
				oldName: w.OldName, status: w.Status})
		}
		d.jobs[j.id] = j
	}
}

func (s *Server) restoreLifecycle(doc *stateDoc) {
	l := s.life
	l.lastID = max(l.lastID, doc.LastCertID)
	for id, t := range doc.Revoked {
		l.revoked[id] = t
	}
	for code, n := range doc.Quota {
		l.quota[code] = n
	}
	for _, su := range doc.Certificates {
		u := &userCert{id: su.ID, name: su.Name, domain: su.Domain, upload: su.Upload, resourceGroup: su.ResourceGroup,
			instanceID: su.InstanceID, notBefore: su.NotBefore, notAfter: su.NotAfter, tags: su.Tags,
			sm: su.SM, signCert: su.SignCert, signKey: su.SignKey, encryptCert: su.EncryptCert, encryptKey: su.EncryptKey}
		if su.ChainPEM != "" || su.SM {
			u.chainPEM, u.keyPEM = su.ChainPEM, su.KeyPEM
			if !su.SM {
				u.leaf, _ = firstCertificate(su.ChainPEM) // checked by ParseState
				if su.Uploaded {
					u.uploaded = u.leaf
				}
			}
			u.once.Do(func() {})
			u.materialized.Store(true)
		}
		l.certs = append(l.certs, u)
		l.byID[u.id] = u
	}
}
