package testkit

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alicert/alicert/internal/signature"
)

func post(t *testing.T, s *Server, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.Post(s.URL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestScriptRepliesInOrderAndRecords: replies in order, the last repeating;
// every request recorded, counted per action, creates counted when acted on.
func TestScriptRepliesInOrderAndRecords(t *testing.T) {
	t.Parallel()
	s := NewScripted(t, JSON(500, `{"Code":"InternalError"}`), JSON(200, `{"OrderId":1}`))
	var hooked []int
	s.OnRequest(func(n int) { hooked = append(hooked, n) })
	var got []int
	for _, action := range []string{"CreateCertificateRequest", "CreateCertificateRequest", "DescribeCertificateState"} {
		status, _ := post(t, s, url.Values{"Action": {action}, "K": {"a b&c"}})
		got = append(got, status)
	}
	if want := []int{500, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if !slices.Equal(hooked, []int{1, 2, 3}) {
		t.Errorf("OnRequest saw %v", hooked)
	}
	if s.Attempts() != 3 || s.Calls("CreateCertificateRequest") != 2 || s.Calls("DescribeCertificateState") != 1 {
		t.Errorf("attempts %d, calls %d/%d", s.Attempts(), s.Calls("CreateCertificateRequest"), s.Calls("DescribeCertificateState"))
	}
	if s.Acted() != 1 {
		t.Errorf("Acted = %d, want 1 (the 500 was not acted on, the Describe is no create)", s.Acted())
	}
	r := s.Requests()[0]
	if r.N != 1 || r.Method != http.MethodPost || r.Form.Get("K") != "a b&c" || r.Body != "Action=CreateCertificateRequest&K=a+b%26c" {
		t.Errorf("recorded %+v", r)
	}
	if len(s.Forms()) != 3 {
		t.Errorf("Forms = %v", s.Forms())
	}
}

func TestEmptyScriptAndHijack(t *testing.T) {
	t.Parallel()
	if status, body := post(t, NewScripted(t), url.Values{}); status != 500 || !strings.Contains(body, "NoScript") {
		t.Errorf("empty script: %d %s", status, body)
	}
	s := NewScripted(t, Reply{Hijack: true})
	if status, _ := post(t, s, url.Values{"Action": {"CreateCsr"}}); status != 0 {
		t.Errorf("a hijacked request got status %d", status)
	}
	if s.Acted() != 0 {
		t.Error("a reset is not counted as acted on")
	}
}

// TestStaticAnswersEveryRequestAlike: any request, whatever its method or
// body, gets a 200 with the body, as JSON.
func TestStaticAnswersEveryRequestAlike(t *testing.T) {
	t.Parallel()
	srv := NewStatic(t, `{"RequestId":"R"}`)
	for _, form := range []url.Values{{"Action": {"CreateCsr"}}, {"Action": {"DescribeCertificateState"}, "OrderId": {"7"}}} {
		resp, err := http.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(b) != `{"RequestId":"R"}` || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%v: %d %q %q", form, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}

// TestSignMatchesTheSigner: the re-derivation agrees with the signer's own
// string-to-sign and signature.
func TestSignMatchesTheSigner(t *testing.T) {
	t.Parallel()
	form := url.Values{"Action": {"CreateCsr"}, "Sans": {"a.example.com,*.b"}, "Z": {"~ é"}}
	params := []signature.Param{{Key: "Action", Value: "CreateCsr"}, {Key: "Sans", Value: "a.example.com,*.b"}, {Key: "Z", Value: "~ é"}}
	signature.Sort(params)
	want := string(signature.AppendStringToSign(nil, "POST", signature.AppendCanonical(nil, params)))
	if got := StringToSign("POST", form); got != want {
		t.Fatalf("StringToSign = %q, want %q", got, want)
	}
	form.Set("Signature", Sign("POST", form, "secret"))
	if StringToSign("POST", form) != want {
		t.Error("Signature must not be part of the string-to-sign")
	}
	if !SignatureValid(form, "secret") || SignatureValid(form, "other") {
		t.Error("SignatureValid does not tell the secrets apart")
	}
}

func TestCountingProvider(t *testing.T) {
	t.Parallel()
	p := &CountingProvider{ID: "id", Secret: "s", Token: "tok"}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := p.GetCredentials()
			if err != nil || c.AccessKeyId != "id" || c.AccessKeySecret != "s" || c.SecurityToken != "tok" {
				t.Errorf("GetCredentials = %+v, %v", c, err)
			}
		}()
	}
	wg.Wait()
	if p.Calls() != 4 {
		t.Errorf("Calls = %d", p.Calls())
	}
	boom := errors.New("boom")
	p = &CountingProvider{Err: boom}
	if _, err := p.GetCredentials(); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}
