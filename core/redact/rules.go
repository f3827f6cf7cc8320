package redact

import "supportdesk/core/redact/formats"

// ruleID names a rule inside this package; its stable id is its name.
type ruleID uint16

// The rules of this package, in the order of ownRules; the formats
// package's rules follow them.
const (
	ruleSecretField ruleID = iota
	ruleAssignment
	ruleAuthHeader
	ruleBearer
	ruleBasic
	ruleConnectionString
	ruleURLUserInfo
	ruleURLParameter
	ruleXMLElement
	ruleCallArgument
	ruleCLIFlag
	ruleCLIUser
	// ruleUnsettled replaces a whole text whose redaction did not settle;
	// see redactText.
	ruleUnsettled
	// ruleFormat stands for a credential format the formats package
	// reported but does not list.
	ruleFormat
	firstFormatRule
)

// Rule describes one redaction rule.
type Rule struct {
	// ID is stable; the redaction manifest counts by it.
	ID          string
	Description string
}

// ownRules describes the rules of this package, by ruleID. Ids are
// stable: manifests count redactions by them.
var ownRules = []Rule{
	ruleSecretField:      {"secret-field", "a value under a secret-named key in structured data"},
	ruleAssignment:       {"assignment", "an assignment to a secret-named key in text: k=v, k: v, k := v, \"k\": \"v\", var k T = v, export K=v, YAML, env files"},
	ruleAuthHeader:       {"auth-header", "the credential of an Authorization or Proxy-Authorization header, the value of a Cookie or Set-Cookie header"},
	ruleBearer:           {"bearer", "a Bearer credential, in any letter case"},
	ruleBasic:            {"basic", "a Basic credential, in any letter case"},
	ruleConnectionString: {"connection-string", "Password, Pwd, AccountKey, SharedAccessKey, SharedAccessSignature… of a connection string"},
	ruleURLUserInfo:      {"url-userinfo", "the password (or token) in a URL's user info"},
	ruleURLParameter:     {"url-parameter", "a secret-bearing query or matrix parameter: sig, signature, token, code, key, access_token, X-Amz-Signature, jsessionid…"},
	ruleXMLElement:       {"xml-element", "the text of an XML element named for a secret, or the value of <add key=\"Secret\" value=\"…\"/>"},
	ruleCallArgument:     {"call-argument", "the value passed with a secret-named key in code: setProperty(\"K\", \"v\"), env[\"K\"] = \"v\""},
	ruleCLIFlag:          {"cli-flag", "the value of a secret-named command-line flag or flag argument: --token v, --password=v, -ClientSecret v, -e TOKEN=v"},
	ruleCLIUser:          {"cli-user", "the password of curl's -u/--user user:password"},
	ruleUnsettled:        {"unsettled", "a whole text whose redaction did not settle (never seen in practice; fails closed)"},
	ruleFormat:           {"credential-format", "a credential format the formats package reported without listing it"},
}

// ruleNames holds the id of every ruleID; formatRules maps the formats
// package's rule ids to theirs.
var ruleNames, formatRules = func() ([]string, map[string]ruleID) {
	names := make([]string, 0, len(ownRules)+len(formats.Rules()))
	for _, r := range ownRules {
		names = append(names, r.ID)
	}
	ids := map[string]ruleID{}
	for _, r := range formats.Rules() {
		ids[r.ID] = ruleID(len(names))
		names = append(names, r.ID)
	}
	return names, ids
}()

func (r ruleID) String() string { return ruleNames[r] }

// formatRule returns the ruleID of a formats rule id.
func formatRule(id string) ruleID {
	if r, ok := formatRules[id]; ok {
		return r
	}
	return ruleFormat
}

// Rules returns every rule of the policy: those of this package, then the
// credential formats of package formats.
func Rules() []Rule {
	out := append([]Rule(nil), ownRules...)
	for _, r := range formats.Rules() {
		out = append(out, Rule{ID: r.ID, Description: r.Description})
	}
	return out
}

// priority orders the rules whose matches overlap: the match counted is
// that of the most specific rule (formats first); between rules of the
// same priority, the match that starts first.
func priority(r ruleID) int {
	switch r {
	case ruleBearer, ruleBasic:
		return 1
	case ruleAuthHeader, ruleURLUserInfo, ruleURLParameter, ruleConnectionString:
		return 2
	case ruleXMLElement, ruleCallArgument, ruleCLIFlag, ruleCLIUser:
		return 3
	case ruleAssignment, ruleSecretField, ruleUnsettled:
		return 4
	}
	return 0 // a credential format
}
