package main

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
	// versionsDir holds the versions, under the output directory.
	versionsDir = ".alicert"
	// liveLink names, in versionsDir, the link to the version in use.
	liveLink = "live"
	// liveTmp is the new link, before it is renamed over liveLink.
	liveTmp = "live.tmp"
	// linkTmpSuffix ends the names of top-level links being made.
	linkTmpSuffix = ".tmp-link"
)

// pairFiles are the files of a version, in the order they are written.
func pairFiles() []string { return []string{keyFile, chainFile, fullchainFile, certFile} }

// installer replaces the certificate files of one output directory.
type installer struct {
	dir string
	// hook, when set, is called with the name of each step before it is
	// taken; an error stops the replacement there, as a crash would.
	hook func(step string) error
	// keyless installs a certificate whose key is not a file (it stays in
	// KMS): there is no key.pem, and one left by an earlier version goes.
	keyless bool
}

// names are the files of a version this installer writes.
func (in *installer) names() []string {
	if in.keyless {
		return slices.DeleteFunc(pairFiles(), func(n string) bool { return n == keyFile })
	}
	return pairFiles()
}

func (in *installer) step(name string) error {
	if in.hook == nil {
		return nil
	}
	if err := in.hook(name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (in *installer) path(elem ...string) string {
	return filepath.Join(append([]string{in.dir}, elem...)...)
}

// install makes files (one of each of pairFiles) the output directory's
// certificate files. It refuses, touching nothing, a certificate and key
// that do not load as a pair.
func (in *installer) install(files []outFile) error {
	check := checkPair
	if in.keyless {
		check = checkChain
	}
	if err := check(files); err != nil {
		return err
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
	if in.keyless {
		// The link to the old version's key: it names nothing now.
		if t, err := os.Readlink(in.path(keyFile)); err == nil && t == linkTarget(keyFile) {
			if err := os.Remove(in.path(keyFile)); err != nil {
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

// checkPair reports whether the certificate and key among files load as a
// pair, as a TLS server would load them.
func checkPair(files []outFile) error {
	var cert, key []byte
	for _, f := range files {
		switch f.name {
		case fullchainFile:
			cert = f.data
		case keyFile:
			key = f.data
		}
	}
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		return fmt.Errorf("the private key does not belong to the certificate (%v); nothing was written", err)
	}
	return nil
}

// checkChain reports whether the certificate files among files parse, for
// a certificate whose key is not a file.
func checkChain(files []outFile) error {
	for _, f := range files {
		if f.name == fullchainFile || f.name == certFile {
			if _, err := alicert.ParseCertificates(string(f.data)); err != nil {
				return fmt.Errorf("%s: %v; nothing was written", f.name, err)
			}
		}
	}
	return nil
}

// live returns the version the live link names, or "" when there is none.
func (in *installer) live() string {
	target, err := os.Readlink(in.path(versionsDir, liveLink))
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

// versions lists the version directories, in no particular order.
func (in *installer) versions() []string {
	entries, _ := os.ReadDir(in.path(versionsDir))
	var out []string
	for _, e := range entries {
		if e.IsDir() && isVersion(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// linkTarget is what the top-level link of name points to.
func linkTarget(name string) string { return filepath.Join(versionsDir, liveLink, name) }

// linked reports whether every top-level file is the link into the live
// version.
func (in *installer) linked() bool {
	if in.live() == "" {
		return false
	}
	for _, name := range in.names() {
		if t, err := os.Readlink(in.path(name)); err != nil || t != linkTarget(name) {
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
func (in *installer) ensureLinked() (string, error) {
	if in.linked() {
		return in.live(), nil
	}
	if err := in.step("mkdir " + versionsDir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(in.path(versionsDir), 0o755); err != nil {
		return "", err
	}
	var current []outFile
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
		current = append(current, outFile{name, data, filePerm(name)})
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
func (in *installer) readCurrent(name string) ([]byte, error) {
	ours, err := ownLink(in.dir, name)
	switch {
	case err != nil:
		return nil, err
	case !ours:
		return readOwn(in.path(name))
	case in.live() == "":
		return nil, fs.ErrNotExist // our link, to no version yet
	}
	return readOwn(in.path(versionsDir, in.live(), name))
}

// filePerm is the mode of a certificate file: the key is the owner's alone.
func filePerm(name string) os.FileMode {
	if name == keyFile {
		return 0o600
	}
	return 0o644
}

// link replaces the top-level name by the link into the live version, with
// one rename.
func (in *installer) link(name string) error {
	target := linkTarget(name)
	if t, err := os.Readlink(in.path(name)); err == nil && t == target {
		return nil
	}
	tmp := in.path("." + name + linkTmpSuffix)
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
	return in.syncDir(in.dir)
}

// writeVersion writes files into a new version directory, each synced, and
// the directory too, and returns the version. Nothing points to it yet.
func (in *installer) writeVersion(files []outFile) (string, error) {
	next := uint64(1)
	for _, v := range append(in.versions(), in.live()) {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil && n >= next {
			next = n + 1
		}
	}
	v := strconv.FormatUint(next, 10)
	if err := in.step("mkdir version"); err != nil {
		return "", err
	}
	dir := in.path(versionsDir, v)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	for _, f := range files {
		if err := in.step("write " + f.name); err != nil {
			return "", err
		}
		tmp, err := writeTemp(dir, f)
		if err == nil {
			err = os.Rename(tmp, filepath.Join(dir, f.name))
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
func (in *installer) switchLive(v string) error {
	tmp := in.path(versionsDir, liveTmp)
	if err := in.step("symlink " + liveTmp); err != nil {
		return err
	}
	_ = os.Remove(tmp)
	if err := os.Symlink(v, tmp); err != nil {
		return err
	}
	if err := in.step("rename " + liveTmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, in.path(versionsDir, liveLink)); err != nil {
		os.Remove(tmp)
		return err
	}
	return in.syncDir(in.path(versionsDir))
}

// syncDir makes the renames in dir durable.
func (in *installer) syncDir(dir string) error {
	if err := in.step("sync " + filepath.Base(dir)); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// prune removes every version but live and keep.
func (in *installer) prune(live, keep string) {
	for _, v := range in.versions() {
		if v != live && v != keep {
			_ = os.RemoveAll(in.path(versionsDir, v))
		}
	}
}

// removeLeftovers removes what a run that stopped halfway left behind: the
// temporary files of writeFiles and link (which may hold a key), an
// unrenamed live link, and versions newer than the live one, which were
// never made live. It returns the names it removed.
func (in *installer) removeLeftovers() ([]string, error) {
	// Versions are removed from .alicert: never through a link to a
	// directory elsewhere.
	if err := checkOwnDir(in.path(versionsDir)); err != nil {
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
	entries, err := os.ReadDir(in.dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") && (strings.Contains(n, ".tmp-") || strings.HasSuffix(n, linkTmpSuffix)) {
			if err := remove(n); err != nil {
				return removed, err
			}
		}
	}
	if _, err := os.Lstat(in.path(versionsDir, liveTmp)); err == nil {
		if err := remove(filepath.Join(versionsDir, liveTmp)); err != nil {
			return removed, err
		}
	}
	live, _ := strconv.ParseUint(in.live(), 10, 64)
	vs := in.versions()
	slices.Sort(vs)
	for _, v := range vs {
		if n, _ := strconv.ParseUint(v, 10, 64); n > live {
			if err := remove(filepath.Join(versionsDir, v)); err != nil {
				return removed, err
			}
		}
	}
	return removed, nil
}
