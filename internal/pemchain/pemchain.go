// Package pemchain splits PEM text into its blocks and parses a certificate
// chain, for the client, the KMS signer and the fake alike. Its errors say
// what is wrong and where, never what the data holds: a private key pasted
// in the wrong place must not be echoed.
package pemchain

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// Certificate is the PEM block type of an X.509 certificate.
const Certificate = "CERTIFICATE"

// Problem says what kind of PEM text Blocks refused.
type Problem int

const (
	// Empty: the data is empty or holds only whitespace.
	Empty Problem = iota + 1
	// NoBlock: the data holds no -----BEGIN line at all.
	NoBlock
	// StrayText: something other than whitespace is outside the blocks.
	StrayText
	// Truncated: a BEGIN line has no matching END line, or bad base64.
	Truncated
)

// Error is the error of Blocks. Found is how many complete blocks come
// before the problem; PrivateKey tells that the data (NoBlock) or the
// broken block (Truncated) looks like a private key.
type Error struct {
	Problem    Problem
	Found      int
	PrivateKey bool
}

func (e *Error) Error() string {
	switch e.Problem {
	case Empty:
		return "no PEM block found (the data is empty or only whitespace)"
	case NoBlock:
		return "no PEM block found (the data does not contain a -----BEGIN line)"
	case StrayText:
		if e.Found == 0 {
			return "unexpected text before the first PEM block"
		}
		return fmt.Sprintf("unexpected text after PEM block %d", e.Found)
	default:
		return fmt.Sprintf("a PEM block after %d complete block(s) is truncated or malformed", e.Found)
	}
}

// Blocks splits data into PEM blocks. Only whitespace may surround and
// separate them (and a byte order mark may start the data), so that stray
// text and a cut-short block are reported rather than skipped, as
// pem.Decode alone would.
func Blocks(data []byte) ([]*pem.Block, error) {
	// Editors on Windows may start a saved file with a byte order mark.
	rest := bytes.TrimPrefix(data, []byte("\ufeff"))
	var blocks []*pem.Block
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		// pem.Decode skips any text before a block; the data must start
		// with one instead.
		if !bytes.HasPrefix(rest, []byte("-----BEGIN ")) {
			if len(blocks) == 0 && !bytes.Contains(data, []byte("-----BEGIN ")) {
				return nil, &Error{Problem: NoBlock, PrivateKey: LooksLikePrivateKey(string(data))}
			}
			return nil, &Error{Problem: StrayText, Found: len(blocks)}
		}
		b, next := pem.Decode(rest)
		// pem.Decode also skips a malformed block to return a later good
		// one; a second BEGIN line in what it consumed means it did.
		if b == nil || bytes.Count(rest[:len(rest)-len(next)], []byte("-----BEGIN ")) != 1 {
			return nil, &Error{Problem: Truncated, Found: len(blocks), PrivateKey: LooksLikePrivateKey(string(firstLine(rest)))}
		}
		blocks = append(blocks, b)
		rest = next
	}
	if len(blocks) == 0 {
		return nil, &Error{Problem: Empty}
	}
	return blocks, nil
}

// TypeError reports block N (from 1) of type Type where a certificate was
// expected. Its message names the type, never the content.
type TypeError struct {
	N    int
	Type string
}

func (e *TypeError) Error() string {
	if e.PrivateKey() {
		return fmt.Sprintf("PEM block %d is a private key (its content is not shown), not a certificate", e.N)
	}
	return fmt.Sprintf("PEM block %d is a %s block, not a certificate", e.N, e.Type)
}

// PrivateKey reports whether the misplaced block is a private key.
func (e *TypeError) PrivateKey() bool { return LooksLikePrivateKey(e.Type) }

// ParseError reports block N (from 1) of Total that is a CERTIFICATE block
// but no valid X.509 certificate.
type ParseError struct {
	N, Total int
	Err      error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("PEM block %d of %d is not a valid X.509 certificate: %v", e.N, e.Total, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Certificates parses a chain: every block of data must be a certificate,
// in the order given. The error is an *Error, a *TypeError or a
// *ParseError.
func Certificates(data []byte) ([]*x509.Certificate, error) {
	blocks, err := Blocks(data)
	if err != nil {
		return nil, err
	}
	certs := make([]*x509.Certificate, 0, len(blocks))
	for i, b := range blocks {
		if b.Type != Certificate {
			return nil, &TypeError{N: i + 1, Type: b.Type}
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, &ParseError{N: i + 1, Total: len(blocks), Err: err}
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// LooksLikePrivateKey reports whether s (a block type or a whole text)
// names a private key.
func LooksLikePrivateKey(s string) bool { return strings.Contains(s, "PRIVATE KEY") }

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}
