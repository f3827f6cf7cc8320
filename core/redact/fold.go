package redact

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foreignLetter stands, in a folded key, for a letter that has no Latin
// look-alike: it is part of a word but matches no secret word.
const foreignLetter = 0x80

// foldKey folds a key that is not plain ASCII to ASCII bytes, so that a
// key written to slip past the policy reads as what it looks like:
//
//   - compatibility decomposition (NFKD) turns full-width forms,
//     mathematical letters, ligatures, the Kelvin and Ångström signs and
//     other compatibility characters into their plain letters and splits
//     accents off;
//   - combining marks, format characters (zero-width space, joiners,
//     direction marks, soft hyphen, byte order mark) and the Hangul fillers
//     are dropped;
//   - Cyrillic, Greek and Latin letters that look like Latin letters
//     (Unicode's confusables for the Latin alphabet) become those letters,
//     keeping their case;
//   - any other letter becomes foreignLetter, anything else a separator.
//
// The look-alike table is written out here rather than taken from a
// confusables library: none exists in the standard library or
// golang.org/x, the core takes no other dependency, and only letters of
// the Latin alphabet matter.
func foldKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for _, r := range norm.NFKD.String(k) {
		switch {
		case r < 0x80:
			b.WriteByte(byte(r))
		case invisible(r):
		case lookAlike[r] != 0:
			b.WriteByte(lookAlike[r])
		case unicode.IsLetter(r):
			b.WriteByte(foreignLetter)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// invisible reports characters that render as nothing.
func invisible(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0: // Hangul fillers
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf)
}

// lookAlike maps letters to the Latin letter they are mistaken for.
var lookAlike = func() map[rune]byte {
	m := map[rune]byte{}
	add := func(latin string, others string) {
		rs := []rune(others)
		if len(rs) != len(latin) {
			panic("redact: look-alike table out of step: " + latin)
		}
		for i := range rs {
			m[rs[i]] = latin[i]
		}
	}
	// Cyrillic.
	add("ABCEHIJKMOPSTXYYDQWI", "АВСЕНІЈКМОРЅТХУҮԀԚԜӀ")
	add("abcehijkmoptsxyydqwlh", "аьсеһіјкморт\u0455хуүԁԛԝӏн")
	add("b", "в")
	// Greek.
	add("ABEZHIKMNOPTYX", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ")
	add("aeikvoptuxwycCj", "αεικνορτυχωγϲϹϳ")
	// Latin letters that are not a, b, c… but look like them, and small capitals.
	add("iajgi", "ıɑȷɡɩ")
	add("abcdegh", "ᴀʙᴄᴅᴇɢʜ")
	add("ijklmnoprstuvwyz", "ɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ")
	return m
}()
