package alicert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/signature"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// operation describes one API action for the call path.
type operation struct {
	action string
	api    api // the service that serves the action
	kind   opKind
	// unknownHint tells the user, after an unknown outcome, what may have
	// happened and how to check, for example "the order may have been
	// created; check with DescribeCertificateState or the console before
	// trying again".
	unknownHint string
	// doneWhen, if set, recognises the error a repeat gets when an earlier
	// attempt of the same call, whose answer was lost, already did the
	// work (a delete that finds its target gone). It is consulted only
	// after such an attempt; the call then succeeds.
	doneWhen func(*APIError) bool
	// v3Body names the parameters the official client sends in a form body
	// rather than the query under signature V3: those its generated
	// *WithOptions method puts in its body map. Empty for most actions.
	v3Body []string
}

// unknown wraps cause, from an attempt that may have reached the service, in
// the error that says the create's outcome is unknown.
func (op *operation) unknown(cause error) error {
	return &outcomeUnknownError{operation: op.action, hint: op.unknownHint, cause: cause}
}

// request is what every *XxxInput implements for the call path.
type request interface {
	validate() []FieldError
}

// extraEncoder is implemented by inputs with fields go-querystring cannot
// express on their own types (numbered lists, JSON values). It appends
// those parameters to params; their keys never repeat a url-tagged field's.
type extraEncoder interface {
	encodeExtra(params []signature.Param) ([]signature.Param, error)
}

// idChecker is implemented by outputs that must carry an id (or, for a
// read, the field that gives it meaning): a 2xx response without it is no
// success.
type idChecker interface {
	missingID() string
}

// invoke is the one call path: validate, encode, then send with retries and
// decode into a new Out.
func invoke[Out any, In any, PIn interface {
	*In
	request
}](ctx context.Context, c *Client, op *operation, in PIn) (*Out, error) {
	if c == nil || c.cfg == nil {
		return nil, noClient(op)
	}
	if in == nil {
		in = new(In)
	}
	if problems := in.validate(); len(problems) > 0 {
		return nil, &ValidationError{Operation: op.action, Fields: problems}
	}
	params, err := c.encodeParams(in)
	if err != nil {
		return nil, errorf("alicert: %s: encoding the input: %w", op.action, err)
	}
	out := new(Out)
	if err := c.send(ctx, op, params, out); err != nil {
		return nil, err
	}
	return out, nil
}

// attempt is the result of one HTTP exchange.
type attempt struct {
	n         int // 1 for the first attempt of a call
	status    int
	body      []byte
	requestID string
	token     string        // the security token sent, to scrub it from messages
	signed    signedRequest // what was sent: its signature is scrubbed from messages
	err       error         // transport or body read error
	wire      *wireTrace    // what the transport reported doing; nil for a read (see exchange)
}

// failed reports a response with a non-2xx status.
func (a *attempt) failed() bool { return a.status < 200 || a.status > 299 }

// send runs the attempts of one call and decodes the final response into
// out. What happens after each attempt is decided by the retry rule
// (decide, in call_retry.go) from the attempt's outcome (classify, in
// call_response.go).
func (c *Client) send(ctx context.Context, op *operation, params []signature.Param, out any) error {
	ep := c.endpoints[op.api]
	mayHaveActed := false // an earlier attempt may have reached the service and acted
	for n := 1; ; n++ {
		cred, err := c.creds.get()
		if err != nil {
			return newCredentialsError(op.action, c.creds.name(), err)
		}
		// Checked after the provider, which takes no ctx and may be slow (an
		// STS refresh): a call whose ctx ended by now is never sent, and so
		// never reported as a create of unknown outcome.
		if err := ctx.Err(); err != nil {
			return errorf("alicert: %s: %w", op.action, err)
		}
		start := time.Now()
		a := c.exchange(ctx, op, ep, params, cred)
		a.n = n
		result, err := classify(op, &a, out)
		c.logAttempt(ctx, op, n, a, time.Since(start), err)
		if result == outSuccess {
			return nil
		}
		if mayHaveActed && op.alreadyDone(err) {
			return markDone(err, out)
		}
		mayHaveActed = mayHaveActed || result.mayHaveActed()
		next := decide(op.kind, result)
		switch {
		case next.unknown:
			return op.unknown(err)
		case !next.retry || n >= c.cfg.maxAttempts || ctx.Err() != nil:
			return err
		}
		if werr := c.cfg.sleep(ctx, c.backoff(n)); werr != nil {
			return errorf("alicert: %s: gave up waiting to retry (%w) after: %w", op.action, werr, err)
		}
	}
}

// alreadyDone reports an error that, after an attempt that may have acted,
// means that the work is done (see operation.doneWhen).
func (op *operation) alreadyDone(err error) bool {
	var e *APIError
	return op.doneWhen != nil && errors.As(err, &e) && op.doneWhen(e)
}

// markDone gives out, the output of a call whose work an earlier attempt
// did, the request id of the answer that said so.
func markDone(err error, out any) error {
	var e *APIError
	if errors.As(err, &e) {
		doc, _ := json.Marshal(map[string]string{"RequestId": e.RequestID})
		_ = json.Unmarshal(doc, out)
	}
	return nil
}

// exchange signs and sends one attempt and reads its response.
func (c *Client) exchange(ctx context.Context, op *operation, ep endpoint, params []signature.Param, cred *providers.Credentials) attempt {
	signed := c.signer.sign(c, op, ep, params, cred)
	a := attempt{token: cred.SecurityToken, signed: signed}
	if op.kind == opCreate {
		// Only a create needs to know whether its request was written: a
		// read is retried either way, and skips the trace's allocations.
		a.wire = new(wireTrace)
		ctx = a.wire.attach(ctx)
	}
	target := ep.url
	if signed.query != "" {
		target += "?" + signed.query
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(signed.body))
	if err != nil {
		a.err = withoutQuery(err, ep.url, signed.query)
		return a
	}
	if op.kind == opCreate {
		// Without GetBody no transport can re-send the body on its own
		// (HTTP/2 does after some stream resets): a create reaches the
		// service at most once per attempt.
		req.GetBody = nil
	}
	if len(signed.body) > 0 {
		req.Header.Set("Content-Type", formContentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if signed.v3 != nil {
		for _, h := range signed.v3.headers {
			if h.Name != "host" { // net/http sends the URL's host
				req.Header.Set(h.Name, h.Value)
			}
		}
	}
	resp, err := c.cfg.httpClient.Do(req)
	if err != nil {
		a.err = withoutQuery(err, ep.url, signed.query)
		return a
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	a.body, a.err = readLimited(resp.Body, resp.ContentLength)
	// Canonical already, so that Get need not build the canonical key.
	a.requestID = resp.Header.Get("X-Acs-Request-Id")
	if a.requestID == "" && a.failed() {
		// A success carries the id in the JSON it decodes to; the body is
		// scanned for it only when the id must explain a failure.
		a.requestID = scanRequestID(a.body)
	}
	return a
}

var errBodyTooLarge = fmt.Errorf("the response body is larger than %d bytes", maxResponseBytes)

// readLimited reads a body of at most maxResponseBytes. size is its
// Content-Length, or -1: a body that states its size is read into one buffer
// of that size, and one that states a size over the limit is not read.
func readLimited(r io.Reader, size int64) ([]byte, error) {
	const limit = maxResponseBytes + 1 // one byte more tells "too large" from "just fits"
	if size > maxResponseBytes {
		return nil, errBodyTooLarge // said so up front: not worth reading
	}
	n := 1024
	if size >= 0 && size < limit {
		n = int(size) + 1 // +1: room to read EOF without growing
	}
	buf := make([]byte, 0, n)
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), limit-len(buf)))
		}
		m, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+m]
		if len(buf) > maxResponseBytes {
			// Checked before EOF: a reader may return the last bytes and
			// io.EOF together, and one byte over is over.
			return nil, errBodyTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, errBodyTooLarge
}

// logAttempt writes one debug record per attempt: no parameters, no secrets.
func (c *Client) logAttempt(ctx context.Context, op *operation, n int, a attempt, d time.Duration, err error) {
	l := c.cfg.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	requestID := a.requestID
	if requestID == "" {
		requestID = scanRequestID(a.body) // a success's id is in its body
	}
	attrs := []slog.Attr{
		slog.String("action", op.action),
		slog.Int("attempt", n),
		slog.Int("status", a.status),
		slog.String("request_id", requestID),
		slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "alicert attempt", attrs...)
}

// withoutQuery keeps a signature V3 request's query, which may hold an
// upload's private key, out of a transport error: net/http's *url.Error
// quotes the whole request URL, so its URL becomes the endpoint's. An error
// that still quotes the query, or a parameter's decoded value (a
// RoundTripper of the caller's that prints the URL), is replaced by its text
// with those cut out, and no longer unwraps: what it wrapped may quote them
// too.
func withoutQuery(err error, endpointURL, query string) error {
	if err == nil || query == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = endpointURL
	}
	msg := err.Error()
	scrubbed := strings.ReplaceAll(msg, query, "[query withheld]")
	values, _ := url.ParseQuery(query)
	for _, vs := range values {
		for _, v := range vs {
			// The value whole, then line by line: an error that quotes a
			// PEM value with %q shows its lines between escaped newlines.
			for _, part := range append([]string{v}, strings.Split(v, "\n")...) {
				if len(part) >= minWithheldValue {
					scrubbed = strings.ReplaceAll(scrubbed, part, "[value withheld]")
				}
			}
		}
	}
	if scrubbed == msg {
		return err
	}
	return errors.New(scrubbed)
}

// minWithheldValue is the shortest parameter value withoutQuery cuts out of
// an error: a shorter one (a page number, "RSA") would mangle the message
// and hides nothing.
const minWithheldValue = 16

// noClient is the error of a call on a nil service, or on one not taken
// from a Client (a zero CASService, say), which has no client to send with.
func noClient(op *operation) error {
	return errorf("alicert: %s: the service has no client; "+
		"call it through the CAS, KMS or DNS field of a Client from NewClient", op.action)
}
