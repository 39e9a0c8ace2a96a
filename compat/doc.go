// Package compat is alicert's compatibility suite: it runs Alibaba Cloud's
// official Go SDKs (github.com/aliyun/alibaba-cloud-sdk-go and the
// darabonba clients under github.com/alibabacloud-go) against
// alicerttest.Server, for every certificate, KMS and DNS operation alicert
// has, and checks that they decode the same values alicert does.
//
// It is a module of its own so that the official SDKs and their many
// dependencies stay out of alicert's dependency graph. It has no API; its
// tests are the point. Run them with
//
//	cd compat && go test ./...
package compat
