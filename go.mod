module github.com/alicert/alicert

go 1.24

require (
	github.com/aliyun/credentials-go v1.4.14
	github.com/jarcoal/httpmock v1.4.2
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/alibabacloud-go/debug v1.0.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	gopkg.in/ini.v1 v1.67.0 // indirect
)
