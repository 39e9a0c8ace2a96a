package alicerttest

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alicert/alicert/internal/signature"
	"github.com/alicert/alicert/internal/wire"
)

// Requests are routed the way the Alibaba Cloud gateway routes them, by API
// version and action name, through one table per API: casAPI in cas.go,
// pcaAPI in pca.go, kmsAPI in kms.go and alidnsAPI in alidns.go. To serve a
// further API, write its table and handlers in a file of its own and list
// its table in apis.
// Handlers get an authenticated call and return a response document or an
// *apiError; authentication, faults, request ids and error documents are
// the same for every API. Domain validation of certificate orders can
// consult such an API through the Server.validated hook (see orders.go).

// api is one RPC API: its product code (used in error links), its version
// and its actions.
type api struct {
	product string
	version string
	actions map[string]handler
}

// handler performs one action. It returns the response document (a struct
// with a RequestId field, which the handler fills from c.requestID) or the
// error to answer with.
type handler func(s *Server, c *call) (any, *apiError)

// apis lists every API a Server serves.
func apis() []api {
	return []api{casAPI(), pcaAPI(), kmsAPI(), alidnsAPI()}
}

// route is how the gateway finds an operation.
type route struct{ version, action string }

// operation is one routed action.
type operation struct {
	product string
	handle  handler
}

func buildRoutes(list []api) map[route]operation {
	routes := make(map[route]operation)
	for _, a := range list {
		for action, h := range a.actions {
			routes[route{a.version, action}] = operation{product: a.product, handle: h}
		}
	}
	return routes
}

// productOf names the product serving an API version, for error links.
func (s *Server) productOf(version string) string {
	for r, op := range s.routes {
		if r.version == version {
			return op.product
		}
	}
	return ""
}

// call is one authenticated request, as a handler sees it.
type call struct {
	requestID string
	params    url.Values
	now       time.Time // the server's clock when the request arrived
}

// get returns a parameter's value.
func (c *call) get(name string) string { return c.params.Get(name) }

// apiError is an error answer: HTTP status, code and message of the
// service's JSON error document.
type apiError struct {
	status  int
	code    string
	message string
}

// missing reports a required parameter that is absent or empty, in the
// words of the Alibaba Cloud gateway.
func missing(name string) *apiError {
	return &apiError{http.StatusBadRequest, "MissingParameter",
		fmt.Sprintf("The input parameter %q that is mandatory for processing this request is not supplied.", name)}
}

// invalid reports a parameter whose value the service rejects.
func invalid(name, why string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameter",
		fmt.Sprintf("The specified parameter %q is not valid: %s", name, why)}
}

// errorDocument is the service's JSON error body.
type errorDocument = wire.ErrorDocument

// commonParams are the parameters every RPC request carries, in the order
// the server checks them.
var commonParams = [...]string{
	"Action", "Version", "Format", "AccessKeyId", "SignatureMethod",
	"SignatureVersion", "SignatureNonce", "Timestamp", "Signature",
}

// timestampLayout is the only form of Timestamp the service accepts.
const timestampLayout = wire.TimestampLayout

// timestampWindow is how far a request's Timestamp may be from the server's
// clock, either way.
const timestampWindow = wire.WindowMinutes * time.Minute

// reply is a response ready to write.
type reply struct {
	status int
	body   []byte
}

// serveHTTP is the server's handler: read the parameters, take the next
// fault, record the request, then either fail it as the fault says or
// process it (and spoil the response as the fault says).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.now()
	requestID := newRequestID()
	params, body, perr := readParams(r)
	v3 := isV3(r.Header)
	if v3 {
		routeByHeaders(params, r.Header)
	}
	fault := s.arrive(params, now, false)

	product := s.productOf(params.Get("Version"))
	switch fault.Kind {
	case FaultThrottle, FaultInternalError, FaultUnavailable:
		writeReply(w, requestID, errorReply(faultErrors[fault.Kind], requestID, r.Host, product))
		return
	case FaultBadGatewayHTML:
		writeBadGateway(w)
		return
	case FaultResetBeforeAct:
		resetConnection(w)
		return
	case FaultSlow:
		if !s.stall(r, fault.Delay) {
			return // the client went away or the server is closing: drop the request unprocessed
		}
	}

	rep := s.process(r, params, body, v3, perr, requestID, now)

	switch fault.Kind {
	case FaultTruncatedJSON:
		rep.body = rep.body[:len(rep.body)/2]
	case FaultResetAfterAct:
		resetConnection(w)
		return
	case FaultOversizedBody:
		rep.body = append(rep.body, bytes.Repeat([]byte{' '}, oversizedBodyBytes)...)
	case FaultServerErrorIn200, FaultNonceReplayed:
		rep = errorReply(faultErrors[fault.Kind], requestID, r.Host, product)
	case FaultStreamResetAfterAct:
		panic(http.ErrAbortHandler) // HTTP/2: RST_STREAM; HTTP/1.1: the connection closes
	}
	writeReply(w, requestID, rep)
}

// maxRequestBody bounds what the fake reads of a request body.
const maxRequestBody = 8 << 20

// readParams returns the request's parameters (the query string, and the
// form body of a POST) and its raw body, which signature V3 signs.
func readParams(r *http.Request) (url.Values, []byte, *apiError) {
	switch r.Method {
	case http.MethodGet, http.MethodPost:
	default:
		return url.Values{}, nil, &apiError{http.StatusMethodNotAllowed, "UnsupportedHTTPMethod",
			fmt.Sprintf("The HTTP method %s is not supported; use GET or POST.", r.Method)}
	}
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(io.LimitReader(r.Body, maxRequestBody)); err != nil {
			return url.Values{}, nil, &apiError{http.StatusBadRequest, "InvalidParameter", "The request body cannot be read."}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err := r.ParseForm(); err != nil {
		return cloneValues(r.Form), body, &apiError{http.StatusBadRequest, "InvalidParameter",
			"The request parameters cannot be parsed: " + err.Error()}
	}
	for k, vs := range r.Form {
		if len(vs) > 1 {
			return r.Form, body, invalid(k, "the parameter is given more than once")
		}
	}
	return r.Form, body, nil
}

// process authenticates a request and runs its action.
func (s *Server) process(r *http.Request, params url.Values, body []byte, v3 bool, perr *apiError, requestID string, now time.Time) reply {
	var op operation
	var aerr *apiError
	if v3 {
		op, aerr = s.authenticateV3(r, params, body, perr, now)
	} else {
		op, aerr = s.authenticate(r.Method, params, perr, now)
	}
	if aerr != nil {
		return errorReply(aerr, requestID, r.Host, s.productOf(params.Get("Version")))
	}
	out, aerr := op.handle(s, &call{requestID: requestID, params: params, now: now})
	if aerr != nil {
		return errorReply(aerr, requestID, r.Host, op.product)
	}
	return reply{status: http.StatusOK, body: marshal(out)}
}

// authenticate checks the common parameters, the signature, the timestamp
// and the nonce, and finds the operation, as the gateway does before any
// action runs.
func (s *Server) authenticate(method string, params url.Values, perr *apiError, now time.Time) (operation, *apiError) {
	if perr != nil {
		return operation{}, perr
	}
	for _, name := range commonParams {
		if params.Get(name) == "" {
			return operation{}, missing(name)
		}
	}
	op, ok := s.routes[route{params.Get("Version"), params.Get("Action")}]
	if !ok {
		return operation{}, &apiError{http.StatusBadRequest, "InvalidAction.NotFound",
			fmt.Sprintf("Specified api is not found, please check your url and method. (Action %q, Version %q)",
				params.Get("Action"), params.Get("Version"))}
	}
	if aerr := checkProtocol(params, now); aerr != nil {
		return operation{}, aerr
	}
	if aerr := s.checkSignature(method, params); aerr != nil {
		return operation{}, aerr
	}
	if aerr := s.useNonce(params.Get("SignatureNonce")); aerr != nil {
		return operation{}, aerr
	}
	return op, nil
}

// checkProtocol checks Format, the signature method and version, and the
// timestamp.
func checkProtocol(params url.Values, now time.Time) *apiError {
	if !strings.EqualFold(params.Get("Format"), "JSON") {
		return invalid("Format", "this fake answers JSON only")
	}
	if params.Get("SignatureMethod") != "HMAC-SHA1" {
		return invalid("SignatureMethod", "the signature method must be HMAC-SHA1")
	}
	if params.Get("SignatureVersion") != "1.0" {
		return invalid("SignatureVersion", "the signature version must be 1.0")
	}
	return checkTimestamp(params.Get("Timestamp"), now)
}

// checkTimestamp checks a request's time (Timestamp, or V3's x-acs-date)
// against the server's clock.
func checkTimestamp(value string, now time.Time) *apiError {
	ts, err := time.Parse(timestampLayout, value)
	if err != nil {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Format",
			"Specified time stamp or date value is not well formatted; use the UTC form yyyy-MM-ddTHH:mm:ssZ."}
	}
	if d := now.Sub(ts); d > timestampWindow || d < -timestampWindow {
		return &apiError{http.StatusBadRequest, "InvalidTimeStamp.Expired",
			fmt.Sprintf("Specified time stamp or date value is expired. (request %s, server %s)",
				ts.Format(timestampLayout), now.UTC().Format(timestampLayout))}
	}
	return nil
}

// checkSignature finds the AccessKey, checks the security token, then
// recomputes the signature over every parameter but Signature with the
// request's method, exactly as the client computed it.
func (s *Server) checkSignature(method string, params url.Values) *apiError {
	s.mu.Lock()
	cred, ok := s.creds[params.Get("AccessKeyId")]
	s.mu.Unlock()
	if !ok {
		return &apiError{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	if token := params.Get("SecurityToken"); token != cred.token {
		return &apiError{http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
			"Specified SecurityToken mismatch with the AccessKey."}
	}
	list := make([]signature.Param, 0, len(params))
	for k, vs := range params {
		if k == "Signature" {
			continue
		}
		for _, v := range vs {
			list = append(list, signature.Param{Key: k, Value: v})
		}
	}
	signature.Sort(list)
	canonical := signature.AppendCanonical(nil, list)
	sts := signature.AppendStringToSign(nil, method, canonical)
	want := signature.Sign(cred.secret, sts)
	if !hmac.Equal([]byte(want), []byte(params.Get("Signature"))) {
		return &apiError{http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:" + string(sts)}
	}
	return nil
}

// useNonce rejects a SignatureNonce this server has seen before. Nonces are
// kept for the server's lifetime, which is stricter than the service's
// 15 minutes.
func (s *Server) useNonce(nonce string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, seen := s.nonces[nonce]; seen {
		return &apiError{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	s.nonces[nonce] = struct{}{}
	return nil
}

// errorReply builds the JSON error document for e.
func errorReply(e *apiError, requestID, host, product string) reply {
	q := url.Values{"q": {e.code}, "requestId": {requestID}}
	if product != "" {
		q.Set("product", product)
	}
	return reply{status: e.status, body: marshal(errorDocument{
		RequestID: requestID,
		HostID:    host,
		Code:      e.code,
		Message:   e.message,
		Recommend: "https://api.aliyun.com/troubleshoot?" + q.Encode(),
	})}
}

// marshal encodes a response document without HTML escaping, as the
// service writes PEM ("<" and ">" never occur, but "+" and "/" do).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every document is a plain struct of strings and integers.
		panic("alicerttest: encoding a response: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// writeReply writes a JSON reply with the request id header every response
// of the service carries.
func writeReply(w http.ResponseWriter, requestID string, rep reply) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("x-acs-request-id", requestID)
	h.Set("Content-Length", fmt.Sprint(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}
