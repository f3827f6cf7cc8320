package formats

import (
	"encoding/base64"
	"strings"
)

// The rule table, part 3: chat, webhooks, e-mail and SMS.

func messagingRules() []def {
	return []def{
		// Slack: xox? tokens are dash-separated groups of digits and
		// alphanumerics whose count and lengths vary by generation, so the
		// body is matched loosely.
		{id: "slack-bot-token", desc: "Slack bot token: xoxb- and dash-separated groups", pat: []string{`xoxb-[0-9A-Za-z-]{20,250}`}, trim: "-", check: slackGroups},
		{id: "slack-user-token", desc: "Slack user token: xoxp- and dash-separated groups", pat: []string{`xoxp-[0-9A-Za-z-]{20,250}`}, trim: "-", check: slackGroups},
		{id: "slack-workspace-token", desc: "Slack workspace access token: xoxa- and dash-separated groups", pat: []string{`xoxa-[0-9A-Za-z-]{20,250}`}, trim: "-", check: slackGroups},
		{id: "slack-refresh-token", desc: "Slack refresh token: xoxr- or xoxe- and dash-separated groups", pat: []string{`xoxr-[0-9A-Za-z-]{20,250}`, `xoxe-[0-9A-Za-z-]{20,300}`}, trim: "-", check: slackGroups},
		{id: "slack-config-token", desc: "Slack app configuration token: xoxe.xoxp- or xoxe.xoxb- and dash-separated groups", pat: []string{`xoxe\.xoxp-[0-9A-Za-z-]{20,300}`, `xoxe\.xoxb-[0-9A-Za-z-]{20,300}`}, trim: "-", check: slackGroups},
		{id: "slack-session-token", desc: "Slack client session token (xoxc-, xoxs-) or session cookie value (xoxd-)", pat: []string{`xoxc-[0-9A-Za-z-]{20,300}`, `xoxs-[0-9A-Za-z-]{20,300}`, `xoxd-[0-9A-Za-z%/+=-]{20,400}`}, trim: "-", check: slackGroups},
		{id: "slack-app-token", desc: "Slack app-level token: xapp- and dash-separated groups", pat: []string{`xapp-[0-9A-Za-z-]{30,250}`}, trim: "-", check: slackGroups},
		{id: "slack-webhook-url", desc: "Slack incoming webhook URL: the path after hooks.slack.com/services/",
			pat: []string{`(?i)hooks\.slack\.com/services/([A-Za-z0-9/]{30,120})`}, trim: "/", escapedSlashes: true},
		{id: "slack-workflow-webhook-url", desc: "Slack workflow or trigger webhook URL: the path after hooks.slack.com/workflows/ or /triggers/",
			pat: []string{`(?i)hooks\.slack\.com/workflows/([A-Za-z0-9/]{20,150})`, `(?i)hooks\.slack\.com/triggers/([A-Za-z0-9/]{20,150})`}, trim: "/", escapedSlashes: true},

		// Discord, Telegram, Teams, Zapier.
		{id: "discord-bot-token", desc: "Discord bot token: the base64 of the bot's numeric id, a timestamp and an HMAC joined by dots",
			at: discordPrefixes(), anchored: []string{`[MNO][A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}`}, check: discordID},
		{id: "discord-webhook-url", desc: "Discord webhook URL: the token after discord.com/api/webhooks/<id>/",
			pat: []string{`(?i)discord\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{60,72})`, `(?i)discordapp\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{60,72})`,
				`(?i)discord\.com/api/v[0-9]{1,2}/webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{60,72})`}, escapedSlashes: true},
		{id: "telegram-bot-token", desc: "Telegram bot token: the bot id, :AA and 33 base64url characters",
			pat: []string{`[0-9]{8,10}:AA[A-Za-z0-9_-]{33}`}, loose: true},
		{id: "teams-incoming-webhook-url", desc: "Microsoft Teams (Office 365 connector) incoming webhook URL: the path after webhookb2/ or webhook/",
			pat: []string{`(?i)\.webhook\.office\.com/webhookb2/([A-Za-z0-9@/_-]{40,512})`, `(?i)outlook\.office\.com/webhook/([A-Za-z0-9@/_-]{40,512})`,
				`(?i)outlook\.office365\.com/webhook/([A-Za-z0-9@/_-]{40,512})`}, trim: "/", escapedSlashes: true},
		{id: "zapier-webhook-url", desc: "Zapier catch hook URL: the path after hooks.zapier.com/hooks/catch/",
			pat: []string{`(?i)hooks\.zapier\.com/hooks/catch/([0-9]{3,12}/[A-Za-z0-9]{5,12})`}, escapedSlashes: true},

		{id: "mattermost-access-token", desc: "Mattermost personal access token or incoming webhook key: 26 lower-case alphanumerics after a Mattermost word",
			ctx: []string{"mattermost"}, ctxPat: `[a-z0-9]{26}`, check: lettersAndDigits, win: 60},
		{id: "sendbird-api-token", desc: "Sendbird API token: 40 hex digits after a Sendbird word",
			ctx: []string{"sendbird"}, ctxPat: `[a-f0-9]{40}`, check: lettersAndDigits},
		{id: "twitch-api-token", desc: "Twitch OAuth token or client secret: 30 lower-case alphanumerics after a Twitch word",
			ctx: []string{"twitch"}, ctxPat: `[a-z0-9]{30}`, check: lettersAndDigits},

		// E-mail.
		{id: "sendgrid-api-key", desc: "Twilio SendGrid API key: SG., 22 base64url characters, . and 43 more",
			pat: []string{`SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`}},
		{id: "mailgun-api-key", desc: "Mailgun API key: key- and 32 hex digits; current keys (32-8-8 hex) after a Mailgun word",
			pat: []string{`key-[a-f0-9]{32}`}, ctx: []string{"mailgun"}, ctxPat: `[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}`},
		{id: "mailchimp-api-key", desc: "Mailchimp Marketing API key: 32 hex digits, -us and the data-centre number",
			pat: []string{`[a-f0-9]{32}-us[0-9]{1,2}`}},
		{id: "brevo-api-key", desc: "Brevo (Sendinblue) API key: xkeysib-, 64 hex digits, - and 16 alphanumerics",
			pat: []string{`xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}`}},
		{id: "brevo-smtp-key", desc: "Brevo (Sendinblue) SMTP key: xsmtpsib-, 64 hex digits, - and 16 alphanumerics",
			pat: []string{`xsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16}`}},
		{id: "postmark-server-token", desc: "Postmark server or account token: a UUID after a Postmark word",
			ctx: []string{"postmark", "x-postmark-server-token", "x-postmark-account-token"}, ctxPat: hexUUID},
		{id: "mandrill-api-key", desc: "Mailchimp Transactional (Mandrill) API key: 22 base64url characters after a Mandrill word",
			ctx: []string{"mandrill"}, ctxPat: `[A-Za-z0-9_-]{22}`, check: mixedCase},
		{id: "sparkpost-api-key", desc: "SparkPost API key: 40 hex digits after a SparkPost word",
			ctx: []string{"sparkpost"}, ctxPat: `[a-f0-9]{40}`, check: lettersAndDigits},
		{id: "mailjet-api-key", desc: "Mailjet API key or secret: 32 hex digits after a Mailjet word",
			ctx: []string{"mailjet"}, ctxPat: `[a-f0-9]{32}`, check: lettersAndDigits},

		// SMS and voice.
		{id: "twilio-api-key", desc: "Twilio API key SID: SK and 32 hex digits",
			pat: []string{`SK[0-9a-f]{32}`}, check: lettersAndDigits},
		{id: "twilio-account-sid", desc: "Twilio account SID: AC and 32 hex digits",
			pat: []string{`AC[0-9a-f]{32}`}, check: lettersAndDigits},
		{id: "twilio-auth-token", desc: "Twilio auth token or API key secret: 32 alphanumerics after a Twilio word",
			ctx: []string{"twilio"}, ctxPat: `[A-Za-z0-9]{32}`, check: lettersAndDigits, win: 60},
		{id: "messagebird-api-key", desc: "MessageBird (Bird) API access key: 25 alphanumerics after a MessageBird word",
			ctx: []string{"messagebird", "message bird"}, ctxPat: `[A-Za-z0-9]{25}`, check: mixedCase},
		{id: "vonage-api-secret", desc: "Vonage (Nexmo) API secret: 16 alphanumerics after a Vonage word",
			ctx: []string{"vonage", "nexmo"}, ctxPat: `[A-Za-z0-9]{16}`, check: mixedCase},
		{id: "plivo-auth-token", desc: "Plivo auth token: 40 alphanumerics after a Plivo word",
			ctx: []string{"plivo"}, ctxPat: `[A-Za-z0-9]{40}`, check: mixedCase},
		{id: "telnyx-api-key", desc: "Telnyx API v2 key: KEY, 32 upper-case hex digits, _ and 22 base62 characters",
			pat: []string{`KEY[0-9A-F]{32}_[A-Za-z0-9]{22}`}},
	}
}

// slackGroups accepts a Slack token whose body is dash-separated groups
// with digits in them, as every Slack token generation has.
func slackGroups(tok string) bool {
	return strings.Count(tok, "-") >= 2 && lettersAndDigits(tok[5:])
}

// discordPrefixes are the first three base64 characters of a Discord
// snowflake id (17–20 decimal digits, first digit 1–9): the pre-filter
// keywords of discord-bot-token.
func discordPrefixes() []string {
	var out []string
	seen := map[string]bool{}
	for a := '1'; a <= '9'; a++ {
		for b := '0'; b <= '9'; b++ {
			k := base64.RawURLEncoding.EncodeToString([]byte{byte(a), byte(b), '0'})[:3]
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// discordID checks that a Discord token's first segment decodes to a
// decimal snowflake id.
func discordID(tok string) bool {
	seg, _, _ := strings.Cut(tok, ".")
	id, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		id, err = base64.URLEncoding.DecodeString(seg)
	}
	if err != nil || len(id) < 17 || len(id) > 20 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
