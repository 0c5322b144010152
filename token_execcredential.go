package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"acctui/engine"
	"acctui/internal/safetext"
)

// The ExecCredential API versions client-go speaks; v1 when it does not say.
const (
	execCredentialV1      = "client.authentication.k8s.io/v1"
	execCredentialV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// errExecInfo marks a KUBERNETES_EXEC_INFO acctui cannot answer.
type execInfoError struct{ msg string }

func (e execInfoError) Error() string { return "KUBERNETES_EXEC_INFO: " + e.msg }

// execCredentialVersion reads the apiVersion client-go asks for from
// KUBERNETES_EXEC_INFO. An empty variable (kubectl before 1.22, or a
// person trying the command) gets v1.
func execCredentialVersion(execInfo string) (string, error) {
	if strings.TrimSpace(execInfo) == "" {
		return execCredentialV1, nil
	}
	var info struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal([]byte(execInfo), &info); err != nil {
		return "", usageError{execInfoError{"not an ExecCredential JSON object"}}
	}
	if info.Kind != "" && info.Kind != "ExecCredential" {
		return "", usageError{execInfoError{fmt.Sprintf("kind %q is not ExecCredential", safetext.Compact(info.Kind))}}
	}
	switch info.APIVersion {
	case execCredentialV1, execCredentialV1beta1:
		return info.APIVersion, nil
	case "":
		return "", usageError{execInfoError{"no apiVersion"}}
	}
	return "", usageError{execInfoError{fmt.Sprintf("apiVersion %q is not one of: %s, %s", safetext.Compact(info.APIVersion), execCredentialV1, execCredentialV1beta1)}}
}

type execCredential struct {
	Kind       string               `json:"kind"`
	APIVersion string               `json:"apiVersion"`
	Spec       struct{}             `json:"spec"`
	Status     execCredentialStatus `json:"status"`
}

type execCredentialStatus struct {
	// ExpirationTimestamp tells client-go when to run acctui again.
	ExpirationTimestamp string `json:"expirationTimestamp"`
	Token               string `json:"token"`
}

func writeExecCredential(w io.Writer, apiVersion string, r engine.Result) error {
	return writeJSON(w, execCredential{
		Kind:       "ExecCredential",
		APIVersion: apiVersion,
		Status: execCredentialStatus{
			ExpirationTimestamp: r.ExpiresOn.UTC().Format(time.RFC3339),
			Token:               r.AccessToken.Reveal(),
		},
	})
}
