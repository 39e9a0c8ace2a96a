package alicert

import (
	"context"
	"errors"
	"net"
	"net/http/httptrace"
	"sync/atomic"
)

// wireTrace records, through net/http/httptrace, whether an attempt's
// request was written: the one fact that decides whether a failed create
// may have reached the service. The transport calls the hooks from its own
// goroutines, hence the atomics.
type wireTrace struct {
	trace   httptrace.ClientTrace
	traced  atomic.Bool // the transport reports traces (it asked for a connection)
	written atomic.Bool // the request's headers were handed to a connection
}

// attach returns ctx with the trace's hooks, composed with any trace the
// caller's ctx already holds.
func (w *wireTrace) attach(ctx context.Context) context.Context {
	w.trace.GetConn = func(string) { w.traced.Store(true) }
	w.trace.WroteHeaders = func() { w.written.Store(true) }
	return httptrace.WithClientTrace(ctx, &w.trace)
}

// sent reports whether a request that got no response may have reached the
// service. With a transport that reports traces (net/http's), it was sent
// once its headers were written, and not otherwise: a failed dial, TLS
// handshake or proxy CONNECT writes nothing. A transport that reports no
// traces (httpmock, a custom RoundTripper), or a request sent without a
// trace (a read), proves "not sent" only with a dial *net.OpError; any other
// error may have come after the write.
func (w *wireTrace) sent(err error) bool {
	if w != nil && w.traced.Load() {
		return w.written.Load()
	}
	var op *net.OpError
	return !(errors.As(err, &op) && op.Op == "dial")
}
