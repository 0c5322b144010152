package main

import "testing"

func TestCheckVerificationURI(t *testing.T) {
	for uri, ok := range map[string]bool{
		"https://microsoft.com/devicelogin":                   true,
		"https://login.microsoftonline.us/common/devicelogin": true,
		"http://127.0.0.1:8080/devicelogin":                   true,
		"http://localhost/devicelogin":                        true,
		"http://[::1]:9/devicelogin":                          true,
		"http://evil.example/devicelogin":                     false,
		"http://127.0.0.1.evil.example/devicelogin":           false,
		"javascript:alert(1)":                                 false,
		"file:///etc/passwd":                                  false,
		"https://evil.example/\x1b]8;;x\x07":                  false,
		"https://micro\u202esoft.com/":                        false,
		"https:///no-host":                                    false,
		"":                                                    false,
	} {
		if err := checkVerificationURI(uri); (err == nil) != ok {
			t.Errorf("checkVerificationURI(%q) = %v, want accepted %v", uri, err, ok)
		}
	}
}
