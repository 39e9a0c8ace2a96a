package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// This file is the pca verb: the Private CA (CAS API 2020-06-30) under
// one name, with a command of its own for each thing it does (pca_list.go,
// pca_issue.go, pca_revoke.go).

const pcaUsageText = `usage: alicert pca <command> [flags]

Issues certificates from your own CA in Certificate Management Service (the
Private CA, API 2020-06-30): a sub-CA signs in one synchronous call, with no
DNS validation and no review, for any name (internal ones included) and for
server or client use: mTLS between services, client certificates for
devices. The CAs themselves are bought and created in the console (or with
the library's CreateRootCACertificate and CreateSubCACertificate); each
certificate takes one of its sub-CA's quota.

Commands:
  list     the CAs, with type, status, validity and quota left (-certs: the certificates they issued)
  issue    have a sub-CA sign a certificate, written with its key and CA into a directory
  revoke   revoke a certificate a sub-CA issued (asks for -yes)

Run "alicert pca <command> -h" for a command's most used flags, and
"alicert help pca <command>" for all of them and the details. -fake runs
each against an in-process fake Private CA: a root and a sub-CA with real
keys, which verify with any TLS stack.
`

// pcaCommands are the pca commands, in the order the help lists them.
var pcaCommands = []string{"list", "issue", "revoke"}

// subcommands are the commands of a verb that has them, by verb.
var subcommands = map[string][]string{"pca": pcaCommands}

// pca runs "alicert pca COMMAND": one of pcaCommands, or the help of all.
func (c *cli) pca(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, pcaUsageText)
		return exitUsage
	}
	switch args[0] {
	case "list":
		return c.pcaList(ctx, args[1:])
	case "issue":
		return c.pcaIssue(ctx, args[1:])
	case "revoke":
		return c.pcaRevoke(ctx, args[1:])
	case "-h", "-help", "--help":
		fmt.Fprint(c.stdout, pcaUsageText)
		if c.fullHelp {
			// "alicert help pca": every command's whole help too.
			for _, name := range pcaCommands {
				fmt.Fprintln(c.stdout)
				c.run(ctx, []string{"pca", name, "-h"})
			}
		}
		return exitOK
	}
	hint := ""
	if near := nearestOf(args[0], pcaCommands); near != "" {
		hint = fmt.Sprintf("; did you mean %q?", near)
	}
	fmt.Fprintf(c.stderr, "alicert pca: unknown command %s%s (see 'alicert pca -h')\n", quoteArg(args[0]), hint)
	return exitUsage
}

// isSubcommand reports whether "verb sub" is a command.
func isSubcommand(verb, sub string) bool { return slices.Contains(subcommands[verb], sub) }

// commandLines are every command as it is typed: each of commandNames,
// and for a verb with commands, "verb command" instead.
func commandLines() [][]string {
	var lines [][]string
	for _, name := range commandNames() {
		subs, ok := subcommands[name]
		if !ok {
			lines = append(lines, []string{name})
			continue
		}
		for _, sub := range subs {
			lines = append(lines, []string{name, sub})
		}
	}
	return lines
}

// pcaFlagNames map SignCSRInput's fields to pca issue's flags, for a
// validation error.
var pcaFlagNames = map[string]string{
	"CAIdentifier": "ca", "CSR": "csr", "Duration": "days", "DNSNames": "domain", "IPAddresses": "domain",
	"ExtKeyUsages": "usage", "CustomIdentifier": "custom-id",
}

// joinNames lists names for a message, shown as every name the command
// did not write itself is.
func joinNames(names []string) string {
	if len(names) == 0 {
		return "-"
	}
	return shown(strings.Join(names, ", "))
}
