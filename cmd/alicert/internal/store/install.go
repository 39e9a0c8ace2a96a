package store

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/alicert/alicert"
)

// The output directory's layout, which lets obtain replace the certificate
// and its key in one atomic step:
//
//	cert.pem       -> .alicert/live/cert.pem   (and so chain.pem, fullchain.pem, key.pem)
//	.alicert/live  -> 7                        (the version in use)
//	.alicert/7/    cert.pem chain.pem fullchain.pem key.pem
//	.alicert/6/    the previous version, kept
//
// A new version is written and synced in full in a directory of its own,
// which nothing points to yet; then one rename of a new symlink over
// .alicert/live switches every file at once. The top-level links never
// change once made. So whenever cert.pem (or fullchain.pem) and key.pem are
// opened, they come from one version: the old one or the new one, never a
// mix.
const (
	// VersionsDir holds the versions, under the output directory.
	VersionsDir = ".alicert"
	// liveLink names, in versionsDir, the link to the version in use.
	liveLink = "live"
	// LiveTmp is the new link, before it is renamed over liveLink.
	LiveTmp = "live.tmp"
	// LinkTmpSuffix ends the names of top-level links being made.
	LinkTmpSuffix = ".tmp-link"
)

// PairFiles are the files of a version, in the order they are written.
func PairFiles() []string { return []string{KeyFile, ChainFile, FullchainFile, CertFile} }

// Installer replaces the certificate files of one output directory.
type Installer struct {
	Dir string
	// Hook, when set, is called with the name of each step before it is
	// taken; an error stops the replacement there, as a crash would.
	Hook func(step string) error
	// Keyless installs a certificate whose key is not a file (it stays in
	// KMS, or with whoever made the CSR): there is no key.pem, and one
	// left by an earlier version goes.
	Keyless bool
	// CA installs CAFile with the pair, in the same version: the root a
	// Private CA certificate chains to switches with it. Without it, the
	// ca.pem link of an earlier version goes, as a Keyless key.pem does.
	CA bool
}

// names are the files of a version this installer writes.
func (in *Installer) names() []string {
	names := PairFiles()
	if in.Keyless {
		names = slices.DeleteFunc(names, func(n string) bool { return n == KeyFile })
	}
	if in.CA {
		names = append(names, CAFile)
	}
	return names
}

func (in *Installer) step(name string) error {
	if in.Hook == nil {
		return nil
	}
	if err := in.Hook(name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (in *Installer) path(elem ...string) string {
	return filepath.Join(append([]string{in.Dir}, elem...)...)
}

// Install makes files (one of each of PairFiles, and CAFile with CA) the
// output directory's certificate files. It refuses, touching nothing, a
// certificate and key that do not load as a pair, and files that lack one
// of the names the top-level links point to.
func (in *Installer) Install(files []File) error {
	check := CheckPair
	if in.Keyless {
		check = CheckChain
	}
	if err := check(files); err != nil {
		return err
	}
	for _, name := range in.names() {
		if !slices.ContainsFunc(files, func(f File) bool { return f.Name == name }) {
			return fmt.Errorf("no %s among the files to install; nothing was written", name)
		}
	}
	prev, err := in.ensureLinked()
	if err != nil {
		return err
	}
	v, err := in.writeVersion(files)
	if err != nil {
		return err
	}
	if err := in.switchLive(v); err != nil {
		return err
	}
	// The links to what the old version held and this one does not (its
	// key, its CA): they name nothing now.
	for _, gone := range []struct {
		name string
		left bool
	}{{KeyFile, in.Keyless}, {CAFile, !in.CA}} {
		if !gone.left {
			continue
		}
		if t, err := os.Readlink(in.path(gone.name)); err == nil && t == LinkTarget(gone.name) {
			if err := os.Remove(in.path(gone.name)); err != nil {
				return err
			}
		}
	}
	// Old versions go once the new one is live; the previous one stays, to
	// go back to by hand.
	if err := in.step("prune"); err != nil {
		return err
	}
	in.prune(v, prev)
	return nil
}

// CheckPair reports whether the certificate and key among files load as a
// pair, as a TLS server would load them.
func CheckPair(files []File) error {
	var cert, key []byte
	for _, f := range files {
		switch f.Name {
		case FullchainFile:
			cert = f.Data
		case KeyFile:
			key = f.Data
		}
	}
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		return fmt.Errorf("the private key does not belong to the certificate (%v); nothing was written", err)
	}
	return nil
}

// CheckChain reports whether the certificate files among files parse, for
// a certificate whose key is not a file.
func CheckChain(files []File) error {
	for _, f := range files {
		if f.Name == FullchainFile || f.Name == CertFile {
			if _, err := alicert.ParseCertificates(string(f.Data)); err != nil {
				return fmt.Errorf("%s: %v; nothing was written", f.Name, err)
			}
		}
	}
	return nil
}

// live returns the version the live link names, or "" when there is none.
func (in *Installer) live() string {
	target, err := os.Readlink(in.path(VersionsDir, liveLink))
	if err != nil || !isVersion(target) {
		return ""
	}
	return target
}

// isVersion reports whether name is a version directory's name.
func isVersion(name string) bool {
	n, err := strconv.ParseUint(name, 10, 64)
	return err == nil && n > 0 && strconv.FormatUint(n, 10) == name
}

// Versions lists the version directories, in no particular order.
func (in *Installer) Versions() []string {
	entries, _ := os.ReadDir(in.path(VersionsDir))
	var out []string
	for _, e := range entries {
		if e.IsDir() && isVersion(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// LinkTarget is what the top-level link of name points to.
func LinkTarget(name string) string { return filepath.Join(VersionsDir, liveLink, name) }

// linked reports whether every top-level file is the link into the live
// version.
func (in *Installer) linked() bool {
	if in.live() == "" {
		return false
	}
	for _, name := range in.names() {
		if t, err := os.Readlink(in.path(name)); err != nil || t != LinkTarget(name) {
			return false
		}
	}
	return true
}

// ensureLinked turns the top-level files into links into the live version
// (a layout with plain files, from an earlier alicert or written by hand),
// without changing what any of them holds at any moment: what they hold
// now is copied into a version first, made live, and then each file is
// replaced by a link to its own copy. It returns the live version.
func (in *Installer) ensureLinked() (string, error) {
	if in.linked() {
		return in.live(), nil
	}
	if err := in.step("mkdir " + VersionsDir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(in.path(VersionsDir), 0o755); err != nil {
		return "", err
	}
	var current []File
	var err error
	for _, name := range in.names() {
		var data []byte
		data, err = in.readCurrent(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // a dangling link or no file: nothing to keep
		case err != nil:
			return "", err
		}
		current = append(current, File{name, data, filePerm(name)})
	}
	v := in.live()
	if len(current) > 0 {
		// Made live before any top-level file changes: each is then
		// replaced by a link to its own copy.
		if v, err = in.writeVersion(current); err != nil {
			return "", err
		}
		if err := in.switchLive(v); err != nil {
			return "", err
		}
	}
	for _, name := range in.names() {
		if err := in.link(name); err != nil {
			return "", err
		}
	}
	return v, nil
}

// readCurrent reads what the top-level file name holds now, to be copied
// into a version: the file itself, or through the link alicert makes, the
// live version's copy. A link alicert did not make is refused, never
// followed: what it points to would be copied into a version that others
// can read.
func (in *Installer) readCurrent(name string) ([]byte, error) {
	ours, err := ownLink(in.Dir, name)
	switch {
	case err != nil:
		return nil, err
	case !ours:
		return readOwn(in.path(name))
	case in.live() == "":
		return nil, fs.ErrNotExist // our link, to no version yet
	}
	return readOwn(in.path(VersionsDir, in.live(), name))
}

// filePerm is the mode of a certificate file: the key is the owner's alone.
func filePerm(name string) os.FileMode {
	if name == KeyFile {
		return 0o600
	}
	return 0o644
}

// link replaces the top-level name by the link into the live version, with
// one rename.
func (in *Installer) link(name string) error {
	target := LinkTarget(name)
	if t, err := os.Readlink(in.path(name)); err == nil && t == target {
		return nil
	}
	tmp := in.path("." + name + LinkTmpSuffix)
	if err := in.step("link " + name); err != nil {
		return err
	}
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := in.step("rename link " + name); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, in.path(name)); err != nil {
		os.Remove(tmp)
		return err
	}
	return in.syncDir(in.Dir)
}

// writeVersion writes files into a new version directory, each synced, and
// the directory too, and returns the version. Nothing points to it yet.
func (in *Installer) writeVersion(files []File) (string, error) {
	next := uint64(1)
	for _, v := range append(in.Versions(), in.live()) {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && n >= next {
			next = n + 1
		}
	}
	v := strconv.FormatUint(next, 10)
	if err := in.step("mkdir version"); err != nil {
		return "", err
	}
	dir := in.path(VersionsDir, v)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	for _, f := range files {
		if err := in.step("write " + f.Name); err != nil {
			return "", err
		}
		tmp, err := writeTemp(dir, f)
		if err == nil {
			err = os.Rename(tmp, filepath.Join(dir, f.Name))
		}
		if err != nil {
			if tmp != "" {
				os.Remove(tmp)
			}
			return "", err
		}
	}
	if err := in.syncDir(dir); err != nil {
		return "", err
	}
	return v, nil
}

// switchLive makes v the live version with one rename of a new link over
// the live one.
func (in *Installer) switchLive(v string) error {
	tmp := in.path(VersionsDir, LiveTmp)
	if err := in.step("symlink " + LiveTmp); err != nil {
		return err
	}
	_ = os.Remove(tmp)
	if err := os.Symlink(v, tmp); err != nil {
		return err
	}
	if err := in.step("rename " + LiveTmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, in.path(VersionsDir, liveLink)); err != nil {
		os.Remove(tmp)
		return err
	}
	return in.syncDir(in.path(VersionsDir))
}

// syncDir makes the renames in dir durable.
func (in *Installer) syncDir(dir string) error {
	if err := in.step("sync " + filepath.Base(dir)); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// prune removes every version but live and keep.
func (in *Installer) prune(live, keep string) {
	for _, v := range in.Versions() {
		if v != live && v != keep {
			_ = os.RemoveAll(in.path(VersionsDir, v))
		}
	}
}

// RemoveLeftovers removes what a run that stopped halfway left behind: the
// temporary files of writeFiles and link (which may hold a key), an
// unrenamed live link, and versions newer than the live one, which were
// never made live. It returns the names it removed.
func (in *Installer) RemoveLeftovers() ([]string, error) {
	// Versions are removed from .alicert: never through a link to a
	// directory elsewhere.
	if err := checkOwnDir(in.path(VersionsDir)); err != nil {
		return nil, err
	}
	var removed []string
	remove := func(rel string) error {
		if err := os.RemoveAll(in.path(rel)); err != nil {
			return err
		}
		removed = append(removed, rel)
		return nil
	}
	entries, err := os.ReadDir(in.Dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") && (strings.Contains(n, ".tmp-") || strings.HasSuffix(n, LinkTmpSuffix)) {
			if err := remove(n); err != nil {
				return removed, err
			}
		}
	}
	if _, err := os.Lstat(in.path(VersionsDir, LiveTmp)); err == nil {
		if err := remove(filepath.Join(VersionsDir, LiveTmp)); err != nil {
			return removed, err
		}
	}
	live, _ := strconv.ParseUint(in.live(), 10, 64)
	vs := in.Versions()
	slices.Sort(vs)
	for _, v := range vs {
		if n, _ := strconv.ParseUint(v, 10, 64); n > live {
			if err := remove(filepath.Join(VersionsDir, v)); err != nil {
				return removed, err
			}
		}
	}
	return removed, nil
}
