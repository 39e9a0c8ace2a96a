package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/alicert/alicert"
)

// The checks obtain makes before it orders: each failure it can foresee
// stops it while stopping costs nothing, not after a certificate was
// bought.

// prepareOut makes sure dir is a directory, creating it when it does not
// exist, that no other user can change (trustOut). Whether files can be
// created there is probeWrite's to check, once the run holds the directory.
func prepareOut(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("-out %s is not a directory", dir)
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("-out %s cannot be created: %v", dir, err)
		}
	case err != nil:
		return fmt.Errorf("-out %s cannot be used: %v", dir, errors.Unwrap(err))
	}
	return trustOut(dir)
}

// probeWrite creates and removes a file in dir: the only sure test that
// files can be created there (permissions, a read-only mount, ACLs).
func probeWrite(dir, what string) error {
	f, err := os.CreateTemp(dir, ".alicert-probe.tmp-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %v", what, errors.Unwrap(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// checkTargets makes sure the certificate files can be replaced in dir:
// each existing one is a file or the link alicert makes (not a directory,
// or a link to elsewhere) and can be read, to be kept as the previous
// version; the versions directory, when it exists, is a writable directory
// of the user's own, not a link.
func checkTargets(dir string) error {
	for _, name := range pairFiles() {
		path := filepath.Join(dir, name)
		fi, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return err
		case fi.Mode()&fs.ModeSymlink != 0:
			if _, err := ownLink(dir, name); err != nil {
				return err
			}
			continue // replaced by a rename
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%s is not a file (%s); %s cannot be written there", path, fi.Mode().Type(), name)
		}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("%s cannot be read: %v", path, errors.Unwrap(err))
		}
		f.Close()
	}
	vdir := filepath.Join(dir, versionsDir)
	if err := checkOwnDir(vdir); err != nil {
		return err
	}
	if _, err := os.Lstat(vdir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return probeWrite(vdir, vdir)
}

// checkZone makes sure the account hosts, in Alibaba Cloud DNS, a zone that
// can hold domain's validation record (zone itself when set): the zone
// lookup of AlidnsProvider, done before ordering. An input the library
// refuses is left to the order, which reports it by field.
func checkZone(ctx context.Context, cl *alicert.Client, domain, zone string) error {
	d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	d = strings.TrimPrefix(d, "*.")
	name := "_dnsauth." + d
	cands := []string{strings.ToLower(strings.TrimSuffix(strings.TrimSpace(zone), "."))}
	if cands[0] == "" {
		cands = nil
		labels := strings.Split(d, ".")
		for i := 0; i <= len(labels)-2; i++ {
			cands = append(cands, strings.Join(labels[i:], "."))
		}
	}
	for _, cand := range cands {
		_, err := cl.DNS.DescribeSubDomainRecords(ctx, &alicert.DescribeSubDomainRecordsInput{
			SubDomain: name, DomainName: cand, Type: "TXT", PageSize: 1,
		})
		var ve *alicert.ValidationError
		switch {
		case err == nil, errors.As(err, &ve):
			return nil
		case alicert.IsDNSZoneNotFound(err):
			continue
		}
		return fmt.Errorf("checking that Alibaba Cloud DNS hosts the zone of %s: %w", domain, err)
	}
	if len(cands) == 0 {
		return nil
	}
	if zone != "" {
		return fmt.Errorf("-dns-zone %s is not hosted in this account's Alibaba Cloud DNS", zone)
	}
	return fmt.Errorf("no zone holding %s is hosted in this account's Alibaba Cloud DNS (looked for %s); "+
		"add the zone there, or name it with -dns-zone", domain, strings.Join(cands, ", "))
}
