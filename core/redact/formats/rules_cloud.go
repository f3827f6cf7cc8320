package formats

// The rule table, part 1: cloud providers and infrastructure platforms.
// Each row follows the provider's published token format; see def for the
// fields and pattern for the pattern syntax.

const (
	hexUUID = `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`
	lowUUID = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
)

func definitions() []def {
	var d []def
	for _, part := range [][]def{cloudRules(), codeRules(), messagingRules(), paymentRules(), aiRules(), saasRules(), keyRules()} {
		d = append(d, part...)
	}
	return d
}

func cloudRules() []def {
	return []def{
		// Amazon Web Services.
		{id: "aws-access-key-id", desc: "AWS access key id: AKIA (long-term), ASIA (temporary), ABIA (STS service bearer) or ACCA (context-specific) and 16 upper-case base-32 characters",
			pat: []string{`AKIA[A-Z0-9]{16}`, `ASIA[A-Z0-9]{16}`, `ABIA[A-Z0-9]{16}`, `ACCA[A-Z0-9]{16}`}},
		{id: "aws-secret-access-key", desc: "AWS secret access key: 40 random base64 characters after an AWS word (aws, secret access key)",
			ctx: []string{"aws", "amazon", "secret access key", "secretaccesskey", "aws secret", "awssecret"}, ctxPat: `[A-Za-z0-9/+]{40}`, stop: "=", check: randomBase64},
		{id: "aws-session-token", desc: "AWS STS session token: base64 whose decoding starts with the token's fixed header (…origin_ec…, …er/aws…)",
			pat: []string{`[A-Za-z0-9+/]{4}b3JpZ2luX2Vj[A-Za-z0-9+/=]{100,2048}`, `[A-Za-z0-9+/]{4}ZXIvYXdz[A-Za-z0-9+/=]{100,2048}`}},
		{id: "aws-bedrock-api-key", desc: "Amazon Bedrock long-term API key: ABSK and the base64 of BedrockAPIKey-…",
			pat: []string{`ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/=]{40,400}`}},
		{id: "amazon-mws-auth-token", desc: "Amazon Marketplace Web Service auth token: amzn.mws. and a UUID",
			pat: []string{`amzn\.mws\.` + lowUUID}},
		{id: "amazon-lwa-client-secret", desc: "Login with Amazon client secret: amzn1.oa2-cs.v1. and 64 hex digits",
			pat: []string{`amzn1\.oa2-cs\.v1\.[0-9a-f]{64}`}},
		{id: "amazon-lwa-token", desc: "Login with Amazon access (Atza|) or refresh (Atzr|) token",
			pat: []string{`Atza\|[A-Za-z0-9_+/=-]{50,1024}`, `Atzr\|[A-Za-z0-9_+/=-]{50,1024}`}},

		// Google Cloud and Firebase.
		{id: "google-api-key", desc: "Google API key (Maps, Gemini, Firebase, …): AIza and 35 base64url characters",
			pat: []string{`AIza[0-9A-Za-z_-]{35}`}},
		{id: "google-oauth-client-secret", desc: "Google OAuth client secret: GOCSPX- and 28 base64url characters",
			pat: []string{`GOCSPX-[A-Za-z0-9_-]{28}`}},
		{id: "google-oauth-access-token", desc: "Google OAuth 2.0 access token: ya29. and base64url",
			pat: []string{`ya29\.[A-Za-z0-9_.-]{20,2048}`}, trim: "."},
		{id: "google-oauth-refresh-token", desc: "Google OAuth 2.0 refresh token: 1// and base64url",
			pat: []string{`1//[0-9A-Za-z_-]{40,512}`}},
		{id: "google-oauth-auth-code", desc: "Google OAuth 2.0 authorization code: 4/0A and base64url",
			pat: []string{`4/0A[A-Za-z0-9_-]{40,512}`}},
		{id: "gcp-hmac-access-id", desc: "Google Cloud Storage HMAC key access id: GOOG1 and 56–61 upper-case alphanumerics",
			pat: []string{`GOOG1[A-Z0-9]{56,61}`}},
		{id: "gcp-hmac-secret", desc: "Google Cloud Storage HMAC key secret: 40 base64 characters after an HMAC or GOOG1 word",
			ctx: []string{"gcs hmac", "hmac secret", "hmac key"}, ctxPat: `[A-Za-z0-9/+]{40}`, check: randomBase64},
		{id: "google-chat-webhook-url", desc: "Google Chat incoming webhook URL: the key and token query after chat.googleapis.com/v1/spaces/…/messages?",
			pat: []string{`(?i)chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_-]{6,20}/messages\?(key=[A-Za-z0-9_-]{39}&token=[A-Za-z0-9_%=-]{40,100})`}, escapedSlashes: true},
		{id: "firebase-cloud-messaging-server-key", desc: "Firebase Cloud Messaging legacy server key: AAAA, 7 characters, :APA91b and base64url",
			pat: []string{`[A]{4}[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{120,160}`}},

		// Microsoft Azure and Entra ID.
		{id: "azure-ad-client-secret", desc: "Microsoft Entra ID (Azure AD) application client secret: 3 characters, a digit, Q~ and 31–34 more",
			pat: []string{`[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}`}, trim: "."},
		{id: "azure-ad-refresh-token", desc: "Microsoft Entra ID refresh token: 0.A or 1.A and hundreds of base64url characters",
			pat: []string{`0\.A[A-Za-z0-9_-]{2}[A-Za-z0-9_.-]{200,4096}`, `1\.A[A-Za-z0-9_-]{2}[A-Za-z0-9_.-]{200,4096}`}, trim: "."},
		{id: "azure-identifiable-key", desc: "Microsoft common annotated security key (Azure DevOps PATs, Azure AI and other identifiable keys): 84 base62 characters with the JQQJ9 signature at offset 52",
			pat: []string{`[A-Za-z0-9]{52}JQQJ9[A-Za-z0-9]{27}`}},
		{id: "azure-storage-account-key", desc: "Azure Storage account key: 86 base64 characters and ==, after a storage word (AccountKey, storage account key) or carrying the +ASt signature",
			ctx:    []string{"accountkey", "account key", "storage key", "storagekey", "storage account key", "azure storage", "azurestorage", "blob.core.windows.net", "primary key", "secondary key"},
			ctxPat: `[A-Za-z0-9+/]{86}==`, check: mixedCase, win: 60},
		{id: "azure-cosmos-db-key", desc: "Azure Cosmos DB account key: 86 base64 characters and ==, after a Cosmos word or carrying the ACDb signature",
			ctx:    []string{"cosmos", "cosmosdb", "documents.azure.com", "masterkey", "master key", "authkey", "auth key"},
			ctxPat: `[A-Za-z0-9+/]{86}==`, check: mixedCase, win: 80},
		{id: "azure-shared-access-key", desc: "Azure Service Bus, Event Hubs, Relay or IoT Hub shared access key: 43 base64 characters and =, after a shared-access word or carrying a +ASb/+AEh/+ARm/AIoT signature",
			ctx:    []string{"sharedaccesskey", "shared access key", "servicebus", "service bus", "eventhub", "event hub", "eventhubs", "iothub", "iot hub", "azure relay"},
			ctxPat: `[A-Za-z0-9+/]{43}=`, check: mixedCase, win: 80},
		{id: "azure-function-key", desc: "Azure Functions host, master or function key: 54 base64 characters and ==, after a functions word or carrying the AzFu signature",
			ctx:    []string{"x-functions-key", "functions key", "function key", "functionkey", "functionskey", "azurewebsites.net", "masterkey"},
			ctxPat: `[A-Za-z0-9/+_-]{54}==`, check: mixedCase, win: 80},
		{id: "azure-container-registry-password", desc: "Azure Container Registry access key or token password: base64 after a registry word, or carrying the +ACR signature",
			ctx: []string{"azurecr.io", "acr password", "registry password", "acr token"}, ctxPat: `[A-Za-z0-9+/]{30,52}={0,2}`, check: mixedCase},
		{id: "azure-search-admin-key", desc: "Azure AI Search admin or query key: 32 hex digits or 52 base62 characters after a search word, or carrying the AzSe signature",
			ctx: []string{"search.windows.net", "azure search", "azuresearch", "cognitive search", "search admin key", "search api key"}, ctxPat: `[0-9A-Za-z]{32,52}`,
			check: func(t string) bool { return mixedCase(t) || len(t) == 32 && lettersAndDigits(t) }},
		{id: "azure-apim-subscription-key", desc: "Azure API Management subscription key: 32 hex digits after Ocp-Apim-Subscription-Key or a subscription-key word, or carrying the APIM signature",
			ctx: []string{"ocp-apim-subscription-key", "subscription-key", "subscriptionkey", "apim key"}, ctxPat: `[0-9a-fA-F]{32}`, check: lettersAndDigits},
		{id: "azure-ai-services-key", desc: "Azure AI services (Cognitive Services, Azure OpenAI, Speech, Translator) key: 32 hex digits after an AI-services word",
			ctx: []string{"cognitiveservices", "cognitive services", "openai.azure.com", "azure openai", "azureopenai", "speech key", "translator key", "ai services key"}, ctxPat: `[0-9a-fA-F]{32}`, check: lettersAndDigits, win: 80},
		{id: "azure-devops-pat", desc: "Azure DevOps personal access token (legacy format): 52 lower-case base-32 characters after an Azure DevOps word",
			ctx: []string{"azure devops", "azuredevops", "dev.azure.com", "visualstudio.com", "azdo", "ado pat", "devops pat", "devops token", "system.accesstoken"}, ctxPat: `[a-z2-7]{52}`, check: lettersAndDigits, win: 60},
		{id: "azure-logic-apps-webhook-url", desc: "Azure Logic Apps or Power Automate trigger URL (Teams Workflows webhooks): the sig after /paths/invoke?api-version=…&sp=…&sv=…&sig=",
			pat: []string{`(?i)/paths/invoke\?api-version=[0-9-]{1,12}&sp=[A-Za-z0-9%]{1,80}&sv=[0-9.]{1,8}&sig=([A-Za-z0-9_-]{43})`}, escapedSlashes: true},
		{id: "azure-key-signature", desc: "Azure identifiable key (storage, Cosmos DB, Service Bus, Event Hubs, Relay, IoT Hub, Functions, Container Registry, AI Search, API Management, Batch): a base64 key carrying its service's fixed signature",
			kw: azureSignatureWords(), scan: azureSignatureScan},

		// Other clouds.
		{id: "alibaba-access-key-id", desc: "Alibaba Cloud AccessKey id: LTAI and 12–20 alphanumerics",
			pat: []string{`LTAI[A-Za-z0-9]{12,20}`}},
		{id: "alibaba-access-key-secret", desc: "Alibaba Cloud AccessKey secret: 30 alphanumerics after an Alibaba word",
			ctx: []string{"alibaba", "aliyun", "alicloud", "accesskeysecret", "access key secret"}, ctxPat: `[A-Za-z0-9]{30}`, check: mixedCase},
		{id: "tencent-secret-id", desc: "Tencent Cloud SecretId: AKID and 32 alphanumerics",
			pat: []string{`AKID[A-Za-z0-9]{32}`}},
		{id: "tencent-secret-key", desc: "Tencent Cloud SecretKey: 32 alphanumerics after a Tencent word",
			ctx: []string{"tencent", "tencentcloud", "qcloud", "secretkey", "secret key"}, ctxPat: `[A-Za-z0-9]{32}`, check: mixedCase},
		{id: "ibm-cloud-api-key", desc: "IBM Cloud API key: 44 base64url characters after an IBM word",
			ctx: []string{"ibm", "ibmcloud", "ibm cloud", "bluemix", "iam apikey"}, ctxPat: `[A-Za-z0-9_-]{44}`, check: mixedCase},
		{id: "yandex-api-key", desc: "Yandex Cloud API key: AQVN and 35–38 base64url characters",
			pat: []string{`AQVN[A-Za-z0-9_-]{35,38}`}},
		{id: "yandex-oauth-token", desc: "Yandex OAuth token: y0_ and 55 base64url characters",
			pat: []string{`y0_[A-Za-z0-9_-]{55}`}},
		{id: "yandex-iam-token", desc: "Yandex Cloud IAM token: t1. then two base64url segments",
			pat: []string{`t1\.[A-Za-z0-9_-]{20,1024}={0,2}\.[A-Za-z0-9_-]{86}={0,2}`}},
		{id: "yandex-static-key-id", desc: "Yandex Cloud static access key id: YCAJ and 21 base64url characters",
			pat: []string{`YCAJ[A-Za-z0-9_-]{21}`}},
		{id: "yandex-static-key-secret", desc: "Yandex Cloud static access key secret: YC and 38 base64url characters",
			pat: []string{`YC[A-Za-z0-9_-]{38}`}, check: mixedCase},
		{id: "digitalocean-personal-access-token", desc: "DigitalOcean personal access token: dop_v1_ and 64 hex digits",
			pat: []string{`dop_v1_[a-f0-9]{64}`}},
		{id: "digitalocean-oauth-token", desc: "DigitalOcean OAuth access token: doo_v1_ and 64 hex digits",
			pat: []string{`doo_v1_[a-f0-9]{64}`}},
		{id: "digitalocean-refresh-token", desc: "DigitalOcean OAuth refresh token: dor_v1_ and 64 hex digits",
			pat: []string{`dor_v1_[a-f0-9]{64}`}},
		{id: "linode-api-token", desc: "Linode (Akamai) personal access token: 64 hex digits after a Linode word",
			ctx: []string{"linode"}, ctxPat: `[a-f0-9]{64}`, check: lettersAndDigits},
		{id: "vultr-api-key", desc: "Vultr API key: 36 upper-case alphanumerics after a Vultr word",
			ctx: []string{"vultr"}, ctxPat: `[A-Z0-9]{36}`, check: lettersAndDigits},
		{id: "hetzner-api-token", desc: "Hetzner Cloud API token: 64 alphanumerics after a Hetzner word",
			ctx: []string{"hetzner", "hcloud"}, ctxPat: `[A-Za-z0-9]{64}`, check: mixedCase},
		{id: "scaleway-access-key-id", desc: "Scaleway access key id: SCW and 17 upper-case alphanumerics",
			pat: []string{`SCW[A-Z0-9]{17}`}, check: lettersAndDigits},
		{id: "scaleway-secret-key", desc: "Scaleway secret key: a UUID after a Scaleway word",
			ctx: []string{"scaleway", "scw secret", "scw_secret_key"}, ctxPat: lowUUID},
		{id: "heroku-api-key", desc: "Heroku API key (current format): HRKU- and base64url",
			pat: []string{`HRKU-[A-Za-z0-9_-]{30,80}`}},
		{id: "heroku-api-key-legacy", desc: "Heroku API key (legacy format): a UUID after a Heroku word",
			ctx: []string{"heroku"}, ctxPat: hexUUID},
		{id: "vercel-token", desc: "Vercel personal (vcp_), integration (vci_), app access (vca_), app refresh (vcr_) token or API key (vck_); legacy 24-character tokens after a Vercel word",
			pat: []string{`vcp_[A-Za-z0-9]{24,100}`, `vci_[A-Za-z0-9]{24,100}`, `vca_[A-Za-z0-9]{24,100}`, `vcr_[A-Za-z0-9]{24,100}`, `vck_[A-Za-z0-9]{24,100}`},
			ctx: []string{"vercel"}, ctxPat: `[A-Za-z0-9]{24}`, check: mixedCase},
		{id: "netlify-access-token", desc: "Netlify personal access token: nfp_ and 36–40 alphanumerics; legacy tokens after a Netlify word",
			pat: []string{`nfp_[A-Za-z0-9]{36,40}`}, ctx: []string{"netlify"}, ctxPat: `[A-Za-z0-9_-]{40,46}`, check: mixedCase},
		{id: "flyio-token", desc: "Fly.io access token: fo1_ organisation tokens, fm1a_/fm1r_/fm2_ macaroon tokens",
			pat: []string{`fo1_[A-Za-z0-9_-]{43}`, `fm1a_[A-Za-z0-9+/=_,-]{40,4096}`, `fm1r_[A-Za-z0-9+/=_,-]{40,4096}`, `fm2_[A-Za-z0-9+/=_,-]{40,4096}`}, trim: ","},
		{id: "render-api-key", desc: "Render API key: rnd_ and 32 alphanumerics",
			pat: []string{`rnd_[A-Za-z0-9]{32}`}},
		{id: "cloudflare-api-token", desc: "Cloudflare user (cfut_) or account (cfat_) API token; legacy 40-character tokens after a Cloudflare word",
			pat: []string{`cfut_[A-Za-z0-9]{40,50}`, `cfat_[A-Za-z0-9]{40,50}`},
			ctx: []string{"cloudflare", "cf api token", "cloudflare_api_token"}, ctxPat: `[A-Za-z0-9_-]{40}`, check: mixedCase},
		{id: "cloudflare-global-api-key", desc: "Cloudflare global API key: cfk_ and 40+ alphanumerics; legacy 37–45 hex digits after a Cloudflare word",
			pat: []string{`cfk_[A-Za-z0-9]{40,50}`},
			ctx: []string{"cloudflare", "x-auth-key", "cf api key"}, ctxPat: `[a-f0-9]{37,45}`, check: lettersAndDigits},
		{id: "cloudflare-origin-ca-key", desc: "Cloudflare Origin CA key: v1.0-, 24 hex digits, - and 146 hex digits",
			pat: []string{`v1\.0-[a-f0-9]{24}-[a-f0-9]{146}`}},
		{id: "fastly-api-token", desc: "Fastly API token: 32 base64url characters after a Fastly word",
			ctx: []string{"fastly", "fastly-key"}, ctxPat: `[A-Za-z0-9_-]{32}`, check: mixedCase},
		{id: "neon-api-key", desc: "Neon API key: napi_ and 64 lower-case alphanumerics",
			pat: []string{`napi_[a-z0-9]{64}`}},
		{id: "supabase-access-token", desc: "Supabase personal access token: sbp_ and 40 hex digits",
			pat: []string{`sbp_[a-f0-9]{40}`, `sbp_oauth_[a-f0-9]{40}`}},
		{id: "supabase-secret-key", desc: "Supabase secret API key: sb_secret_ and base64url",
			pat: []string{`sb_secret_[A-Za-z0-9_-]{20,64}`}},
		{id: "planetscale-token", desc: "PlanetScale service token: pscale_tkn_ and base64url",
			pat: []string{`pscale_tkn_[A-Za-z0-9_.-]{32,64}`}, trim: "."},
		{id: "planetscale-password", desc: "PlanetScale database password: pscale_pw_ and base64url",
			pat: []string{`pscale_pw_[A-Za-z0-9_.-]{32,64}`}, trim: "."},
		{id: "planetscale-oauth-token", desc: "PlanetScale OAuth token: pscale_oauth_ and base64url",
			pat: []string{`pscale_oauth_[A-Za-z0-9_.-]{32,64}`}, trim: "."},
		{id: "mongodb-atlas-service-account-secret", desc: "MongoDB Atlas service account client secret: mdb_sa_sk_ and base64url",
			pat: []string{`mdb_sa_sk_[A-Za-z0-9_-]{30,64}`}},
		{id: "databricks-token", desc: "Databricks personal access token: dapi and 32 hex digits (and an optional -N suffix)",
			pat: []string{`dapi[a-f0-9]{32}`, `dapi[a-f0-9]{32}-[0-9]`}},
		{id: "databricks-oauth-secret", desc: "Databricks OAuth client secret: dose and 32 hex digits",
			pat: []string{`dose[a-f0-9]{32}`}},
		{id: "scalingo-api-token", desc: "Scalingo API token: tk-us- and 48 base64url characters",
			pat: []string{`tk-us-[A-Za-z0-9_-]{48}`}},
		{id: "prefect-api-key", desc: "Prefect Cloud API key: pnu_ (user) or pnb_ (bot) and 36 alphanumerics",
			pat: []string{`pnu_[A-Za-z0-9]{36}`, `pnb_[A-Za-z0-9]{36}`}},
		{id: "hashicorp-vault-service-token", desc: "HashiCorp Vault service token: hvs. and base64url; legacy s. tokens after a Vault word",
			pat: []string{`hvs\.[A-Za-z0-9_-]{24,512}`},
			ctx: []string{"vault", "vault token", "x-vault-token"}, ctxPat: `[s]\.[A-Za-z0-9]{24}`},
		{id: "hashicorp-vault-batch-token", desc: "HashiCorp Vault batch token: hvb. and base64url",
			pat: []string{`hvb\.[A-Za-z0-9_-]{24,2048}`}},
		{id: "hashicorp-vault-recovery-token", desc: "HashiCorp Vault recovery token: hvr. and base64url",
			pat: []string{`hvr\.[A-Za-z0-9_-]{24,512}`}},
		{id: "terraform-cloud-token", desc: "HCP Terraform (Terraform Cloud/Enterprise) API token: 14 alphanumerics, .atlasv1. and 60–70 base64url characters",
			pat: []string{`[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}`}},
		{id: "pulumi-access-token", desc: "Pulumi access token: pul- and 40 hex digits",
			pat: []string{`pul-[a-f0-9]{40}`}},
		{id: "doppler-personal-token", desc: "Doppler personal token: dp.pt. and 40–44 alphanumerics",
			pat: []string{`dp\.pt\.[A-Za-z0-9]{40,44}`}},
		{id: "doppler-service-token", desc: "Doppler service token: dp.st. (optionally an environment) and 40–44 alphanumerics",
			pat: []string{`dp\.st\.[A-Za-z0-9]{40,44}`, `dp\.st\.[a-z0-9_-]{2,35}\.[A-Za-z0-9]{40,44}`}},
		{id: "doppler-cli-token", desc: "Doppler CLI token: dp.ct. and 40–44 alphanumerics",
			pat: []string{`dp\.ct\.[A-Za-z0-9]{40,44}`}},
		{id: "doppler-service-account-token", desc: "Doppler service account token: dp.sa. and 40–44 alphanumerics",
			pat: []string{`dp\.sa\.[A-Za-z0-9]{40,44}`}},
		{id: "doppler-scim-token", desc: "Doppler SCIM token: dp.scim. and 40–44 alphanumerics",
			pat: []string{`dp\.scim\.[A-Za-z0-9]{40,44}`}},
		{id: "doppler-audit-token", desc: "Doppler audit token: dp.audit. and 40–44 alphanumerics",
			pat: []string{`dp\.audit\.[A-Za-z0-9]{40,44}`}},
		{id: "onepassword-service-account-token", desc: "1Password service account token: ops_ and a base64url JSON document",
			pat: []string{`ops_eyJ[A-Za-z0-9+/=_-]{100,4096}`}},
		{id: "onepassword-secret-key", desc: "1Password account Secret Key: A3- and dash-separated groups of 6, 6, 5, 5, 5 and 5 characters",
			pat: []string{`A3-[A-Z0-9]{6}-[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}`}},
		{id: "bitwarden-access-token", desc: "Bitwarden Secrets Manager access token: 0., a UUID, a 30-character secret and a base64 key",
			pat: []string{`0\.` + lowUUID + `\.[A-Za-z0-9]{30}:[A-Za-z0-9+/]{22}==`}},
		{id: "kubernetes-bootstrap-token", desc: "Kubernetes bootstrap token: 6 and 16 lower-case alphanumerics joined by a dot, after a bootstrap word",
			ctx: []string{"bootstrap token", "kubeadm", "--token"}, ctxPat: `[a-z0-9]{6}\.[a-z0-9]{16}`},
	}
}

// azureSignatures are the fixed four-character signatures Microsoft puts
// into its identifiable service keys: Storage (+ASt), Cosmos DB (ACDb),
// Service Bus (+ASb), Event Hubs (+AEh), Relay (+ARm), IoT Hub (AIoT),
// Functions (AzFu), Container Registry (+ACR), AI Search (AzSe), API
// Management (APIM) and Batch (+ABa).
var azureSignatures = []string{"+ASt", "ACDb", "+ASb", "+AEh", "+ARm", "AIoT", "AzFu", "+ACR", "AzSe", "APIM", "+ABa"}

func azureSignatureWords() []string { return azureSignatures }

// scanAzureSignature reports the base64 key (40–90 characters with its
// padding) around an Azure key signature.
func scanAzureSignature(sc *scanner, r *rule, start, end int) {
	s := sc.s
	if start < sc.azureEnd {
		return // the run around an earlier signature, which holds this one
	}
	kw := s[start:end]
	found := false
	for _, sig := range azureSignatures {
		found = found || kw == sig
	}
	if !found {
		return
	}
	a := start
	for a > 0 && start-a <= 90 && base64Std[s[a-1]] && !afterEscape(s, a) {
		a--
	}
	b := end
	for b < len(s) && b-start <= 90 && base64Std[s[b]] {
		b++
	}
	for k := 0; k < 2 && b < len(s) && s[b] == '='; k++ {
		b++
	}
	sc.steps += b - a
	sc.azureEnd = b
	if n := b - a; n < 40 || n > 90 || !leftBoundary(s, a, elem{set: base64Std}) ||
		b < len(s) && (isAlnum(s[b]) || s[b] == '=') || !mixedCase(s[a:b]) {
		return
	}
	sc.emit(a, b, r)
}
