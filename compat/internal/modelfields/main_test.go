package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// committed is the extraction the differential suite reads.
const committed = "../../testdata/cas-20200630-model.json"

// modelEnv names a copy of the official model to regenerate committed from:
// a directory holding the module (go.mod and client/), or else a git repository
// of the generated SDKs, read at the commit committed records.
const modelEnv = "ALICERT_CAS20200630_MODEL"

// TestCommittedModel checks that committed is what this command writes,
// with its provenance, and, when modelEnv names the official model,
// regenerates it from there and compares.
func TestCommittedModel(t *testing.T) {
	raw, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	var m Model
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: %v", committed, err)
	}
	if m.Module != "github.com/alibabacloud-go/cas-20200630/v2" || m.Source != "cas-20200630" || len(m.Commit) != 40 {
		t.Errorf("%s records module %q, source %q, commit %q: not the provenance of the cas-20200630 client", committed, m.Module, m.Source, m.Commit)
	}
	var canonical bytes.Buffer
	if err := write(&canonical, &m); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canonical.Bytes(), raw) {
		t.Errorf("%s is not in the form this command writes: regenerate it rather than editing it", committed)
	}
	ops := make([]string, 0, len(m.Operations))
	for op := range m.Operations {
		ops = append(ops, op)
	}
	slices.Sort(ops)

	src := os.Getenv(modelEnv)
	if src == "" {
		t.Logf("%s is not set: the committed extraction of %d operations was checked for form only", modelEnv, len(ops))
		return
	}
	var fresh *Model
	if _, err := os.Stat(filepath.Join(src, "client")); err == nil {
		fresh, err = run(src, "", "", m.Commit, ops)
		if err != nil {
			t.Fatal(err)
		}
		fresh.Source = m.Source // a directory says nothing of where it came from
	} else if fresh, err = run("", src, m.Source, m.Commit, ops); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := write(&again, fresh); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), raw) {
		t.Errorf("%s differs from the extraction of %s: regenerate it (see the command's doc)", committed, src)
	}
}

// fixture is a client in the form the generated ones take, with what the
// extraction must get right: a parameter whose JSON name is not its Go
// name, one sent in the form body, names with digits, nested structs and
// lists of structs.
var fixture = map[string][]byte{
	"go.mod": []byte("module example.com/api-20200101/v2\n\ngo 1.14\n"),
	"client/client.go": []byte(`package client

type Client struct{}

func (client *Client) MakeWithOptions(request *MakeRequest, runtime *dara.RuntimeOptions) (_result *MakeResponse, _err error) {
	if dara.BoolValue(client.EnableValidate) == true {
		_err = request.Validate()
		if _err != nil {
			return _result, _err
		}
	}
	query := map[string]interface{}{}
	if !dara.IsNil(request.Opts) {
		query["Opts"] = request.Opts
	}

	if !dara.IsNil(request.Tags) {
		query["Tags"] = request.Tags
	}

	if !dara.IsNil(request.CustomId) {
		query["customId"] = request.CustomId
	}

	body := map[string]interface{}{}
	if !dara.IsNil(request.ClientToken) {
		body["ClientToken"] = request.ClientToken
	}

	req := &openapiutil.OpenApiRequest{
		Query: openapiutil.Query(query),
		Body:  openapiutil.ParseToMap(body),
	}
	params := &openapiutil.Params{
		Action:  dara.String("Make"),
		Version: dara.String("2020-01-01"),
		Style:   dara.String("RPC"),
	}
	_result = &MakeResponse{}
	_body, _err := client.CallApi(params, req, runtime)
	if _err != nil {
		return _result, _err
	}
	_err = dara.Convert(_body, &_result)
	return _result, _err
}
`),
	"client/make_model.go": []byte(`package client

type MakeRequest struct {
	Opts        *MakeRequestOpts    ` + "`json:\"Opts,omitempty\" type:\"Struct\"`" + `
	Tags        []*MakeRequestTags  ` + "`json:\"Tags,omitempty\" type:\"Repeated\"`" + `
	CustomId    *string             ` + "`json:\"customId,omitempty\"`" + `
	ClientToken *string             ` + "`json:\"ClientToken,omitempty\"`" + `
}

type MakeRequestOpts struct {
	Usages []*string ` + "`json:\"Usages,omitempty\" type:\"Repeated\"`" + `
	Sha2   *bool     ` + "`json:\"Sha2,omitempty\"`" + `
}

type MakeRequestTags struct {
	Key *string ` + "`json:\"Key,omitempty\"`" + `
}

type MakeResponse struct {
	Headers map[string]*string ` + "`json:\"headers,omitempty\"`" + `
	Body    *MakeResponseBody  ` + "`json:\"body,omitempty\"`" + `
}

type MakeResponseBody struct {
	X509Certificate *string                  ` + "`json:\"X509Certificate,omitempty\"`" + `
	Id              *int64                   ` + "`json:\"Id,omitempty\"`" + `
	Rep1            *int32                   ` + "`json:\"CertKmcRep1,omitempty\"`" + `
	List            []*MakeResponseBodyList  ` + "`json:\"List,omitempty\" type:\"Repeated\"`" + `
	Extra           map[string]interface{}   ` + "`json:\"Extra,omitempty\"`" + `
}

type MakeResponseBodyList struct {
	Md5 *string ` + "`json:\"Md5,omitempty\"`" + `
}
`),
}

func TestExtractFixture(t *testing.T) {
	m, err := Extract(fixture, []string{"Make"})
	if err != nil {
		t.Fatal(err)
	}
	want := &Model{Module: "example.com/api-20200101/v2", Operations: map[string]*Operation{"Make": {
		Params: map[string]string{"Action": "Make", "Version": "2020-01-01", "Style": "RPC"},
		Request: []Field{
			{Wire: "Opts", Type: "struct", In: "query", Fields: []Field{{Wire: "Usages", Type: "[]string"}, {Wire: "Sha2", Type: "bool"}}},
			{Wire: "Tags", Type: "[]struct", In: "query", Fields: []Field{{Wire: "Key", Type: "string"}}},
			{Wire: "customId", Type: "string", In: "query"},
			{Wire: "ClientToken", Type: "string", In: "body"},
		},
		Response: []Field{
			{Wire: "X509Certificate", Type: "string"},
			{Wire: "Id", Type: "int64"},
			{Wire: "CertKmcRep1", Type: "int32"},
			{Wire: "List", Type: "[]struct", Fields: []Field{{Wire: "Md5", Type: "string"}}},
			{Wire: "Extra", Type: "map"},
		},
	}}}
	if !reflect.DeepEqual(m, want) {
		got, _ := json.MarshalIndent(m, "", " ")
		t.Errorf("extracted\n%s", got)
	}
}

// TestExtractRefusesWhatItDoesNotKnow: each change to the fixture is a form
// the extraction must refuse rather than guess at.
func TestExtractRefusesWhatItDoesNotKnow(t *testing.T) {
	for _, tc := range []struct{ name, file, old, new, want string }{
		{"a key that is not the JSON name", "client/client.go", `query["customId"]`, `query["CustomId"]`, "not as its JSON name"},
		{"a parameter not sent", "client/client.go", "if !dara.IsNil(request.Tags) {\n\t\tquery[\"Tags\"] = request.Tags\n\t}", "", "does not send Tags"},
		{"a parameter sent in another form", "client/client.go", `query["Tags"] = request.Tags`, `query["Tags"] = dara.ToJSONString(request.Tags)`, "not a field of the request as it is"},
		{"a shrunk parameter", "client/client.go", `query["Opts"] = request.Opts`, `query["Opts"] = request.OptsShrink`, "tests !dara.IsNil(request.Opts)"},
		{"a header", "client/client.go", "\treq := ", "\theaders := map[string]*string{}\n\treq := ", "a statement the extraction does not know"},
		{"a map filled and not sent", "client/client.go", "\t\tBody:  openapiutil.ParseToMap(body),\n", "", "fills body but does not send it"},
		{"another action", "client/client.go", `dara.String("Make")`, `dara.String("Made")`, `calls Action "Made"`},
		{"a field without a JSON name", "client/make_model.go", `json:"Md5,omitempty"`, `xml:"Md5"`, "has no JSON name"},
		{"a type it does not know", "client/make_model.go", "Key *string", "Key *time.Time", "a type the extraction does not know"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{}
			for k, v := range fixture {
				files[k] = v
			}
			src := string(files[tc.file])
			if !strings.Contains(src, tc.old) {
				t.Fatalf("the fixture has no %q", tc.old)
			}
			files[tc.file] = []byte(strings.Replace(src, tc.old, tc.new, 1))
			_, err := Extract(files, []string{"Make"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
