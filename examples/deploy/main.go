// Command deploy replaces a certificate wherever it is served: it finds the
// cloud resources (CDN domains, load balancer listeners...) that serve the
// old certificate, deploys the new one to them with one deployment job,
// and prints the outcome for each resource.
//
// By default it runs against the in-process fake from package alicerttest,
// seeded with a CDN domain and a load balancer serving certificate 1001;
// with -real it calls Alibaba Cloud with credentials from the default chain.
//
//	go run ./examples/deploy
//	go run ./examples/deploy -real -cert 12433999 -old 12433121
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alicert/alicert"
	"github.com/alicert/alicert/alicerttest"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	real := fs.Bool("real", false, "call Alibaba Cloud (credentials from the default chain) instead of the in-process fake")
	cert := fs.Int64("cert", 2002, "the certificate to deploy")
	old := fs.Int64("old", 1001, "the certificate to replace")
	rollback := fs.Bool("rollback", false, "roll the resources that fail back to the old certificate")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var opts []alicert.Option
	poll := time.Duration(0) // the 30s default
	if !*real {
		srv := alicerttest.NewServer(
			alicerttest.WithContact("Ops", "ops@example.com", "13800000000"),
			alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "CDN", Domain: "www.example.com", CertID: *old}),
			alicerttest.WithCloudResource(alicerttest.CloudResource{CloudProduct: "SLB", InstanceID: "lb-bp1example",
				ListenerID: "lsn-bp1example@443", ListenerPort: "443", CertID: *old}),
		)
		defer srv.Close()
		opts = srv.ClientOptions()
		poll = time.Millisecond
	}
	client, err := alicert.NewClient(opts...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}

	serving, err := client.CAS.CloudResourcesServing(ctx, *old)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if len(serving) == 0 {
		fmt.Fprintf(stdout, "no resource serves certificate %d\n", *old)
		return 0
	}
	var ids []int64
	for _, r := range serving {
		ids = append(ids, r.ID)
	}
	out, err := client.CAS.Deploy(ctx, &alicert.DeployInput{
		CertID: *cert, ResourceIDs: ids, PollInterval: poll, RollbackFailed: *rollback,
		Progress: func(e alicert.DeployEvent) { fmt.Fprintln(stderr, e.Message) },
	})
	if out != nil {
		for _, w := range out.Workers {
			fmt.Fprintf(stdout, "%-5s %-40s %s\n", w.CloudProduct, w.ResourceDomain+w.InstanceID, w.Status)
		}
	}
	switch {
	case errors.Is(err, alicert.ErrDeploymentFailed):
		fmt.Fprintln(stderr, err) // names each resource that failed
		return 1
	case errors.Is(err, alicert.ErrOutcomeUnknown):
		fmt.Fprintln(stderr, err, "(run again: Deploy finds the job by its name)")
		return 3
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
