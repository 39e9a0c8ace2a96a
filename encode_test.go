package alicert

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queryReference is how parameters were encoded before the cached encoders:
// go-querystring, then the input's own parameters set on top. It also checks
// that those never repeat a url-tagged field's key, as extraEncoder requires.
func queryReference(t *testing.T, in any) url.Values {
	t.Helper()
	v, err := query.Values(in)
	require.NoError(t, err)
	if e, ok := in.(extraEncoder); ok {
		extra, err := e.encodeExtra(nil)
		require.NoError(t, err)
		for _, p := range extra {
			assert.NotContains(t, v, p.Key, "an extra parameter repeats a url-tagged field")
		}
		for _, p := range extra {
			v.Add(p.Key, p.Value)
		}
	}
	return v
}

// encodedValues runs the client's encoder and collects its output in order.
func encodedValues(t *testing.T, c *Client, in any) url.Values {
	t.Helper()
	params, err := c.encodeParams(in)
	require.NoError(t, err)
	v := url.Values{}
	for _, p := range params {
		v.Add(p.Key, p.Value)
	}
	return v
}

type encNamed string

type encStringer int

func (s encStringer) String() string { return "stringer" }

// encAll uses every tag form the cached encoder models.
type encAll struct {
	S        string   `url:"S"`
	Named    encNamed `url:"Named"`
	NoName   string
	Empty    string      `url:"Empty,omitempty"`
	I8       int8        `url:"I8"`
	I64      int64       `url:"I64,omitempty"`
	U16      uint16      `url:"U16"`
	B        bool        `url:"B"`
	BInt     bool        `url:"BInt,int"`
	BOmit    bool        `url:"BOmit,omitempty"`
	Comma    []string    `url:"Comma,comma"`
	Space    []encNamed  `url:"Space,space"`
	Semi     []int       `url:"Semi,semicolon"`
	Brackets []string    `url:"Brackets,brackets"`
	Del      []string    `url:"Del" del:"|"`
	Numbered []bool      `url:"Numbered,numbered,int"`
	Repeated []uint      `url:"Repeated"`
	EmptyL   []string    `url:"EmptyL,comma,omitempty"`
	Subject  Subject     `url:"Subject"`
	Skipped  string      `url:"-"`
	hidden   string      // unexported: never sent
	Dup      string      `url:"S"`
	Sub2     Subject     `url:"Sub2"`
	I        int         `url:"I,omitempty"`
	Str2     encNamed    `url:",omitempty"`
	Bools    []bool      `url:"Bools,comma"`
	U8s      []uint8     `url:"U8s"`
	Ints     []int32     `url:"Ints,numbered"`
	Brack2   []encNamed  `url:"Brack2,brackets,comma"`
	Mixed    []string    `url:"Mixed,space,comma"`
	Unused   encNamed    `url:"-,"`
	Omitted  []encNamed  `url:"Omitted,omitempty"`
	Subj3    Subject     `url:"S"`
	Last     string      `url:"Last"`
	Ptrs     []*string   `url:"-"`
	Times    []time.Time `url:"-"`
}

// Inputs that go-querystring encodes itself (forms the fields do not model).
type (
	encEmbedded struct {
		encNested
		A string `url:"A"`
	}
	encNested struct {
		N string `url:"N"`
	}
	encWithStruct struct {
		Inner encNested `url:"Inner"`
	}
	encPointer struct {
		P *string `url:"P,omitempty"`
	}
	encNilPointer struct {
		P *string `url:"P"`
	}
	encTime struct {
		T time.Time `url:"T"`
	}
	encFloat struct {
		F float64 `url:"F"`
	}
	encStringerField struct {
		S encStringer `url:"S"`
	}
	encStringerList struct {
		S []encStringer `url:"S,comma"`
	}
	encOmitSubject struct {
		S Subject `url:"S,omitempty"`
	}
)

func newEncodeClient(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(WithAccessKey("id", "secret"))
	require.NoError(t, err)
	return c
}

// TestInputEncoderMatchesQuery holds the cached encoders to go-querystring's
// output for every tag form they model, for the real inputs, and checks that
// the forms they do not model go to go-querystring.
func TestInputEncoderMatchesQuery(t *testing.T) {
	t.Parallel()
	c := newEncodeClient(t)
	s := "p"
	cases := []struct {
		name     string
		in       any
		viaQuery bool
	}{
		{name: "every form", in: &encAll{
			S: "a b&c", Named: "n", NoName: "x", I8: -8, I64: 1 << 62, U16: 65535, B: true, BInt: true,
			Comma: []string{"a", "b,c", ""}, Space: []encNamed{"x", "y"}, Semi: []int{-1, 0, 1},
			Brackets: []string{"p", "q"}, Del: []string{"1", "2"}, Numbered: []bool{true, false},
			Repeated: []uint{3, 4}, Subject: Subject{CommonName: "a,b", Country: "CN"}, Skipped: "no",
			hidden: "no", Dup: "dup", Sub2: Subject{CommonName: "x"}, I: 7, Str2: "s2",
			Bools: []bool{true, false}, U8s: []uint8{1, 255}, Ints: []int32{5, 6}, Brack2: []encNamed{"b"},
			Mixed: []string{"m", "n"}, Omitted: []encNamed{"o"}, Subj3: Subject{Organization: "O"}, Last: "z",
		}},
		{name: "every form, zero", in: &encAll{}},
		{name: "CreateCsr", in: &CreateCsrInput{
			Algorithm: AlgorithmRSA, KeySize: 2048, CommonName: "example.com", CountryCode: "CN",
			Province: "Zhe Jiang", Locality: "Hangzhou", SANs: []string{"a.example.com", "*.b.example.com"},
			CorpName: "Example Co., Ltd.", Department: "IT", Name: "n",
		}},
		{name: "CreateCsr, zero", in: &CreateCsrInput{}},
		{name: "CreateCertificateRequest", in: &CreateCertificateRequestInput{
			ProductCode: "digicert-free-1-free", Username: "Zhang San", Phone: "1", Email: "a@b.c",
			Domain: "example.com", ValidateType: ValidateDNS,
			Tags: []Tag{{Key: "k", Value: "v"}, {Key: "Domain", Value: "tag set over a field"}, {Key: "e"}},
		}},
		{name: "CreateCertificateRequest, zero", in: &CreateCertificateRequestInput{}},
		{name: "DescribeCertificateState", in: &DescribeCertificateStateInput{OrderID: 1<<63 - 1}},
		{name: "GetCsrDetail", in: &GetCsrDetailInput{CsrID: -1}},
		{name: "KMS CreateCertificate", in: &CreateCertificateInput{
			KeySpec: KeySpecECP256, Subject: wireDN, SubjectAlternativeNames: []string{"a", "b"},
		}},
		{name: "KMS CreateCertificate, exportable", in: &CreateCertificateInput{ExportablePrivateKey: true}},
		{name: "UploadCertificate", in: &UploadCertificateInput{CertificateID: wireOddCertID, Certificate: "c"}},
		{name: "embedded struct", in: &encEmbedded{encNested{"n"}, "a"}, viaQuery: true},
		{name: "nested struct", in: &encWithStruct{encNested{"n"}}, viaQuery: true},
		{name: "pointer", in: &encPointer{P: &s}, viaQuery: true},
		{name: "nil pointer", in: &encNilPointer{}, viaQuery: true},
		{name: "time", in: &encTime{T: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}, viaQuery: true},
		{name: "float", in: &encFloat{F: 1.5}, viaQuery: true},
		{name: "Stringer", in: &encStringerField{S: 3}, viaQuery: true},
		{name: "Stringer list", in: &encStringerList{S: []encStringer{1, 2}}, viaQuery: true},
		{name: "Encoder with omitempty", in: &encOmitSubject{}, viaQuery: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			typ := reflect.TypeOf(tc.in).Elem()
			assert.Equal(t, tc.viaQuery, c.encoders.get(typ).viaQuery, "which encoder handles %s", typ)
			want := queryReference(t, tc.in)
			require.NotEmpty(t, want, "a case must send something to compare")
			assert.Equal(t, want, encodedValues(t, c, tc.in))
		})
	}
}

// TestInputEncoderNonStruct keeps go-querystring's error for an input that
// is not a struct.
func TestInputEncoderNonStruct(t *testing.T) {
	t.Parallel()
	c := newEncodeClient(t)
	n := 3
	_, err := c.encodeParams(&n)
	_, want := query.Values(&n)
	require.Error(t, want)
	assert.EqualError(t, err, want.Error())
}

// FuzzInputEncoder compares the cached encoder with go-querystring on
// arbitrary field values.
func FuzzInputEncoder(f *testing.F) {
	f.Add("example.com", "a,b", int64(2048), uint16(1), true)
	f.Add("", "", int64(0), uint16(0), false)
	f.Add("证书 &=+%", "\x00\xff", int64(-1<<63), uint16(65535), true)
	c, err := NewClient(WithAccessKey("id", "secret"))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s1, s2 string, i int64, u uint16, b bool) {
		for _, in := range []any{
			&encAll{S: s1, Named: encNamed(s2), Empty: s2, I64: i, U16: u, B: b, BInt: b, BOmit: b,
				Comma: []string{s1, s2}, Space: []encNamed{encNamed(s1)}, Numbered: []bool{b},
				Repeated: []uint{uint(u)}, Subject: Subject{CommonName: s1, Locality: s2}, I: int(i), Str2: encNamed(s1)},
			&CreateCsrInput{CommonName: s1, Province: s2, KeySize: int(i), SANs: []string{s1, s2}, Name: s2},
			&CreateCertificateRequestInput{Domain: s1, Email: s2, Tags: []Tag{{Key: s2, Value: s1}}},
			&CreateCertificateInput{Subject: Subject{Organization: s1}, SubjectAlternativeNames: []string{s2}, ExportablePrivateKey: b},
		} {
			assert.Equal(t, queryReference(t, in), encodedValues(t, c, in))
		}
	})
}
