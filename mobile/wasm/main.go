//go:build js && wasm

// Command wasm is the scanning PWA's engine compiled to WebAssembly: the
// same QR decoder, ticket check and result messages as the Go scanner and
// the server (scanner/qr, scanner/ticket, scanner/result), so that a phone
// offline reads, verifies and words a scan exactly as the server would.
//
// Build it with mobile/pwa/build.sh; the PWA loads it with wasm_exec.js and
// calls the functions this program sets on globalThis:
//
//	ofhubDecode(grey Uint8Array|Uint8ClampedArray, width, height) → string | null
//	ofhubVerify(code, keysJSON)   → {ok: true, registrationId, activityId, keyId, issuedAt} | {ok: false, error, detail}
//	ofhubParse(code)              → {ok: true, registrationId, activityId, keyId} | {ok: false, error, detail} (no signature check)
//	ofhubMessage(lang, status, peopleJSON, firstISO) → string
//	ofhubColor(status)            → "GREEN" | "RED"
//
// keysJSON is the publicKeys list of registerDevice as JSON
// ([{"keyId": "123", "publicKey": "<base64url>"}]); peopleJSON is a list
// of {"lastName", "firstName"}; ids are decimal strings (they can exceed
// JavaScript's safe integers in principle). Errors are "malformed",
// "unknown_key" and "bad_signature" (all three are INVALID_CODE for the
// engine). globalThis.ofhubReady is set to true once everything is defined.
package main

import (
	"encoding/json"
	"errors"
	"strconv"
	"syscall/js"
	"time"
	_ "time/tzdata" // Europe/Paris for "déjà pointé le …" without the host's zoneinfo

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/ticket"
)

func main() {
	g := js.Global()
	g.Set("ofhubDecode", js.FuncOf(decode))
	g.Set("ofhubVerify", js.FuncOf(verify))
	g.Set("ofhubParse", js.FuncOf(parse))
	g.Set("ofhubMessage", js.FuncOf(message))
	g.Set("ofhubColor", js.FuncOf(color))
	g.Set("ofhubReady", true)
	if cb := g.Get("ofhubOnReady"); cb.Type() == js.TypeFunction {
		cb.Invoke()
	}
	select {} // keep the exported functions alive
}

// frame is reused between calls: a camera sends frames of one size.
var frame []byte

func decode(_ js.Value, args []js.Value) any {
	if len(args) < 3 {
		return js.Null()
	}
	w, h := args[1].Int(), args[2].Int()
	src := args[0]
	n := src.Get("length").Int()
	if w <= 0 || h <= 0 || n < w*h || w*h > qr.MaxPixels {
		return js.Null()
	}
	if cap(frame) < n {
		frame = make([]byte, n)
	}
	frame = frame[:n]
	js.CopyBytesToGo(frame, src)
	text, err := qr.DecodeGray(w, h, frame)
	if err != nil {
		return js.Null()
	}
	return text
}

// keyCache keeps the last parsed key set: the PWA passes the same JSON for
// every scan.
var keyCache struct {
	json string
	set  ticket.KeySet
}

func keySet(s string) (ticket.KeySet, error) {
	if s == keyCache.json && keyCache.set != nil {
		return keyCache.set, nil
	}
	var list []struct {
		KeyID     string `json:"keyId"`
		PublicKey string `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, err
	}
	set := ticket.KeySet{}
	for _, k := range list {
		id, err := strconv.ParseUint(k.KeyID, 10, 32)
		if err != nil {
			return nil, err
		}
		pub, err := ticket.ParsePublicKey(k.PublicKey)
		if err != nil {
			return nil, err
		}
		set[uint32(id)] = pub
	}
	keyCache.json, keyCache.set = s, set
	return set, nil
}

func ticketObject(t ticket.Ticket) map[string]any {
	return map[string]any{
		"ok":             true,
		"registrationId": strconv.FormatInt(t.RegistrationID, 10),
		"activityId":     strconv.FormatInt(t.ActivityID, 10),
		"keyId":          strconv.FormatUint(uint64(t.KeyID), 10),
		"issuedAt":       t.IssuedAt.Format(time.RFC3339),
	}
}

func failure(err error) map[string]any {
	kind := "malformed"
	switch {
	case errors.Is(err, ticket.ErrUnknownKey):
		kind = "unknown_key"
	case errors.Is(err, ticket.ErrBadSignature):
		kind = "bad_signature"
	}
	return map[string]any{"ok": false, "error": kind, "detail": err.Error()}
}

func verify(_ js.Value, args []js.Value) any {
	if len(args) < 2 || args[0].Type() != js.TypeString {
		return js.ValueOf(failure(ticket.ErrMalformed))
	}
	var keys ticket.KeySet
	if args[1].Type() == js.TypeString {
		ks, err := keySet(args[1].String())
		if err != nil {
			return js.ValueOf(map[string]any{"ok": false, "error": "keys", "detail": err.Error()})
		}
		keys = ks
	}
	t, err := ticket.Verify(args[0].String(), keys)
	if err != nil {
		return js.ValueOf(failure(err))
	}
	return js.ValueOf(ticketObject(t))
}

func parse(_ js.Value, args []js.Value) any {
	if len(args) < 1 || args[0].Type() != js.TypeString {
		return js.ValueOf(failure(ticket.ErrMalformed))
	}
	t, err := ticket.Parse(args[0].String())
	if err != nil {
		return js.ValueOf(failure(err))
	}
	return js.ValueOf(ticketObject(t))
}

func message(_ js.Value, args []js.Value) any {
	str := func(i int) string {
		if i < len(args) && args[i].Type() == js.TypeString {
			return args[i].String()
		}
		return ""
	}
	var people []result.Person
	var list []struct {
		LastName  string `json:"lastName"`
		FirstName string `json:"firstName"`
	}
	if s := str(2); s != "" && json.Unmarshal([]byte(s), &list) == nil {
		for _, p := range list {
			people = append(people, result.Person{LastName: p.LastName, FirstName: p.FirstName})
		}
	}
	var first time.Time
	if s := str(3); s != "" {
		first, _ = time.Parse(time.RFC3339Nano, s)
	}
	return result.Message(str(0), result.Status(str(1)), people, first)
}

func color(_ js.Value, args []js.Value) any {
	if len(args) < 1 || args[0].Type() != js.TypeString {
		return string(result.Red)
	}
	return string(result.ColorOf(result.Status(args[0].String())))
}
