package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// azTenantLevelName is the "subscription" name az gives an account it
// knows without a subscription (az login --allow-no-subscriptions).
const azTenantLevelName = "N/A(tenant level account)"

// azProfile is azureProfile.json: every member and every subscription is
// kept as az wrote it; only entries acctui adds or whose isDefault it
// flips are encoded again.
type azProfile struct {
	bom           bool
	members       map[string]json.RawMessage
	subscriptions []json.RawMessage
	parsed        []azSubscription
}

// azSubscription is what acctui reads of a subscription entry.
type azSubscription struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	TenantID        string `json:"tenantId"`
	EnvironmentName string `json:"environmentName"`
	IsDefault       bool   `json:"isDefault"`
	User            struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"user"`
}

// errAzProfile marks an azureProfile.json acctui cannot read.
var errAzProfile = errors.New("azureProfile.json is malformed")

// parseAzProfile reads azureProfile.json; nil or blank data is an empty
// profile.
func parseAzProfile(data []byte) (*azProfile, error) {
	p := &azProfile{members: map[string]json.RawMessage{}}
	if bytes.HasPrefix(data, utf8BOM) {
		p.bom, data = true, data[len(utf8BOM):]
	}
	if len(bytes.TrimSpace(data)) == 0 {
		p.bom = true // az writes its files with a BOM
		return p, nil
	}
	if err := json.Unmarshal(data, &p.members); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object", errAzProfile)
	}
	raw, ok := p.members["subscriptions"]
	if !ok || string(raw) == "null" {
		return p, nil
	}
	if err := json.Unmarshal(raw, &p.subscriptions); err != nil {
		return nil, fmt.Errorf("%w: subscriptions is not a list", errAzProfile)
	}
	for i, s := range p.subscriptions {
		var sub azSubscription
		if err := json.Unmarshal(s, &sub); err != nil {
			return nil, fmt.Errorf("%w: subscription %d is not an object of az's shape", errAzProfile, i+1)
		}
		p.parsed = append(p.parsed, sub)
	}
	return p, nil
}

// knows reports whether az has an entry for username in tenant, in cloud.
func (p *azProfile) knows(username, tenant, cloud string) bool {
	for _, s := range p.parsed {
		if strings.EqualFold(s.User.Name, username) && strings.EqualFold(s.TenantID, tenant) && s.EnvironmentName == cloud {
			return true
		}
	}
	return false
}

// addTenantLevel adds the entry az login --allow-no-subscriptions writes
// for a tenant without subscriptions.
func (p *azProfile) addTenantLevel(username, tenant, cloud string) error {
	entry := map[string]any{
		"id":              tenant,
		"name":            azTenantLevelName,
		"state":           "Enabled",
		"user":            map[string]string{"name": username, "type": "user"},
		"isDefault":       false,
		"tenantId":        tenant,
		"environmentName": cloud,
	}
	raw, err := marshalNoEscape(entry)
	if err != nil {
		return err
	}
	var sub azSubscription
	if err := json.Unmarshal(raw, &sub); err != nil {
		return err
	}
	p.subscriptions = append(p.subscriptions, raw)
	p.parsed = append(p.parsed, sub)
	return nil
}

// makeDefault makes one of username's entries in cloud az's default: the
// current default when it is already the user's, else the user's first
// entry with a real subscription, else their first. It reports whether it
// found one.
func (p *azProfile) makeDefault(username, cloud string) (bool, error) {
	pick := -1
	for i, s := range p.parsed {
		if !strings.EqualFold(s.User.Name, username) || s.EnvironmentName != cloud {
			continue
		}
		if s.IsDefault {
			return true, nil
		}
		if pick < 0 || (p.parsed[pick].Name == azTenantLevelName && s.Name != azTenantLevelName) {
			pick = i
		}
	}
	if pick < 0 {
		return false, nil
	}
	for i, s := range p.parsed {
		if want := i == pick; s.IsDefault != want {
			if err := p.setDefault(i, want); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// setDefault flips one entry's isDefault, keeping its other members.
func (p *azProfile) setDefault(i int, isDefault bool) error {
	var entry map[string]json.RawMessage
	if err := json.Unmarshal(p.subscriptions[i], &entry); err != nil {
		return err
	}
	entry["isDefault"] = json.RawMessage(fmt.Sprint(isDefault))
	raw, err := marshalNoEscape(entry)
	if err != nil {
		return err
	}
	p.subscriptions[i] = raw
	p.parsed[i].IsDefault = isDefault
	return nil
}

// defaultUser is the user of az's default subscription in cloud, if any.
func (p *azProfile) defaultUser(cloud string) string {
	for _, s := range p.parsed {
		if s.IsDefault && s.EnvironmentName == cloud && s.User.Type == "user" {
			return s.User.Name
		}
	}
	return ""
}

// defaultServicePrincipal is the client id of az's default account when
// that is a service principal az signed in ("" otherwise).
func (p *azProfile) defaultServicePrincipal(cloud string) string {
	for _, s := range p.parsed {
		if s.IsDefault && s.EnvironmentName == cloud && s.User.Type == "servicePrincipal" {
			return s.User.Name
		}
	}
	return ""
}

// marshal is the profile as az reads it back.
func (p *azProfile) marshal() ([]byte, error) {
	subs := p.subscriptions
	if subs == nil {
		subs = []json.RawMessage{}
	}
	raw, err := marshalNoEscape(subs)
	if err != nil {
		return nil, err
	}
	p.members["subscriptions"] = raw
	data, err := marshalNoEscape(p.members)
	if err != nil {
		return nil, err
	}
	if p.bom {
		data = append(append([]byte{}, utf8BOM...), data...)
	}
	return data, nil
}

// marshalNoEscape is json.Marshal leaving <, > and & as they are, as
// Python writes them.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
