// Package compat is alicert's compatibility suite: it runs Alibaba Cloud's
// official Go SDKs (github.com/aliyun/alibaba-cloud-sdk-go and the
// darabonba clients under github.com/alibabacloud-go) against
// alicerttest.Server, for every certificate, KMS and DNS operation alicert
// has, and checks that they decode the same values alicert does.
//
// Its differential suite (differential_test.go) holds the official
// generated clients, pinned in go.mod (cas-20200407/v4 v4.4.0,
// kms-20160120/v3 v3.2.3, alidns-20150109/v4 v4.6.1), as the oracle: for
// every wire operation of alicert it sends one input through both clients
// to one recording server and compares what they send and decode; the
// differences made on purpose are listed there, each with the model text
// it rests on. The Private CA's generated client (cas-20200630) is not on
// the module proxy: its rows send through the official runtime those
// clients share (darabonba-openapi/v2), built from an extraction of its
// model committed in testdata/cas-20200630-model.json with the commit it
// was read at, which the command in internal/modelfields writes.
//
// It is a module of its own so that the official SDKs and their many
// dependencies stay out of alicert's dependency graph. It has no API; its
// tests are the point. Run them with
//
//	cd compat && go test ./...
package compat
