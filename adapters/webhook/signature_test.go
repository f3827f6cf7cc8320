package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The vectors follow the Standard Webhooks 1.0 text: the signed content is
// "{msg_id}.{timestamp}.{payload}" (its example id, timestamp and minified
// payload), the key is the base64-decoded part after whsec_, and the
// expected values were computed with openssl dgst -sha256 -mac HMAC.
const (
	specID        = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
	specTimestamp = 1674087231
	specBody      = `{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}`
	// base64 of the 32 ASCII bytes "supportdesk-vector-key-32-bytes!"
	vectorSecret = "whsec_c3VwcG9ydGRlc2stdmVjdG9yLWtleS0zMi1ieXRlcyE="
	vectorSig    = "v1,qUqKO20MZuUMRYhuAENbc6oT4aeGe/Yw7uHlp7u3N80="
	// base64 of "rotated-vector-key-is-also-32-b!"
	rotatedSecret = "whsec_cm90YXRlZC12ZWN0b3Ita2V5LWlzLWFsc28tMzItYiE="
	rotatedSig    = "v1,GF/QavUz2zWP0YN5fpbTYmF+Vzb0DQgqUGojkTSkmVw="
)

func mustSecret(t testing.TB, s string) Secret {
	t.Helper()
	sec, err := ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func specMessage() Message {
	return Message{ID: specID, Timestamp: time.Unix(specTimestamp, 0), Body: []byte(specBody)}
}

func TestSignMatchesTheVectors(t *testing.T) {
	cases := []struct {
		name    string
		m       Message
		secrets []string
		want    string
	}{
		{"spec example", specMessage(), []string{vectorSecret}, vectorSig},
		{"rotation: new and old side by side", specMessage(), []string{rotatedSecret, vectorSecret}, rotatedSig + " " + vectorSig},
		// 24 bytes 0x00…0x17 (the shortest secret allowed), empty body.
		{"binary key, empty body", Message{ID: "evt_01", Timestamp: time.Unix(1700000000, 0)},
			[]string{"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"}, "v1,L80bKobJLLUiEccl+fM6Z/+UU8tw3BRdEm1UqtktbUc="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var secrets []Secret
			for _, s := range c.secrets {
				secrets = append(secrets, mustSecret(t, s))
			}
			got, err := Sign(c.m, secrets...)
			if err != nil || got != c.want {
				t.Fatalf("Sign = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// independentSignature computes a signature from the secret's text with
// nothing of the package.
func independentSignature(t testing.TB, secret, id string, ts int64, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	h := hmac.New(sha256.New, key)
	fmt.Fprintf(h, "%s.%d.%s", id, ts, body)
	return "v1," + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestSignAgreesWithAnIndependentHMAC(t *testing.T) {
	for i := range 20 {
		s, err := NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		m := Message{ID: fmt.Sprintf("01J%023d", i), Timestamp: time.Unix(int64(1700000000+i*977), 0),
			Body: []byte(strings.Repeat(`{"ü":"\n"}`, i))}
		got, err := Sign(m, s)
		if err != nil {
			t.Fatal(err)
		}
		if want := independentSignature(t, s.Encode(), m.ID, m.Timestamp.Unix(), m.Body); got != want {
			t.Fatalf("Sign = %s, independent HMAC = %s", got, want)
		}
	}
}

func TestSignRefusesWhatWouldBreakTheScheme(t *testing.T) {
	s := mustSecret(t, vectorSecret)
	for _, c := range []struct {
		name    string
		m       Message
		secrets []Secret
	}{
		{"empty id", Message{Timestamp: time.Unix(1, 0)}, []Secret{s}},
		{"dot in id", Message{ID: "a.b", Timestamp: time.Unix(1, 0)}, []Secret{s}},
		{"space in id", Message{ID: "a b", Timestamp: time.Unix(1, 0)}, []Secret{s}},
		{"no secret", Message{ID: "a", Timestamp: time.Unix(1, 0)}, nil},
		{"zero secret", Message{ID: "a", Timestamp: time.Unix(1, 0)}, []Secret{{}}},
	} {
		if got, err := Sign(c.m, c.secrets...); err == nil {
			t.Errorf("%s: Sign = %q, want an error", c.name, got)
		}
	}
}

func headers(id, ts, sig string) http.Header {
	h := http.Header{}
	for k, v := range map[string]string{HeaderID: id, HeaderTimestamp: ts, HeaderSignature: sig} {
		if v != "" {
			h.Set(k, v)
		}
	}
	return h
}

func TestVerify(t *testing.T) {
	old, cur := mustSecret(t, vectorSecret), mustSecret(t, rotatedSecret)
	now := time.Unix(specTimestamp, 0)
	ts := strconv.Itoa(specTimestamp)
	body := []byte(specBody)
	cases := []struct {
		name    string
		h       http.Header
		body    []byte
		secrets []Secret
		now     time.Time
		want    error // nil: valid
	}{
		{"spec vector", headers(specID, ts, vectorSig), body, []Secret{old}, now, nil},
		{"second of two signatures", headers(specID, ts, rotatedSig+" "+vectorSig), body, []Secret{old}, now, nil},
		{"receiver holds both secrets", headers(specID, ts, vectorSig), body, []Secret{cur, old}, now, nil},
		{"unknown versions ignored", headers(specID, ts, "v1a,AAAA v2,xyz "+vectorSig), body, []Secret{old}, now, nil},
		{"4m59s late", headers(specID, ts, vectorSig), body, []Secret{old}, now.Add(4*time.Minute + 59*time.Second), nil},
		{"exactly 5m early", headers(specID, ts, vectorSig), body, []Secret{old}, now.Add(-5 * time.Minute), nil},

		{"tampered body", headers(specID, ts, vectorSig), append([]byte(specBody), ' '), []Secret{old}, now, ErrSignature},
		{"other id", headers(specID+"x", ts, vectorSig), body, []Secret{old}, now, ErrSignature},
		{"other timestamp", headers(specID, strconv.Itoa(specTimestamp+1), vectorSig), body, []Secret{old}, now, ErrSignature},
		{"wrong secret", headers(specID, ts, vectorSig), body, []Secret{cur}, now, ErrSignature},
		{"signature without version", headers(specID, ts, strings.TrimPrefix(vectorSig, "v1,")), body, []Secret{old}, now, ErrSignature},
		{"right bytes under v1a", headers(specID, ts, "v1a,"+strings.TrimPrefix(vectorSig, "v1,")), body, []Secret{old}, now, ErrSignature},
		{"truncated signature", headers(specID, ts, vectorSig[:20]), body, []Secret{old}, now, ErrSignature},
		{"not base64", headers(specID, ts, "v1,!!!!"), body, []Secret{old}, now, ErrSignature},
		{"no secrets", headers(specID, ts, vectorSig), body, nil, now, ErrSignature},

		{"5m01s late", headers(specID, ts, vectorSig), body, []Secret{old}, now.Add(5*time.Minute + time.Second), ErrTimestamp},
		{"5m01s early", headers(specID, ts, vectorSig), body, []Secret{old}, now.Add(-5*time.Minute - time.Second), ErrTimestamp},
		{"timestamp in ms", headers(specID, ts+"000", vectorSig), body, []Secret{old}, now, ErrTimestamp},
		{"signed timestamp", headers(specID, "+"+ts, vectorSig), body, []Secret{old}, now, ErrTimestamp},
		{"RFC 3339 timestamp", headers(specID, "2023-01-19T00:13:51Z", vectorSig), body, []Secret{old}, now, ErrTimestamp},
		{"huge timestamp", headers(specID, strings.Repeat("9", 40), vectorSig), body, []Secret{old}, now, ErrTimestamp},

		{"no id", headers("", ts, vectorSig), body, []Secret{old}, now, ErrMissingHeader},
		{"no timestamp", headers(specID, "", vectorSig), body, []Secret{old}, now, ErrMissingHeader},
		{"no signature", headers(specID, ts, ""), body, []Secret{old}, now, ErrMissingHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Verify(c.h, c.body, c.secrets, c.now)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if m.ID != specID || m.Timestamp.Unix() != specTimestamp || string(m.Body) != string(c.body) {
					t.Fatalf("Verify = %+v", m)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify error = %v, want %v", err, c.want)
			}
		})
	}
}

func TestSetHeadersRoundTrip(t *testing.T) {
	s := mustSecret(t, vectorSecret)
	h := http.Header{}
	if err := SetHeaders(h, specMessage(), s); err != nil {
		t.Fatal(err)
	}
	if h.Get("Webhook-Id") != specID || h.Get("Webhook-Timestamp") != strconv.Itoa(specTimestamp) || h.Get("Webhook-Signature") != vectorSig {
		t.Fatalf("headers = %v", h)
	}
	if _, err := Verify(h, []byte(specBody), []Secret{s}, time.Unix(specTimestamp, 0)); err != nil {
		t.Fatal(err)
	}
}
