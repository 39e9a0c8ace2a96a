package store

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alicert/alicert"
)

// Files obtain writes into the output directory.
const (
	StateFile     = "alicert-state.json"
	CertFile      = "cert.pem"
	ChainFile     = "chain.pem"
	FullchainFile = "fullchain.pem"
	KeyFile       = "key.pem"
	// CAFile is the root CA certificate that peers trust, which pca issue
	// writes beside the pair (Installer.CA): a Private CA's own root, in
	// no system trust store.
	CAFile = "ca.pem"
)

// State is the state file, alicert-state.json: what a rerun needs to resume instead of
// ordering again.
type State struct {
	// Domain is the domain the order is for.
	Domain string `json:"domain"`
	// OrderID is the order, once known.
	OrderID int64 `json:"order_id,omitempty"`
	// CreateSentAt is when CreateCertificateRequest was sent. With OrderID
	// 0 it means the outcome of that request is unknown: the order may
	// exist.
	CreateSentAt time.Time `json:"create_sent_at,omitzero"`
	// Fake marks the state of a -fake run: its order exists only in that
	// run's fake, and a real run must never resume it (nor the reverse).
	Fake bool `json:"fake,omitempty"`
	// KeyFile names, in the directory, the private key the order was
	// placed with (a CSR of it). It is written before the order is sent,
	// so that a crash never loses it and a resumed order finishes with it.
	KeyFile string `json:"key_file,omitempty"`
	// KMSKey and KMSKeyVersion name the KMS key the order was placed with.
	KMSKey        string `json:"kms_key,omitempty"`
	KMSKeyVersion string `json:"kms_key_version,omitempty"`
	// CertID is the id in Certificate Management Service of the
	// certificate in cert.pem, once -deploy put it on the cloud resources:
	// the certificate the next renewal replaces there.
	CertID int64 `json:"cert_id,omitempty"`
	// Rollout is the deployment of a new certificate, step by step, while
	// it is not finished.
	Rollout *Rollout `json:"rollout,omitempty"`
	// DeployHook records that the deploy hook is owed for the certificate
	// it names: set before the certificate goes live, cleared once the
	// hook succeeded, so that a run stopped in between runs it on the next
	// run. State files without it (older ones included) owe no hook.
	DeployHook *HookDue `json:"deploy_hook,omitempty"`
	// Note says, for a person reading the file, what to do.
	Note string `json:"note,omitempty"`
}

// Pending reports whether a create of unknown outcome is recorded.
func (s *State) Pending() bool { return s != nil && s.OrderID == 0 && !s.CreateSentAt.IsZero() }

// LoadState reads dir's state file; nil when there is none. A file that is
// not exactly what SaveState writes (unknown fields, an id that is not
// positive, no domain) is refused: resuming from a damaged file could
// resume the wrong order or buy another.
func LoadState(dir string) (*State, error) {
	path := filepath.Join(dir, StateFile)
	// Never through a link: the state alicert writes is a file of its own.
	b, err := readOwn(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil && ownedByOthers(fi) != "" {
		return nil, notOurs(path, ownedByOthers(fi))
	}
	var s State
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err = dec.Decode(&s)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err == nil {
		err = s.check()
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not a state file written by alicert: %v; if it names an order, "+
			"note its id (to rerun with -order ID), then remove the file and rerun", path, err)
	}
	return &s, nil
}

// check reports what makes s impossible for SaveState to have written.
func (s *State) check() error {
	switch {
	case strings.TrimSpace(s.Domain) == "":
		return errors.New("it names no domain")
	case s.OrderID < 0:
		return fmt.Errorf("order_id %d is not a positive order id", s.OrderID)
	case s.KeyFile != "" && !IsOrderKeyName(s.KeyFile):
		return fmt.Errorf("key_file %q is not the name of an order's key file", s.KeyFile)
	case s.KeyFile != "" && s.KMSKey != "":
		return errors.New("it names both a key file and a KMS key")
	case s.CertID < 0:
		return fmt.Errorf("cert_id %d is not a positive certificate id", s.CertID)
	case s.DeployHook != nil && !isHexSerial(s.DeployHook.Serial):
		return fmt.Errorf("deploy_hook.serial %q is not a hex serial number", s.DeployHook.Serial)
	case s.DeployHook != nil && s.DeployHook.OrderID < 0:
		return errors.New("deploy_hook.order_id is not a positive order id")
	case s.Rollout != nil:
		return s.Rollout.check()
	}
	return nil
}

// HookDue is a deploy hook owed for the certificate of serial number
// Serial (hex) in cert.pem, issued by order OrderID.
type HookDue struct {
	Serial  string `json:"serial"`
	OrderID int64  `json:"order_id,omitempty"`
}

// isHexSerial reports whether s is a serial number in hex.
func isHexSerial(s string) bool {
	_, ok := new(big.Int).SetString(s, 16)
	return ok && s != ""
}

// SaveState writes dir's state file atomically.
func SaveState(dir string, s *State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return WriteFiles(dir, []File{{StateFile, append(b, '\n'), 0o600}})
}

// RemoveState deletes dir's state file; a missing one is fine.
func RemoveState(dir string) error {
	err := os.Remove(filepath.Join(dir, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// NewSuffix replaces ".pem" in the names of the files of a certificate
// that may not replace cert.pem (cert.new.pem, key.new.pem, ...).
const NewSuffix = ".new.pem"

// CertFiles returns the files of out, their names ending in suffix instead
// of ".pem" when suffix is set. cert.pem goes last: it is what the renewal
// check reads, so a crash halfway leaves the old certificate in charge and
// the state file in place, and the rerun writes everything again.
//
// key is the private key PEM: the output's, or the caller's own with an own
// key; nil means none (a key in KMS), and then there is no key file.
func CertFiles(out *alicert.ObtainOutput, key []byte, suffix string) []File {
	files := []File{
		{KeyFile, key, 0o600},
		{ChainFile, EncodeCerts(out.Chain[1:]), 0o644},
		{FullchainFile, EncodeCerts(out.Chain), 0o644},
		{CertFile, EncodeCerts(out.Chain[:1]), 0o644},
	}
	if key == nil {
		files = files[1:]
	}
	if suffix != "" {
		for i := range files {
			files[i].Name = strings.TrimSuffix(files[i].Name, ".pem") + suffix
		}
	}
	return files
}

// File is one file to write.
type File struct {
	Name string
	Data []byte
	Perm os.FileMode
}

// WriteFiles writes files into dir so that each one is replaced atomically:
// every file is first written and synced to a temporary file in dir, then
// the temporary files are renamed into place in order. A failure before the
// renames leaves every old file as it was.
func WriteFiles(dir string, files []File) (err error) {
	tmps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range tmps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		t, err := writeTemp(dir, f)
		if t != "" {
			tmps = append(tmps, t)
		}
		if err != nil {
			return err
		}
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], filepath.Join(dir, f.Name)); err != nil {
			return err
		}
	}
	syncDir(dir)
	return nil
}

// writeTemp writes f to a new temporary file in dir with f's mode and
// returns its path.
func writeTemp(dir string, f File) (string, error) {
	tmp, err := os.CreateTemp(dir, "."+f.Name+".tmp-*")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	// CreateTemp makes the file 0600, so a key is never readable by others,
	// not even for a moment; certificates are then opened up.
	err = tmp.Chmod(f.Perm)
	if err == nil {
		_, err = tmp.Write(f.Data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	return name, err
}

// syncDir makes the renames durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // not supported everywhere (Windows); the renames are done either way
		d.Close()
	}
}

// ExistingCert returns the certificate in dir's cert.pem (the leaf, when it
// holds a chain), or nil when there is no cert.pem. A cert.pem that does not
// parse is an error, not "no certificate": taken as absent, it would be
// replaced on every run without anyone knowing what it held.
func ExistingCert(dir string) (*x509.Certificate, error) {
	path := filepath.Join(dir, CertFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	chain, err := alicert.ParseCertificates(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return chain[0], nil
}

// PairProblem says what keeps dir's cert.pem (with its chain, as
// fullchain.pem holds it) and key.pem from loading as a pair, as a TLS
// server loads them; "" when they do.
func PairProblem(dir string) string {
	key, err := os.ReadFile(filepath.Join(dir, KeyFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return KeyFile + " is missing"
	case err != nil:
		return fmt.Sprintf("%s cannot be read (%v)", KeyFile, err)
	}
	for _, name := range []string{CertFile, FullchainFile} {
		cert, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Sprintf("%s cannot be read (%v)", name, err)
		}
		if _, err := tls.X509KeyPair(cert, key); err != nil {
			return fmt.Sprintf("%s and %s do not load as a pair (%v)", name, KeyFile, err)
		}
	}
	return ""
}

// testCAOrganization is the Organization of the test CA of every
// alicerttest server (alicerttest/ca.go): what -fake runs write is issued
// by it, and no real CA.
const testCAOrganization = "alicerttest"

// IssuedByTestCA reports whether leaf comes from a -fake run.
func IssuedByTestCA(leaf *x509.Certificate) bool {
	return slices.Contains(leaf.Issuer.Organization, testCAOrganization)
}

// Names lists leaf's DNS names (its subject when it has none), for messages.
func Names(leaf *x509.Certificate) string {
	if len(leaf.DNSNames) == 0 {
		return leaf.Subject.String()
	}
	return strings.Join(leaf.DNSNames, ", ")
}

// EncodeCerts returns certs as PEM.
func EncodeCerts(certs []*x509.Certificate) []byte {
	var b strings.Builder
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return []byte(b.String())
}

// Rollout is the state of a deployment in progress.
type Rollout struct {
	// Serial is the serial number (hex) of the certificate in cert.pem that
	// is being deployed.
	Serial string `json:"serial"`
	// OrderID is the order that issued it.
	OrderID int64 `json:"order_id,omitempty"`
	// ServiceKey says the service made the key: the order's certificate is
	// in Certificate Management Service with its key already.
	ServiceKey bool `json:"service_key,omitempty"`
	// UploadName is the name it is uploaded under, unique in the account.
	UploadName string `json:"upload_name,omitempty"`
	// CertID is its id in Certificate Management Service, once known.
	CertID int64 `json:"cert_id,omitempty"`
	// Resources are the cloud resources it goes to, and JobName the
	// deployment job's name: both set once the resources are found.
	Resources []int64 `json:"resources,omitempty"`
	JobName   string  `json:"job_name,omitempty"`
	// JobID is the job, once created.
	JobID int64 `json:"job_id,omitempty"`
}

// check reports what makes ro impossible for alicert to have written.
func (ro *Rollout) check() error {
	if _, ok := new(big.Int).SetString(ro.Serial, 16); !ok || ro.Serial == "" {
		return fmt.Errorf("rollout.serial %q is not a hex serial number", ro.Serial)
	}
	switch {
	case ro.OrderID < 0, ro.CertID < 0, ro.JobID < 0:
		return errors.New("rollout holds an id that is not positive")
	case !ro.ServiceKey && ro.UploadName == "":
		return errors.New("rollout names no upload_name")
	}
	for _, id := range ro.Resources {
		if id <= 0 {
			return fmt.Errorf("rollout.resources holds %d, not a resource id", id)
		}
	}
	return nil
}

// WriteNewFile writes a 0600 file atomically, failing if it exists.
func WriteNewFile(path string, data []byte) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := writeTemp(dir, File{name, data, 0o600})
	if err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		return err
	}
	// A hard link fails when path exists, unlike a rename; that keeps an
	// existing key that appeared since the flag was checked.
	err = os.Link(tmp, path)
	os.Remove(tmp)
	return err
}
