package alicert

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

// encAll uses every tag form the encoder takes.
type encAll struct {
	S        string   `url:"S"`
	Named    encNamed `url:"Named"`
	NoName   string
	Empty    string     `url:"Empty,omitempty"`
	I8       int8       `url:"I8"`
	I64      int64      `url:"I64,omitempty"`
	U16      uint16     `url:"U16"`
	B        bool       `url:"B"`
	BInt     bool       `url:"BInt,int"`
	BOmit    bool       `url:"BOmit,omitempty"`
	Comma    []string   `url:"Comma,comma"`
	Space    []encNamed `url:"Space,space"`
	Semi     []int      `url:"Semi,semicolon"`
	Brackets []string   `url:"Brackets,brackets"`
	Del      []string   `url:"Del" del:"|"`
	Numbered []bool     `url:"Numbered,numbered,int"`
	Repeated []uint     `url:"Repeated"`
	EmptyL   []string   `url:"EmptyL,comma,omitempty"`
	Subject  Subject    `url:"Subject"`
	Skipped  string     `url:"-"`
	hidden   string     // unexported: never sent
	Dup      string     `url:"S"`
	Sub2     Subject    `url:"Sub2"`
	I        int        `url:"I,omitempty"`
	Str2     encNamed   `url:",omitempty"`
	Bools    []bool     `url:"Bools,comma"`
	U8s      []uint8    `url:"U8s"`
	Ints     []int32    `url:"Ints,numbered"`
	Brack2   []encNamed `url:"Brack2,brackets,comma"`
	Mixed    []string   `url:"Mixed,space,comma"`
	Dash     encNamed   `url:"-,"`
	Omitted  []encNamed `url:"Omitted,omitempty"`
	Subj3    Subject    `url:"S"`
	Last     string     `url:"Last"`
}

// TestInputEncoderForms pins what each tag form sends, which is what
// go-querystring's query.Values sends for the same tags.
func TestInputEncoderForms(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, WithAccessKey("id", "secret"))
	cases := []struct {
		name string
		in   any
		want url.Values
	}{
		{
			name: "every form",
			in: &encAll{
				S: "a b&c", Named: "n", NoName: "x", I8: -8, I64: -1 << 63, U16: 65535, B: true, BInt: true,
				Comma: []string{"a", "b,c", ""}, Space: []encNamed{"x", "y"}, Semi: []int{-1, 0, 1},
				Brackets: []string{"p", "q"}, Del: []string{"1", "2"}, Numbered: []bool{true, false},
				Repeated: []uint{3, 4}, Subject: Subject{CommonName: "a,b", Country: "CN"}, Skipped: "no",
				hidden: "no", Dup: "dup", Sub2: Subject{CommonName: "x"}, I: 7, Str2: "s2",
				Bools: []bool{true, false}, U8s: []uint8{1, 255}, Ints: []int32{5, 6}, Brack2: []encNamed{"b"},
				Mixed: []string{"m", "n"}, Omitted: []encNamed{"o"}, Subj3: Subject{Organization: "O"}, Last: "z",
			},
			want: url.Values{
				// S, then Dup under the same name, then Subj3 (an encoder) sets S over both.
				"S":          {"O=O"},
				"Named":      {"n"},
				"NoName":     {"x"},
				"I8":         {"-8"},
				"I64":        {"-9223372036854775808"},
				"U16":        {"65535"},
				"B":          {"true"},
				"BInt":       {"1"},
				"Comma":      {"a,b,c,"},
				"Space":      {"x y"},
				"Semi":       {"-1;0;1"},
				"Brackets[]": {"p", "q"},
				"Del":        {"1|2"},
				"Numbered0":  {"1"},
				"Numbered1":  {"0"},
				"Repeated":   {"3", "4"},
				"Subject":    {`CN=a\,b,C=CN`},
				"Sub2":       {"CN=x"},
				"I":          {"7"},
				"Str2":       {"s2"},
				"Bools":      {"true,false"},
				"U8s":        {"1", "255"},
				"Ints0":      {"5"},
				"Ints1":      {"6"},
				"Brack2":     {"b"},
				"Mixed":      {"m,n"},
				"-":          {""},
				"Omitted":    {"o"},
				"Last":       {"z"},
			},
		},
		{
			name: "every form, zero",
			in:   &encAll{},
			want: url.Values{
				// omitempty drops the empty values; an empty list is never sent.
				"S": {""}, "Named": {""}, "NoName": {""}, "I8": {"0"}, "U16": {"0"}, "B": {"false"}, "BInt": {"0"},
				"Subject": {""}, "Sub2": {""}, "-": {""}, "Last": {""},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, encodedValues(t, c, tc.in))
		})
	}
}

// encPair writes two parameters under its key, and fails for Fail.
type encPair struct{ A, B string }

var errEncPair = errors.New("encPair: refused")

func (p encPair) EncodeValues(key string, v *url.Values) error {
	if p.A == "Fail" {
		return errEncPair
	}
	v.Set(key+".A", p.A)
	v.Add(key+".B", p.B)
	return nil
}

type encWithPair struct {
	Before string  `url:"P.A"`
	P      encPair `url:"P"`
	After  string  `url:"After"`
}

// TestInputEncoderCustomEncoders: a type with an EncodeValues method writes
// its own parameters, which replace any earlier parameter of the same name,
// and its error ends the encoding.
func TestInputEncoderCustomEncoders(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, WithAccessKey("id", "secret"))
	got := encodedValues(t, c, &encWithPair{Before: "replaced", P: encPair{A: "a", B: "b"}, After: "z"})
	assert.Equal(t, url.Values{"P.A": {"a"}, "P.B": {"b"}, "After": {"z"}}, got)

	_, err := c.encodeParams(&encWithPair{P: encPair{A: "Fail"}})
	assert.ErrorIs(t, err, errEncPair)
}

// TestInputEncoderOperations pins the parameters of real inputs, including
// those their encodeExtra appends: arrays as JSON, Tags.N.Key and
// Tags.N.Value, int64 ids beyond 2^53, and a Subject as one DN.
func TestInputEncoderOperations(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, WithAccessKey("id", "secret"))
	schedule := time.Date(2030, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	cases := []struct {
		name string
		in   any
		want url.Values
	}{
		{
			name: "CreateCsr",
			in: &CreateCsrInput{
				Algorithm: AlgorithmRSA, KeySize: 2048, CommonName: "example.com", CountryCode: "CN",
				Province: "Zhe Jiang", Locality: "Hangzhou", SANs: []string{"a.example.com", "*.b.example.com"},
				CorpName: "Example Co., Ltd.", Department: "IT", Name: "n",
			},
			want: url.Values{
				"Algorithm": {"RSA"}, "KeySize": {"2048"}, "CommonName": {"example.com"}, "CountryCode": {"CN"},
				"Province": {"Zhe Jiang"}, "Locality": {"Hangzhou"}, "Sans": {"a.example.com,*.b.example.com"},
				"CorpName": {"Example Co., Ltd."}, "Department": {"IT"}, "Name": {"n"},
			},
		},
		{
			name: "CreateCsr, zero",
			in:   &CreateCsrInput{},
			want: url.Values{
				"Algorithm": {""}, "KeySize": {"0"}, "CommonName": {""}, "CountryCode": {""},
				"Province": {""}, "Locality": {""},
			},
		},
		{
			name: "CreateCertificateRequest",
			in: &CreateCertificateRequestInput{
				ProductCode: "digicert-free-1-free", Username: "Zhang San", Phone: "1", Email: "a@b.c",
				Domain: "example.com", ValidateType: ValidateDNS,
				Tags: []Tag{{Key: "k", Value: "v"}, {Key: "Domain", Value: "a tag, not the field"}, {Key: "e"}},
			},
			want: url.Values{
				"ProductCode": {"digicert-free-1-free"}, "Username": {"Zhang San"}, "Phone": {"1"}, "Email": {"a@b.c"},
				"Domain": {"example.com"}, "ValidateType": {"DNS"},
				"Tags.1.Key": {"k"}, "Tags.1.Value": {"v"},
				"Tags.2.Key": {"Domain"}, "Tags.2.Value": {"a tag, not the field"},
				"Tags.3.Key": {"e"}, "Tags.3.Value": {""},
			},
		},
		{
			name: "CreateCertificateRequest, zero",
			in:   &CreateCertificateRequestInput{},
			want: url.Values{"Domain": {""}, "ValidateType": {""}},
		},
		{
			name: "DescribeCertificateState, the largest int64",
			in:   &DescribeCertificateStateInput{OrderID: 1<<63 - 1},
			want: url.Values{"OrderId": {"9223372036854775807"}},
		},
		{
			name: "ListCloudResources, ids as a JSON array",
			in:   &ListCloudResourcesInput{CertIDs: []int64{1<<53 + 1, 2}, ShowSize: 50},
			want: url.Values{"CertIds": {"[9007199254740993,2]"}, "ShowSize": {"50"}},
		},
		{
			name: "CreateDeploymentJob, comma-joined int64 lists",
			in: &CreateDeploymentJobInput{
				Name: "j", JobType: JobTypeUser, CertIDs: []int64{1<<62 + 1}, ResourceIDs: []int64{1, 2},
				ContactIDs: []int64{3}, ScheduleTime: schedule,
			},
			want: url.Values{
				"Name": {"j"}, "JobType": {string(JobTypeUser)}, "CertIds": {"4611686018427387905"},
				"ResourceIds": {"1,2"}, "ContactIds": {"3"}, "ScheduleTime": {strconv.FormatInt(schedule.UnixMilli(), 10)},
			},
		},
		{
			name: "KMS CreateCertificate",
			in: &CreateCertificateInput{
				KeySpec: KeySpecECP256, Subject: wireDN, SubjectAlternativeNames: []string{"a", `b"c`},
			},
			want: url.Values{
				"KeySpec": {"EC_P256"}, "Subject": {wireDNString}, "SubjectAlternativeNames": {`["a","b\"c"]`},
				"ExportablePrivateKey": {"false"},
			},
		},
		{
			name: "KMS CreateCertificate, exportable",
			in:   &CreateCertificateInput{ExportablePrivateKey: true},
			want: url.Values{"KeySpec": {""}, "Subject": {""}, "ExportablePrivateKey": {"true"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, encodedValues(t, c, tc.in))
		})
	}
}

// TestAppendTagsPastTheTable: tag names past the precomputed ones are built
// the same way.
func TestAppendTagsPastTheTable(t *testing.T) {
	t.Parallel()
	tags := make([]Tag, len(tagKeyTable)+1)
	for i := range tags {
		tags[i] = Tag{Key: "k" + strconv.Itoa(i+1), Value: "v" + strconv.Itoa(i+1)}
	}
	params := appendTags(nil, tags)
	require.Len(t, params, 2*len(tags))
	for i, tag := range tags {
		n := strconv.Itoa(i + 1)
		assert.Equal(t, "Tags."+n+".Key", params[2*i].Key)
		assert.Equal(t, tag.Key, params[2*i].Value)
		assert.Equal(t, "Tags."+n+".Value", params[2*i+1].Key)
		assert.Equal(t, tag.Value, params[2*i+1].Value)
	}
}

// encodedOperationsNotSent are the methods shaped like an operation whose input is
// never encoded itself: they run other operations, each encoding its own.
var encodedOperationsNotSent = map[string]bool{"Obtain": true, "Deploy": true, "UploadObtained": true}

// TestEveryInputEncodes builds the encoder of every operation's input type,
// so that a field of a form the encoder does not take fails here rather than
// in a user's call.
func TestEveryInputEncodes(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, WithAccessKey("id", "secret"))
	ctxType := reflect.TypeFor[context.Context]()
	var checked []string
	for _, svc := range []reflect.Type{reflect.TypeOf(c.CAS), reflect.TypeOf(c.KMS), reflect.TypeOf(c.DNS)} {
		for i := range svc.NumMethod() {
			m := svc.Method(i)
			ft := m.Type // the receiver is the first argument
			if ft.NumIn() != 3 || ft.In(1) != ctxType || encodedOperationsNotSent[m.Name] {
				continue
			}
			in := ft.In(2)
			if in.Kind() != reflect.Pointer || in.Elem().Name() != m.Name+"Input" {
				continue
			}
			checked = append(checked, in.Elem().Name())
			assert.NoError(t, c.encoders.get(in.Elem()).err, "%s.%s", svc.Elem().Name(), m.Name)
			_, err := c.encodeParams(reflect.New(in.Elem()).Interface())
			assert.NoError(t, err, "%s.%s, zero input", svc.Elem().Name(), m.Name)
		}
	}
	// The walk found the operations, not nothing.
	assert.Subset(t, checked, []string{"CreateCsrInput", "CreateCertificateInput", "AddDomainRecordInput"})
}

// Field forms the encoder refuses.
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
	encTime struct {
		T time.Time `url:"T"`
	}
	encDuration struct {
		D time.Duration `url:"D"`
	}
	encFloat struct {
		F float64 `url:"F"`
	}
	encMap struct {
		M map[string]string `url:"M"`
	}
	encArray struct {
		A [2]string `url:"A,comma"`
	}
	encInterface struct {
		I any `url:"I"`
	}
	encPointerList struct {
		L []*string `url:"L"`
	}
	encOmitSubject struct {
		S Subject `url:"S,omitempty"`
	}
	encSubjectPointer struct {
		S *Subject `url:"S"`
	}
	encTwoBad struct {
		F    float64  `url:"F"`
		Good string   `url:"Good"`
		P    *float64 `url:"P"`
	}
)

// TestInputEncoderRefusesOtherForms: a field the encoder does not take is an
// error naming the type and the field, never a guess at its text.
func TestInputEncoderRefusesOtherForms(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, WithAccessKey("id", "secret"))
	cases := []struct {
		in     any
		fields []string
	}{
		{&encEmbedded{}, []string{"encNested (embedded)"}},
		{&encWithStruct{}, []string{"Inner"}},
		{&encPointer{}, []string{"P"}},
		{&encTime{}, []string{"T"}},
		{&encDuration{}, []string{"D"}},
		{&encFloat{}, []string{"F"}},
		{&encMap{}, []string{"M"}},
		{&encArray{}, []string{"A"}},
		{&encInterface{}, []string{"I"}},
		{&encPointerList{}, []string{"L"}},
		{&encOmitSubject{}, []string{"S"}},
		{&encSubjectPointer{}, []string{"S"}},
		{&encTwoBad{}, []string{"F (float64", "P (*float64"}},
	}
	for _, tc := range cases {
		typ := reflect.TypeOf(tc.in).Elem()
		t.Run(typ.Name(), func(t *testing.T) {
			t.Parallel()
			_, err := c.encodeParams(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), typ.String())
			for _, f := range tc.fields {
				assert.Contains(t, err.Error(), f)
			}
		})
	}
	_, err := c.encodeParams(&encTwoBad{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Good", "a good field is not named")
}

// TestInputEncoderNonStruct: an input that is not a struct is an error.
func TestInputEncoderNonStruct(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, WithAccessKey("id", "secret"))
	n := 3
	_, err := c.encodeParams(&n)
	assert.EqualError(t, err, "int is not a struct")
}

// encBadInput is an input with a field the encoder refuses.
type encBadInput struct {
	Name string        `url:"Name"`
	Wait time.Duration `url:"Wait"`
}

func (*encBadInput) validate() []FieldError { return nil }

type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("countingTransport: no requests expected")
}

// TestRefusedInputSendsNothing: a call whose input cannot be encoded fails
// with the encoder's error and sends nothing.
func TestRefusedInputSendsNothing(t *testing.T) {
	t.Parallel()
	rt := new(countingTransport)
	c, err := NewClient(WithAccessKey("id", "secret"), WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	op := &operation{action: "EncodeTest", api: apiCAS, kind: opIdempotent}
	_, err = invoke[struct{}](t.Context(), c, op, &encBadInput{Name: "n", Wait: time.Second})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "EncodeTest: encoding the input")
	assert.Contains(t, err.Error(), "Wait (time.Duration")
	assert.Zero(t, rt.n.Load(), "requests sent")
}

// FuzzInputEncoder checks the encoder's output for arbitrary field values
// against what each tag form means, written out field by field.
func FuzzInputEncoder(f *testing.F) {
	f.Add("example.com", "a,b", int64(2048), uint16(1), true)
	f.Add("", "", int64(0), uint16(0), false)
	f.Add("证书 &=+%", "\x00\xff", int64(-1<<63), uint16(65535), true)
	c := newTestClient(f, WithAccessKey("id", "secret"))
	f.Fuzz(func(t *testing.T, s1, s2 string, i int64, u uint16, b bool) {
		flag := map[bool]string{true: "1", false: "0"}[b]
		subject := Subject{CommonName: s1, Locality: s2}
		want := url.Values{
			"S": {""}, "Named": {s2}, "NoName": {""}, "I8": {"0"}, "U16": {strconv.FormatUint(uint64(u), 10)},
			"B": {strconv.FormatBool(b)}, "BInt": {flag}, "Comma": {s1 + "," + s2}, "Space": {s1},
			"Numbered0": {flag}, "Repeated": {strconv.FormatUint(uint64(u), 10)}, "Subject": {subject.String()},
			"Sub2": {""}, "-": {""}, "Last": {""},
		}
		setIf := func(set bool, key, value string) {
			if set {
				want[key] = []string{value}
			}
		}
		setIf(s2 != "", "Empty", s2)
		setIf(i != 0, "I64", strconv.FormatInt(i, 10))
		setIf(b, "BOmit", "true")
		setIf(int(i) != 0, "I", strconv.Itoa(int(i)))
		setIf(s1 != "", "Str2", s1)
		in := &encAll{
			Named: encNamed(s2), Empty: s2, I64: i, U16: u, B: b, BInt: b, BOmit: b,
			Comma: []string{s1, s2}, Space: []encNamed{encNamed(s1)}, Numbered: []bool{b},
			Repeated: []uint{uint(u)}, Subject: subject, I: int(i), Str2: encNamed(s1),
		}
		assert.Equal(t, want, encodedValues(t, c, in), "encAll")

		csr := url.Values{
			"Algorithm": {""}, "KeySize": {strconv.Itoa(int(i))}, "CommonName": {s1}, "CountryCode": {""},
			"Province": {s2}, "Locality": {""}, "Sans": {s1 + "," + s2},
		}
		if s2 != "" {
			csr["Name"] = []string{s2}
		}
		assert.Equal(t, csr, encodedValues(t, c,
			&CreateCsrInput{CommonName: s1, Province: s2, KeySize: int(i), SANs: []string{s1, s2}, Name: s2}), "CreateCsr")

		order := url.Values{"Domain": {s1}, "ValidateType": {""}, "Tags.1.Key": {s2}, "Tags.1.Value": {s1}}
		if s2 != "" {
			order["Email"] = []string{s2}
		}
		assert.Equal(t, order, encodedValues(t, c,
			&CreateCertificateRequestInput{Domain: s1, Email: s2, Tags: []Tag{{Key: s2, Value: s1}}}), "CreateCertificateRequest")

		sans, err := json.Marshal([]string{s2})
		require.NoError(t, err)
		kms := url.Values{
			"KeySpec": {""}, "Subject": {Subject{Organization: s1}.String()}, "SubjectAlternativeNames": {string(sans)},
			"ExportablePrivateKey": {strconv.FormatBool(b)},
		}
		assert.Equal(t, kms, encodedValues(t, c, &CreateCertificateInput{
			Subject: Subject{Organization: s1}, SubjectAlternativeNames: []string{s2}, ExportablePrivateKey: b,
		}), "KMS CreateCertificate")
	})
}
